package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.CredentialUnavailableException;
import dev.kvload.auth.Attempt.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SDK exceptions, as the SDK words them, to one line and a next step. */
class DiagnosisTest {
  private static final String TENANT = "00000000-0000-4000-8000-00000000c0de";
  private static final String OTHER = "11111111-2222-4333-8444-555555555555";

  /** A folder with executables named az, azd and pwsh, for PATH. */
  @TempDir static Path TOOLS;

  @BeforeAll
  static void tools() throws IOException {
    for (String tool : new String[] {"az", "azd", "pwsh"}) {
      Path file = TOOLS.resolve(tool);
      Files.writeString(file, "#!/bin/sh\nexit 1\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static AuthContext context(AuthMode mode, String tenantFlag, Map<String, String> env) {
    return new AuthContext(new AuthSettings(mode, null, tenantFlag), env);
  }

  /** How MSAL's refusal reaches kvload: wrapped by the credential, then by the chain. */
  private static RuntimeException rejected(String description) {
    return new ClientAuthenticationException(
        "DefaultAzureCredential authentication failed. ---> EnvironmentCredential authentication"
            + " failed. Error Details: "
            + description,
        null,
        new RuntimeException(new IllegalStateException(description)));
  }

  static Stream<Arguments> cases() {
    String mitigate =
        "To mitigate this issue, please refer to the troubleshooting guidelines here at"
            + " https://aka.ms/azsdk/java/identity/environmentcredential/troubleshoot";
    return Stream.of(
        Arguments.argumentSet(
            "environment: nothing set",
            context(AuthMode.DEFAULT, null, env()),
            "EnvironmentCredential",
            new CredentialUnavailableException(
                "EnvironmentCredential authentication unavailable. Environment variables are not"
                    + " fully configured."
                    + mitigate),
            Result.UNAVAILABLE,
            "not configured: AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or"
                + " AZURE_CLIENT_CERTIFICATE_PATH) not set",
            "set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or"
                + " AZURE_CLIENT_CERTIFICATE_PATH) for a service principal, or choose another"
                + " --auth"),
        Arguments.argumentSet(
            "environment: only the secret missing",
            context(
                AuthMode.ENVIRONMENT, null, env("AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t")),
            "EnvironmentCredential",
            new CredentialUnavailableException("EnvironmentCredential authentication unavailable."),
            Result.UNAVAILABLE,
            "not configured: AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) not set",
            "set AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) for a service principal,"
                + " or choose another --auth"),
        Arguments.argumentSet(
            "wrong client secret",
            context(AuthMode.ENVIRONMENT, null, env("AZURE_CLIENT_ID", "app-1")),
            "EnvironmentCredential",
            rejected(
                "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the"
                    + " request is the client secret value.\r\nTrace ID: 1\r\nCorrelation ID: 2"),
            Result.REJECTED,
            "rejected by Entra ID: AADSTS7000215: Invalid client secret provided",
            "AZURE_CLIENT_SECRET is wrong or has expired: create a new client secret for app app-1"
                + " and use its value (not its ID)"),
        Arguments.argumentSet(
            "unknown app",
            context(
                AuthMode.ENVIRONMENT,
                null,
                env("AZURE_CLIENT_ID", "app-1", "AZURE_TENANT_ID", TENANT)),
            "EnvironmentCredential",
            rejected(
                "AADSTS700016: Application with identifier 'app-1' was not found in the directory"
                    + " 'x'. This can happen if the application has not been installed."),
            Result.REJECTED,
            "rejected by Entra ID: AADSTS700016: Application not found in the directory",
            "no app app-1 in tenant "
                + TENANT
                + ": check AZURE_CLIENT_ID (--client-id) and AZURE_TENANT_ID (--tenant-id)"),
        Arguments.argumentSet(
            "vault in another tenant than --tenant-id",
            context(AuthMode.ENVIRONMENT, OTHER, env()),
            "EnvironmentCredential",
            new ClientAuthenticationException(
                "The current credential is not configured to acquire tokens for tenant "
                    + TENANT
                    + ". To enable acquiring tokens for this tenant add it to the"
                    + " AdditionallyAllowedTenants on the credential options, or add \"*\" to"
                    + " AdditionallyAllowedTenants to allow acquiring tokens for any tenant.",
                null),
            Result.FAILED,
            "the vault belongs to tenant " + TENANT + ", but --tenant-id is " + OTHER,
            "pass --tenant-id "
                + TENANT
                + ", or, for a multi-tenant app registration, set"
                + " AZURE_ADDITIONALLY_ALLOWED_TENANTS="
                + TENANT),
        Arguments.argumentSet(
            "vault in another tenant than AZURE_TENANT_ID, Azure CLI",
            context(AuthMode.AZURE_CLI, null, env("AZURE_TENANT_ID", OTHER)),
            "AzureCliCredential",
            new ClientAuthenticationException(
                "The current credential is not configured to acquire tokens for tenant "
                    + TENANT
                    + ". To enable acquiring tokens...",
                null),
            Result.FAILED,
            "the vault belongs to tenant " + TENANT + ", but AZURE_TENANT_ID is " + OTHER,
            "pass --tenant-id " + TENANT),
        Arguments.argumentSet(
            "federated token file missing",
            context(
                AuthMode.WORKLOAD_IDENTITY,
                null,
                env("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/t")),
            "WorkloadIdentityCredential",
            new RuntimeException(
                new RuntimeException(
                    "Failed to read federated token from file. ",
                    new NoSuchFileException("/var/run/secrets/azure/tokens/t"))),
            Result.FAILED,
            "cannot read the federated token file /var/run/secrets/azure/tokens/t (no such file)",
            "check AZURE_FEDERATED_TOKEN_FILE; on AKS, enable workload identity for the pod (label"
                + " azure.workload.identity/use: \"true\" and a service account annotated with"
                + " azure.workload.identity/client-id)"),
        Arguments.argumentSet(
            "az not on PATH",
            context(AuthMode.AZURE_CLI, null, env("PATH", "/nonexistent")),
            "AzureCliCredential",
            new CredentialUnavailableException(
                "AzureCliCredential authentication unavailable. Azure CLI not installed.To mitigate"
                    + " this issue, please refer to the troubleshooting guidelines here at"
                    + " https://aka.ms/azsdk/java/identity/azclicredential/troubleshoot"),
            Result.UNAVAILABLE,
            "'az' is not installed (not found on PATH)",
            "install the Azure CLI, then run 'az login'"),
        Arguments.argumentSet(
            "az not signed in, in a Codespace",
            context(AuthMode.AZURE_CLI, null, env("PATH", TOOLS.toString(), "CODESPACES", "true")),
            "AzureCliCredential",
            new CredentialUnavailableException(
                "AzureCliCredential authentication unavailable. Please run 'az login' to set up"
                    + " account. To further mitigate this issue, please refer to the"
                    + " troubleshooting guidelines here at https://aka.ms/x"),
            Result.UNAVAILABLE,
            "installed but not signed in",
            "run 'az login --use-device-code'"),
        Arguments.argumentSet(
            "azd not signed in",
            context(AuthMode.DEFAULT, null, env("PATH", TOOLS.toString())),
            "AzureDeveloperCliCredential",
            new CredentialUnavailableException(
                "AzureDeveloperCliCredential authentication unavailable. Please run 'azd auth"
                    + " login' to set up account."),
            Result.UNAVAILABLE,
            "installed but not signed in",
            "run 'azd auth login'"),
        Arguments.argumentSet(
            "no managed identity assigned",
            context(AuthMode.MANAGED_IDENTITY, null, env()),
            "ManagedIdentityCredential",
            new ClientAuthenticationException(
                "Managed Identity authentication failed, see inner exception for more information.",
                null,
                new IllegalStateException(
                    "[Managed Identity] Error Message: No managed identity assigned to this"
                        + " resource Managed Identity Correlation ID: fake Use this Correlation ID"
                        + " for further investigation.")),
            Result.FAILED,
            "no managed identity is assigned here",
            "run where a managed identity is assigned (Azure VM, App Service, Container Apps, AKS),"
                + " with --client-id for a user-assigned one; elsewhere choose another --auth"),
        Arguments.argumentSet(
            "token endpoint unreachable",
            context(
                AuthMode.ENVIRONMENT, null, env("AZURE_AUTHORITY_HOST", "https://login.example/")),
            "EnvironmentCredential",
            new ClientAuthenticationException(
                "failed",
                null,
                new RuntimeException(new java.net.ConnectException("Connection refused"))),
            Result.FAILED,
            "could not reach the sign-in endpoint https://login.example/ (ConnectException)",
            "check the network, a proxy (HTTPS_PROXY) and AZURE_AUTHORITY_HOST"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void diagnoses(
      AuthContext context,
      String credential,
      Throwable error,
      Result result,
      String reason,
      String nextStep) {
    Attempt attempt = Diagnosis.of(context, credential, error, Map::of);
    assertEquals(result, attempt.result());
    assertEquals(reason, attempt.reason());
    assertEquals(nextStep, attempt.nextStep());
    assertEquals(error, attempt.error());
  }

  @Test
  void federationRefusalNamesTheSubjectToFederate() {
    Attempt attempt =
        Diagnosis.of(
            context(AuthMode.GITHUB_OIDC, null, env("AZURE_CLIENT_ID", "app-1")),
            GithubOidc.CREDENTIAL,
            rejected(
                "AADSTS70021: No matching federated identity record found for presented assertion."),
            () ->
                Map.of(
                    "iss",
                    "https://token.actions.githubusercontent.com",
                    "sub",
                    "repo:o/r:ref:refs/heads/main"));
    assertEquals(
        "add a federated credential to app app-1 with issuer"
            + " https://token.actions.githubusercontent.com and subject repo:o/r:ref:refs/heads/main",
        attempt.nextStep());
  }

  @Test
  void secretsAndTokensNeverSurvive() {
    String secret = "s3cr3t~value~that~must~not~show";
    String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    Attempt attempt =
        Diagnosis.of(
            context(AuthMode.ENVIRONMENT, null, env("AZURE_CLIENT_SECRET", secret)),
            "EnvironmentCredential",
            new IllegalStateException("server said: bad client_secret=" + secret + " for " + jwt),
            Map::of);
    assertFalse(attempt.reason().contains(secret), attempt.reason());
    assertFalse(attempt.reason().contains(jwt), attempt.reason());
  }

  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.argumentSet(
            "troubleshooting link dropped",
            "IntelliJCredential",
            "IntelliJ authentication not available. Please login. Please see"
                + " https://aka.ms/azsdk/java/identity/intellijcredential/troubleshoot for more.",
            "IntelliJ authentication not available. Please login. Please see for more"),
        Arguments.argumentSet(
            "credential name dropped",
            "ManagedIdentityCredential",
            "ManagedIdentityCredential authentication unavailable. Connection to IMDS endpoint"
                + " cannot be established, Network is unreachable.",
            "Connection to IMDS endpoint cannot be established, Network is unreachable"),
        Arguments.argumentSet(
            "first line only",
            "X",
            "Something failed\r\nTrace ID: 1\r\nTimestamp: 2",
            "Something failed"),
        Arguments.argumentSet(
            "MSAL quoting a whole answer",
            "EnvironmentCredential",
            "Unknown service exception. Http request returned status code: 401 with http body:"
                + " {\"access_token\":\"opaque-token-1\"}",
            "the token endpoint's answer was not a token (its text is not shown)"),
        Arguments.argumentSet(
            "a parser quoting what it choked on",
            "ManagedIdentityCredential",
            "MSI returned 200, but the response could not be parsed: Unrecognized token"
                + " 'opaque-token-1': was expecting JSON",
            "the token endpoint's answer was not a token (its text is not shown)"),
        Arguments.argumentSet(
            "a managed identity endpoint's message",
            "ManagedIdentityCredential",
            "[Managed Identity] Error Message: No managed identity assigned to this resource",
            "no managed identity is assigned here"),
        Arguments.argumentSet("nothing left", "X", "To mitigate this issue, see", "unavailable"),
        Arguments.argumentSet("null", "X", null, "unavailable"));
  }

  private static TokenAnswers.Answer answer(int status, String aadsts, String error, boolean none) {
    return new TokenAnswers.Answer("login.example", status, status / 100 != 2, aadsts, error, none);
  }

  /** A token endpoint answered: the SDK's message (which quotes the answer) is never used. */
  static Stream<Arguments> answers() {
    String quoting =
        "AADSTS7000215: Invalid client secret opaque-token-1. Http body: opaque-token-1";
    AuthContext environment = context(AuthMode.ENVIRONMENT, null, env("AZURE_CLIENT_ID", "app-1"));
    AuthContext managed = context(AuthMode.MANAGED_IDENTITY, null, env());
    String hint =
        "run where a managed identity is assigned (Azure VM, App Service, Container Apps, AKS),"
            + " with --client-id for a user-assigned one; elsewhere choose another --auth";
    return Stream.of(
        Arguments.argumentSet(
            "an AADSTS code, in kvload's words",
            environment,
            "EnvironmentCredential",
            rejected(quoting),
            answer(401, "7000215", "invalid_client", false),
            Result.REJECTED,
            "rejected by Entra ID: AADSTS7000215: Invalid client secret provided",
            "AZURE_CLIENT_SECRET is wrong or has expired: create a new client secret for app app-1"
                + " and use its value (not its ID)"),
        Arguments.argumentSet(
            "an AADSTS code kvload does not know",
            environment,
            "EnvironmentCredential",
            rejected("AADSTS9999999: something opaque-token-1"),
            answer(400, "9999999", null, false),
            Result.REJECTED,
            "rejected by Entra ID: AADSTS9999999 (see"
                + " https://login.microsoftonline.com/error?code=9999999)",
            "check the credential's settings against app app-1 in Entra ID"),
        Arguments.argumentSet(
            "a success without a token",
            environment,
            "EnvironmentCredential",
            new ClientAuthenticationException("Unrecognized token 'opaque-token-1'", null),
            answer(200, null, null, false),
            Result.FAILED,
            "the token endpoint login.example answered HTTP 200 without a token it could read",
            "check that no proxy (HTTPS_PROXY) answers in place of"
                + " https://login.microsoftonline.com"),
        Arguments.argumentSet(
            "an OAuth error without a code",
            environment,
            "EnvironmentCredential",
            rejected("Bad request for opaque-token-1"),
            answer(400, null, "invalid_request", false),
            Result.FAILED,
            "the token endpoint login.example refused (HTTP 400, invalid_request)",
            null),
        Arguments.argumentSet(
            "no identity assigned, the chain going on",
            managed,
            "ManagedIdentityCredential",
            new CredentialUnavailableException("Identity not found: opaque-token-1"),
            answer(400, null, "invalid_request", true),
            Result.UNAVAILABLE,
            "no managed identity is assigned here",
            hint),
        Arguments.argumentSet(
            "a managed identity endpoint's refusal",
            managed,
            "ManagedIdentityCredential",
            new ClientAuthenticationException(
                "[Managed Identity] Error Message: opaque-token-1", null),
            answer(401, null, null, false),
            Result.FAILED,
            "the token endpoint login.example refused (HTTP 401)",
            hint));
  }

  @ParameterizedTest
  @MethodSource("answers")
  void explainsAnAnswerWithoutQuotingIt(
      AuthContext context,
      String credential,
      Throwable error,
      TokenAnswers.Answer answer,
      Result result,
      String reason,
      String nextStep) {
    Attempt attempt = Diagnosis.of(context, credential, error, Map::of, List.of(answer));
    assertEquals(result, attempt.result());
    assertEquals(reason, attempt.reason());
    assertEquals(nextStep, attempt.nextStep());
    assertFalse(attempt.reason().contains("opaque-token"), attempt.reason());
  }

  @ParameterizedTest
  @MethodSource("messages")
  void cleans(String credential, String message, String expected) {
    assertEquals(expected, Diagnosis.clean(message, credential));
  }
}
