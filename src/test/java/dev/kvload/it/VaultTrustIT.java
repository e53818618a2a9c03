package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A vault host is trusted only as far as it behaves as Key Vault does, and a token only ever goes
 * to the Key Vault resource of the vault's cloud: hostile hosts, as a cloned repository's manifest
 * could name them, against the real CLI.
 */
class VaultTrustIT {
  private static final String VAULT = "kvload-test";
  private static final String VALUE = "vault-trust-s3cret-0123456789";
  private static final String EMULATOR = "localhost";

  private final Harness h = new Harness();
  private final Seen seen = new Seen(h.dir.resolve("started"), "DATABASE_URL");

  VaultTrustIT() {
    h.fake.put(VAULT, "db-url", VALUE);
    h.fake.put(EMULATOR, "db-url", VALUE);
  }

  @AfterEach
  void close() {
    h.close();
  }

  private void manifest(String vaultUrl) {
    h.manifest("{\"vault\": \"" + vaultUrl + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
  }

  /** An emulator on loopback: outside Key Vault's DNS suffixes. */
  private String emulatorUrl() {
    return "https://" + EMULATOR + ":" + h.fake.port();
  }

  private Harness.Run run(String... options) {
    return h.run()
        .args("run", "--auth", "managed-identity")
        .args(options)
        .args("--")
        .args(seen.command())
        .go();
  }

  // --- a host that never challenges ----------------------------------------------------------

  static Stream<Arguments> hostsThatNeverChallenge() {
    return Stream.of(
        Arguments.of("inside Key Vault's domains", false),
        Arguments.of("an allowed emulator", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostsThatNeverChallenge")
  void aHostThatNeverAsksForATokenIsNotKeyVault(String name, boolean emulator) {
    h.fake.challenges(false);
    manifest(emulator ? emulatorUrl() : h.fake.vaultUrl(VAULT));
    var run = run("--allow-vault-host", EMULATOR);
    assertEquals(6, run.exit(), run::toString);
    String vault = emulator ? emulatorUrl() : h.fake.vaultUrl(VAULT);
    assertTrue(
        run.stderr()
            .contains(
                "vault " + vault + ": this host did not ask for a token: it is not Key Vault"),
        run::toString);
    seen.assertNotStarted(run);
    assertEquals(0, h.fake.tokenRequests() - (emulator ? 0 : prefetched()), run::toString);
  }

  @Test
  void checkReportsAHostThatNeverChallengesAsUnreachable() {
    h.fake.challenges(false);
    manifest(h.fake.vaultUrl(VAULT));
    var run = h.run().args("check", "--auth", "managed-identity").go();
    assertEquals(6, run.exit(), run::toString);
    assertTrue(run.stdout().contains("it is not Key Vault"), run::toString);
  }

  // --- challenges naming another resource ----------------------------------------------------

  /** What the SDK's own check let through before kvload checked: the first two and the last. */
  static Stream<Arguments> challengesForOtherResources() {
    String tenant = "authorization=\"https://login.windows.net/" + FakeAzure.TENANT + "\", ";
    return Stream.of(
        Arguments.of("a domain above the vault's", tenant + "resource=\"https://azure.net\""),
        Arguments.of("a top-level domain", tenant + "resource=\"https://net\""),
        Arguments.of(
            "Azure Resource Manager, as a scope",
            tenant + "scope=\"https://management.azure.com/.default\""),
        Arguments.of("another cloud's Key Vault", tenant + "resource=\"https://vault.azure.cn\""),
        Arguments.of(
            "a path below Key Vault's resource",
            tenant + "resource=\"https://vault.azure.net/keys\""));
  }

  /**
   * Refused with exit 6 naming the vault; no token for the named resource is asked for, and none
   * reaches the host. (The token for Key Vault's own resource, asked for before the challenge to
   * save time, is the only one the token endpoint sees.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("challengesForOtherResources")
  void aChallengeForAnotherResourceGetsNoToken(String name, String challenge) {
    h.fake.challenge("Bearer " + challenge);
    manifest(h.fake.vaultUrl(VAULT));
    var run = run("--timeout", "20s");
    assertEquals(6, run.exit(), run::toString);
    assertTrue(run.stderr().contains("vault " + h.fake.vaultUrl(VAULT) + ": "), run::toString);
    assertTrue(run.stderr().contains("not Key Vault's https://vault.azure.net"), run::toString);
    seen.assertNotStarted(run);
    assertTrue(
        h.fake.tokenResources().stream().allMatch("https://vault.azure.net"::equals),
        () -> "token requests: " + h.fake.tokenResources());
    assertTrue(
        h.fake.secretRequests().stream().noneMatch(FakeAzure.Request::authorized),
        () -> "a token reached the host: " + h.fake.secretRequests());
  }

  // --- hosts outside Key Vault's domains -----------------------------------------------------

  @Test
  void aHostOutsideKeyVaultsDomainsIsRefusedBeforeAnyRequest() {
    manifest(emulatorUrl());
    var validate = h.run().args("validate").start();
    var export = h.run().args("export").start();
    var run = h.run().args("run", "--").args(seen.command()).start();
    for (var done : List.of(validate.await(), export.await(), run.await())) {
      assertEquals(3, done.exit(), done::toString);
      assertTrue(done.stderr().contains("kvload.json:1:"), done::toString);
      assertTrue(
          done.stderr().contains(emulatorUrl() + " is outside Key Vault's domains"),
          done::toString);
      assertTrue(done.stderr().contains("--allow-vault-host " + EMULATOR), done::toString);
    }
    seen.assertNotStarted(run);
    assertEquals(List.of(), h.fake.requests(), "no request");
  }

  @Test
  void aManifestCannotAllowItsOwnHost() {
    h.manifest(
        "{\"vault\": \""
            + emulatorUrl()
            + "\", \"allowVaultHosts\": [\"localhost\"], \"secrets\": {\"DATABASE_URL\":"
            + " \"db-url\"}}");
    var run = h.run().args("export").go();
    assertEquals(3, run.exit(), run::toString);
    assertEquals(List.of(), h.fake.requests(), "no request");
  }

  /** As the Lowkey Vault emulator challenges by default: its own origin as the resource. */
  @Test
  void anAllowedEmulatorNamingItsOwnOriginGetsATokenForItself() {
    h.fake.challenge(
        "Bearer resource=\""
            + emulatorUrl()
            + "\", authorization_uri=\""
            + emulatorUrl()
            + "/tenant\"");
    manifest(emulatorUrl());
    var run =
        h.run()
            .env("KVLOAD_ALLOW_VAULT_HOSTS", "other.test," + EMULATOR)
            .args("run", "--auth", "managed-identity", "--")
            .args(seen.command())
            .go();
    assertEquals(0, run.exit(), run::toString);
    seen.assertGot(VALUE);
    assertEquals(List.of(emulatorUrl()), h.fake.tokenResources());
  }

  static Stream<Arguments> azureResources() {
    return Stream.of(
        Arguments.of("Key Vault", "https://vault.azure.net"),
        Arguments.of("Azure Resource Manager", "https://management.azure.com"),
        Arguments.of("Microsoft Graph", "https://graph.microsoft.com"),
        Arguments.of("Azure Storage", "https://storage.azure.com"));
  }

  /** A token for a real Azure resource never goes to a host outside Key Vault's domains. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("azureResources")
  void anAllowedEmulatorNamingAnAzureResourceGetsNoToken(String name, String resource) {
    h.fake.challenge(
        "Bearer authorization=\"https://login.windows.net/"
            + FakeAzure.TENANT
            + "\", resource=\""
            + resource
            + "\"");
    manifest(emulatorUrl());
    var run = run("--allow-vault-host", EMULATOR, "--timeout", "20s");
    assertEquals(6, run.exit(), run::toString);
    assertTrue(run.stderr().contains("vault " + emulatorUrl() + ": "), run::toString);
    assertTrue(run.stderr().contains(resource), run::toString);
    seen.assertNotStarted(run);
    assertEquals(0, h.fake.tokenRequests(), () -> "token requests: " + h.fake.tokenResources());
    assertFalse(h.fake.secretRequests().stream().anyMatch(FakeAzure.Request::authorized));
  }

  /** Token requests made before the challenge for Key Vault's own resource (0 or 1). */
  private int prefetched() {
    return (int) h.fake.tokenResources().stream().filter("https://vault.azure.net"::equals).count();
  }
}
