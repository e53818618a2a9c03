package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequirementsTest {
  private static final String SECRET = Requirements.SECRET_OR_CERTIFICATE;

  static Stream<Arguments> environment() {
    return Stream.of(
        Arguments.argumentSet(
            "nothing set", Map.of(), null, List.of("AZURE_CLIENT_ID", "AZURE_TENANT_ID", SECRET)),
        Arguments.argumentSet(
            "client secret",
            Map.of("AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t", "AZURE_CLIENT_SECRET", "s"),
            null,
            List.of()),
        Arguments.argumentSet(
            "certificate",
            Map.of(
                "AZURE_CLIENT_ID",
                "c",
                "AZURE_TENANT_ID",
                "t",
                "AZURE_CLIENT_CERTIFICATE_PATH",
                "p"),
            null,
            List.of()),
        Arguments.argumentSet(
            "no tenant",
            Map.of("AZURE_CLIENT_ID", "c", "AZURE_CLIENT_SECRET", "s"),
            null,
            List.of("AZURE_TENANT_ID")),
        Arguments.argumentSet(
            "tenant from --tenant-id",
            Map.of("AZURE_CLIENT_ID", "c", "AZURE_CLIENT_SECRET", "s"),
            "t",
            List.of()),
        Arguments.argumentSet(
            "blank secret counts as unset",
            Map.of("AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t", "AZURE_CLIENT_SECRET", " "),
            null,
            List.of(SECRET)),
        Arguments.argumentSet(
            "user and password need no tenant",
            Map.of("AZURE_CLIENT_ID", "c", "AZURE_USERNAME", "u", "AZURE_PASSWORD", "p"),
            null,
            List.of()));
  }

  @ParameterizedTest
  @MethodSource
  void environment(Map<String, String> env, String tenantFlag, List<String> missing) {
    assertEquals(missing, Requirements.environment(context(env, null, tenantFlag)));
  }

  static Stream<Arguments> workloadIdentity() {
    return Stream.of(
        Arguments.argumentSet(
            "nothing set",
            Map.of(),
            null,
            List.of("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE")),
        Arguments.argumentSet(
            "as AKS sets it",
            Map.of(
                "AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t", "AZURE_FEDERATED_TOKEN_FILE", "f"),
            null,
            List.of()),
        Arguments.argumentSet(
            "client from --client-id",
            Map.of("AZURE_TENANT_ID", "t", "AZURE_FEDERATED_TOKEN_FILE", "f"),
            "c",
            List.of()),
        Arguments.argumentSet(
            "no token file",
            Map.of("AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t"),
            null,
            List.of("AZURE_FEDERATED_TOKEN_FILE")));
  }

  @ParameterizedTest
  @MethodSource
  void workloadIdentity(Map<String, String> env, String clientFlag, List<String> missing) {
    assertEquals(missing, Requirements.workloadIdentity(context(env, clientFlag, null)));
  }

  static Stream<Arguments> joins() {
    return Stream.of(
        Arguments.argumentSet("none", List.of(), ""),
        Arguments.argumentSet("one", List.of("A"), "A"),
        Arguments.argumentSet("two", List.of("A", "B"), "A and B"),
        Arguments.argumentSet("three", List.of("A", "B", "C"), "A, B and C"));
  }

  @ParameterizedTest
  @MethodSource("joins")
  void join(List<String> names, String expected) {
    assertEquals(expected, Requirements.join(names));
  }

  static AuthContext context(Map<String, String> env, String clientId, String tenantId) {
    return new AuthContext(new AuthSettings(AuthMode.DEFAULT, clientId, tenantId), env);
  }
}
