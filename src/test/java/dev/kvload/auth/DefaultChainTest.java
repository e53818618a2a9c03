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

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "AzureCli", "BrokerCredential", "prod,dev"})
  void rejectsWhatTheSdkRejects(String value) {
    assertThrows(IllegalArgumentException.class, () -> Credentials.defaultChain(value));
  }
}
