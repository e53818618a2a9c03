package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.manifest.VaultRef;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which token a vault's challenge gets, whatever it names. */
class AudienceTest {
  static Stream<Arguments> allowed() {
    return Stream.of(
        Arguments.argumentSet(
            "public cloud, as Key Vault challenges",
            "contoso",
            "https://vault.azure.net/.default",
            "https://vault.azure.net/.default"),
        Arguments.argumentSet(
            "a trailing slash and another case",
            "contoso",
            "https://Vault.Azure.Net//.default",
            "https://vault.azure.net/.default"),
        Arguments.argumentSet(
            "a scope without /.default, and the default port",
            "contoso",
            "https://vault.azure.net:443",
            "https://vault.azure.net/.default"),
        Arguments.argumentSet(
            "Azure China",
            "https://contoso.vault.azure.cn",
            "https://vault.azure.cn/.default",
            "https://vault.azure.cn/.default"),
        Arguments.argumentSet(
            "Azure US Government",
            "https://contoso.vault.usgovcloudapi.net",
            "https://vault.usgovcloudapi.net/.default",
            "https://vault.usgovcloudapi.net/.default"),
        Arguments.argumentSet(
            "an emulator naming its own origin (Lowkey Vault)",
            "https://localhost:8443",
            "https://localhost:8443/.default",
            "https://localhost:8443/.default"),
        Arguments.argumentSet(
            "an emulator naming its host without the port",
            "https://localhost:8443",
            "https://localhost/.default",
            "https://localhost/.default"),
        Arguments.argumentSet(
            "an IP address naming itself",
            "https://127.0.0.1:8443",
            "https://127.0.0.1:8443/.default",
            "https://127.0.0.1:8443/.default"),
        Arguments.argumentSet(
            "Azure Stack: the domain above the vault",
            "https://contoso.vault.local.azurestack.external",
            "https://vault.local.azurestack.external/.default",
            "https://vault.local.azurestack.external/.default"),
        Arguments.argumentSet(
            "an emulator on an App Service host naming itself",
            "https://kv-emulator.azurewebsites.net",
            "https://kv-emulator.azurewebsites.net/.default",
            "https://kv-emulator.azurewebsites.net/.default"));
  }

  @ParameterizedTest
  @MethodSource("allowed")
  void asksForTheVaultsOwnResource(String vault, String asked, String scope) {
    assertEquals(scope, Audience.scope(VaultRef.parse(vault), List.of(asked)));
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.argumentSet(
            "a domain above a Key Vault host",
            "contoso",
            "https://azure.net/.default",
            "not Key Vault's https://vault.azure.net"),
        Arguments.argumentSet(
            "a top-level domain", "contoso", "https://net/.default", "not Key Vault's"),
        Arguments.argumentSet(
            "Azure Resource Manager",
            "contoso",
            "https://management.azure.com/.default",
            "not Key Vault's"),
        Arguments.argumentSet(
            "another cloud's Key Vault",
            "contoso",
            "https://vault.azure.cn/.default",
            "not Key Vault's https://vault.azure.net"),
        Arguments.argumentSet(
            "a path below Key Vault's resource",
            "contoso",
            "https://vault.azure.net/keys/.default",
            "not Key Vault's"),
        Arguments.argumentSet(
            "plain http", "contoso", "http://vault.azure.net/.default", "not Key Vault's"),
        Arguments.argumentSet(
            "an emulator naming Key Vault",
            "https://localhost:8443",
            "https://vault.azure.net/.default",
            "neither this host nor a domain above it"),
        Arguments.argumentSet(
            "an emulator naming Microsoft Graph",
            "https://kv.example.test",
            "https://graph.microsoft.com/.default",
            "neither this host nor a domain above it"),
        Arguments.argumentSet(
            "an emulator naming another port of its host",
            "https://localhost:8443",
            "https://localhost:9443/.default",
            "neither this host nor a domain above it"),
        Arguments.argumentSet(
            "an emulator naming a domain of Microsoft's above it",
            "https://kv-emulator.azurewebsites.net",
            "https://azurewebsites.net/.default",
            "a domain of Microsoft's clouds"),
        Arguments.argumentSet(
            "an emulator naming a top-level domain above it",
            "https://kv.example",
            "https://example/.default",
            "neither this host nor a domain above it"),
        Arguments.argumentSet(
            "an emulator naming an origin with a path",
            "https://localhost:8443",
            "https://localhost:8443/x/.default",
            "not an https origin"),
        Arguments.argumentSet(
            "user information",
            "https://localhost",
            "https://a@localhost/.default",
            "not an https origin"));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusesAnyOtherResource(String vault, String asked, String reason) {
    ChallengeRefused refused =
        assertThrows(
            ChallengeRefused.class, () -> Audience.scope(VaultRef.parse(vault), List.of(asked)));
    assertTrue(refused.getMessage().contains(reason), refused.getMessage());
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusesTwoScopesEvenWithTheRightOne(String vault, String asked, String reason) {
    VaultRef ref = VaultRef.parse(vault);
    String right = ref.knownResource().orElse("https://localhost") + "/.default";
    assertThrows(ChallengeRefused.class, () -> Audience.scope(ref, List.of(right, asked)));
  }

  @org.junit.jupiter.api.Test
  void showsWhatTheChallengeAskedForPrintableAndShort() {
    ChallengeRefused refused =
        assertThrows(
            ChallengeRefused.class,
            () ->
                Audience.scope(
                    VaultRef.parse("contoso"),
                    List.of("https://x\u001b]0;owned\u0007" + "y".repeat(200))));
    assertTrue(
        refused.getMessage().contains("'https://x\\u001b]0;owned\\u0007yyy"), refused.getMessage());
    assertTrue(refused.getMessage().length() < 200, refused.getMessage());
  }
}
