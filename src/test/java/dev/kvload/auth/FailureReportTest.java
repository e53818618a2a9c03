package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailureReportTest {
  private static final Attempt ENV =
      Attempt.unavailable(
          "EnvironmentCredential",
          "not configured: AZURE_CLIENT_ID not set",
          "set AZURE_CLIENT_ID");
  private static final Attempt MI =
      Attempt.unavailable(
          "ManagedIdentityCredential", "no managed identity endpoint", "run on Azure");
  private static final Attempt CLI =
      Attempt.unavailable("AzureCliCredential", "installed but not signed in", "run 'az login'");
  private static final Attempt REJECTED =
      new Attempt(
          "EnvironmentCredential",
          Attempt.Result.REJECTED,
          "rejected by Entra ID: AADSTS7000215: Invalid client secret provided",
          "AZURE_CLIENT_SECRET is wrong",
          null);
  private static final Attempt FAILED =
      new Attempt("WorkloadIdentityCredential", Attempt.Result.FAILED, "cannot read x", null, null);

  static Stream<Arguments> reports() {
    return Stream.of(
        Arguments.argumentSet(
            "default, nothing available, on a laptop",
            AuthMode.DEFAULT,
            Map.of(),
            List.of(ENV, MI, CLI),
            List.of(
                "no credential available (--auth default); tried, in the Azure SDK's order:",
                "  EnvironmentCredential: not configured: AZURE_CLIENT_ID not set",
                "  ManagedIdentityCredential: no managed identity endpoint",
                "  AzureCliCredential: installed but not signed in",
                "next step: run 'az login' (kvload then uses the Azure CLI session), or set"
                    + " AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service"
                    + " principal")),
        Arguments.argumentSet(
            "default, nothing available, in a Codespace",
            AuthMode.DEFAULT,
            Map.of("CODESPACES", "true"),
            List.of(ENV, MI),
            List.of(
                "no credential available (--auth default); tried, in the Azure SDK's order:",
                "  EnvironmentCredential: not configured: AZURE_CLIENT_ID not set",
                "  ManagedIdentityCredential: no managed identity endpoint",
                "next step: run 'kvload login' once in a terminal (it asks you to sign in in a"
                    + " browser; later runs are silent), or run 'az login --use-device-code'"
                    + " (kvload then uses the Azure CLI session)")),
        Arguments.argumentSet(
            "default, nothing available, in GitHub Actions",
            AuthMode.DEFAULT,
            Map.of("GITHUB_ACTIONS", "true"),
            List.of(ENV, MI),
            List.of(
                "no credential available (--auth default); tried, in the Azure SDK's order:",
                "  EnvironmentCredential: not configured: AZURE_CLIENT_ID not set",
                "  ManagedIdentityCredential: no managed identity endpoint",
                "next step: in GitHub Actions use --auth github-oidc (with 'permissions: id-token:"
                    + " write' and a federated credential on the app registration), or run"
                    + " azure/login before kvload")),
        Arguments.argumentSet(
            "default, limited by AZURE_TOKEN_CREDENTIALS",
            AuthMode.DEFAULT,
            Map.of("AZURE_TOKEN_CREDENTIALS", "prod"),
            List.of(ENV, MI),
            List.of(
                "no credential available (--auth default); tried, in the Azure SDK's order:",
                "  EnvironmentCredential: not configured: AZURE_CLIENT_ID not set",
                "  ManagedIdentityCredential: no managed identity endpoint",
                "next step: AZURE_TOKEN_CREDENTIALS=prod limits DefaultAzureCredential to the"
                    + " credentials above: set one of them up, or unset AZURE_TOKEN_CREDENTIALS")),
        Arguments.argumentSet(
            "default, a credential rejected after others were unavailable",
            AuthMode.DEFAULT,
            Map.of(),
            List.of(MI, REJECTED),
            List.of(
                "authentication failed (--auth default): Entra ID rejected EnvironmentCredential",
                "  ManagedIdentityCredential: no managed identity endpoint",
                "  EnvironmentCredential: rejected by Entra ID: AADSTS7000215: Invalid client secret"
                    + " provided",
                "next step: AZURE_CLIENT_SECRET is wrong")),
        Arguments.argumentSet(
            "explicit mode, unavailable",
            AuthMode.AZURE_CLI,
            Map.of(),
            List.of(CLI),
            List.of(
                "no credential available (--auth azure-cli):",
                "  AzureCliCredential: installed but not signed in",
                "next step: run 'az login'")),
        Arguments.argumentSet(
            "the stored login refused",
            AuthMode.LOGIN,
            Map.of(),
            List.of(
                new Attempt(
                    Login.CREDENTIAL,
                    Attempt.Result.REJECTED,
                    "Entra ID refused the stored login: AADSTS50173: The provided grant has"
                        + " expired due to it being revoked",
                    Login.SIGN_IN_AGAIN,
                    null)),
            List.of(
                "authentication failed (--auth login): Entra ID rejected kvload login",
                "  kvload login: Entra ID refused the stored login: AADSTS50173: The provided grant"
                    + " has expired due to it being revoked",
                "next step: run 'kvload login' to sign in again")),
        Arguments.argumentSet(
            "explicit mode, failed without a known next step",
            AuthMode.WORKLOAD_IDENTITY,
            Map.of(),
            List.of(FAILED),
            List.of(
                "authentication failed (--auth workload-identity):",
                "  WorkloadIdentityCredential: cannot read x",
                "next step: run again with -v to see the Azure SDK's exception")));
  }

  @ParameterizedTest
  @MethodSource("reports")
  void report(AuthMode mode, Map<String, String> env, List<Attempt> attempts, List<String> lines) {
    assertEquals(
        lines,
        FailureReport.lines(new AuthContext(new AuthSettings(mode, null, null), env), attempts));
  }
}
