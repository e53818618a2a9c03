package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** AZURE_TOKEN_CREDENTIALS, read as the SDK's DefaultAzureCredentialBuilder reads it. */
class DefaultChainTest {
  private static final List<String> ALL =
      List.of(
          "EnvironmentCredential",
          "WorkloadIdentityCredential",
          "ManagedIdentityCredential",
          "IntelliJCredential",
          "VisualStudioCodeCredential",
          "AzureCliCredential",
          "AzurePowerShellCredential",
          "AzureDeveloperCliCredential");

  static Stream<Arguments> values() {
    return Stream.of(
        Arguments.argumentSet("unset: everything", null, ALL),
        Arguments.argumentSet("blank: everything", " ", ALL),
        Arguments.argumentSet("prod", "prod", ALL.subList(0, 3)),
        Arguments.argumentSet("dev, any case and spaces", " Dev ", ALL.subList(3, 8)),
        Arguments.argumentSet(
            "one credential", "AzureCliCredential", List.of("AzureCliCredential")),
        Arguments.argumentSet(
            "one credential, lower case",
            "managedidentitycredential",
            List.of("ManagedIdentityCredential")));
  }

  @ParameterizedTest
  @MethodSource("values")
  void chain(String value, List<String> expected) {
    assertEquals(expected, Credentials.defaultChain(value));
  }

  static Stream<Arguments> chainsWithTheLogin() {
    List<String> all = new java.util.ArrayList<>(ALL.subList(0, 3));
    all.add(Login.CREDENTIAL);
    all.addAll(ALL.subList(3, 8));
    List<String> dev = new java.util.ArrayList<>(List.of(Login.CREDENTIAL));
    dev.addAll(ALL.subList(3, 8));
    return Stream.of(
        Arguments.argumentSet(
            "everything: after the machine credentials, before the developer tools", ALL, all),
        Arguments.argumentSet(
            "prod: machines only, no login", ALL.subList(0, 3), ALL.subList(0, 3)),
        Arguments.argumentSet("dev: the login first", ALL.subList(3, 8), dev),
        Arguments.argumentSet(
            "one developer tool named: that one only",
            List.of("AzureCliCredential"),
            List.of("AzureCliCredential")));
  }

  @ParameterizedTest
  @MethodSource("chainsWithTheLogin")
  void theStoredLoginsPlace(List<String> chain, List<String> expected) {
    assertEquals(expected, Credentials.withLogin(chain));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "AzureCli", "BrokerCredential", "prod,dev"})
  void rejectsWhatTheSdkRejects(String value) {
    assertThrows(IllegalArgumentException.class, () -> Credentials.defaultChain(value));
  }
}
