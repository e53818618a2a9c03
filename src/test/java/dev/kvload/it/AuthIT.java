package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.Blackhole;
import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.FakeEntra;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Every {@code --auth} mode against the fakes, succeeding and failing: Entra ID's token endpoint,
 * the GitHub Actions ID-token endpoint, the App Service managed identity endpoint and a fake {@code
 * az}, all reached through environment variables only.
 *
 * <p>Tests that spend most of their time waiting (for an IMDS whose connects hang) run beside the
 * others ({@code @Execution(CONCURRENT)}); the rest run one at a time.
 */
class AuthIT {
  private static final String VALUE = "postgres://app:auth-it-s3cret@db/app";

  /** Well under the default 30 s --timeout, with room for a loaded machine. */
  private static final Duration CLEAR_FAILURE = Duration.ofSeconds(20);

  private static final String K8S_SUBJECT = "system:serviceaccount:default:kvload";

  private final Harness h = new Harness();

  @BeforeEach
  void manifest() {
    h.oneSecret(VALUE);
  }

  @AfterEach
  void close() {
    h.close();
  }

  /** An environment with no credential of any kind: no managed identity endpoint, no IMDS. */
  private Harness.Run.Builder bare(String... args) {
    return h.run()
        .args(args)
        .env("IDENTITY_ENDPOINT", null)
        .env("IDENTITY_HEADER", null)
        .env("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:" + Harness.closedPort());
  }

  private Harness.Run.Builder servicePrincipal(FakeEntra.App app, String... args) {
    return bare(args)
        .env("AZURE_CLIENT_ID", app.clientId())
        .env("AZURE_TENANT_ID", app.tenant())
        .env("AZURE_CLIENT_SECRET", app.secret());
  }

  private static void assertExported(Harness.Run run) {
    assertEquals(0, run.exit(), run::toString);
    assertEquals("export DATABASE_URL='" + VALUE + "'\n", run.stdout(), run::toString);
  }

  /** Inside a job the output also holds the mask and the stop region, as sh comments. */
  private static void assertExportedInAJob(Harness.Run run) {
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stdout().startsWith("# ##[add-mask]" + VALUE + "\n"), run::toString);
    assertEquals(
        "export DATABASE_URL='" + VALUE + "'\n",
        run.stdout()
            .lines()
            .filter(l -> !l.startsWith("#"))
            .map(l -> l + "\n")
            .findFirst()
            .orElse(""),
        run::toString);
  }

  /**
   * Exit 4, soon, naming the credential and the next step, with no stack trace. (No token, secret
   * or assertion is on stderr: the harness checks that after every run.)
   */
  private static void assertAuthFailure(Harness.Run run, String credential, String nextStep) {
    assertEquals(4, run.exit(), run::toString);
    assertTrue(run.took().compareTo(CLEAR_FAILURE) < 0, run::toString);
    assertTrue(run.stderr().contains(credential), run::toString);
    assertTrue(run.stderr().contains("next step: "), run::toString);
    assertTrue(run.stderr().contains(nextStep), run::toString);
    assertFalse(run.stderr().contains("\tat ") || run.stderr().contains("  at "), run::toString);
    assertFalse(run.stderr().contains("Exception"), run::toString);
    assertEquals("", run.stdout(), run::toString);
  }

  /** Only the token endpoint and the vault were asked: no instance discovery, no metadata. */
  private void assertOnlyTokenAndVaultRequests() {
    for (FakeAzure.Request r : h.fake.requests()) {
      assertTrue(
          r.path().equals("/" + FakeAzure.TENANT + "/oauth2/v2.0/token")
              || r.path().startsWith("/secrets/")
              || r.path().equals("/github/idtoken"),
          () -> "unexpected request " + r);
    }
  }

  // --- environment ---------------------------------------------------------------------------

  @Test
  void environmentWithClientSecret() {
    FakeEntra.App app = h.fake.entra().register().withSecret();
    var run = servicePrincipal(app, "export", "--auth", "environment").valuesOnStdout().go();
    assertExported(run);
    assertEquals(1, h.fake.tokenRequests());
    assertOnlyTokenAndVaultRequests();
  }

  @Test
  void environmentWithClientCertificate() {
    FakeEntra.App app = h.fake.entra().register().withCertificate(Harness.TLS.clientX509());
    var run =
        bare("export", "--auth", "environment")
            .env("AZURE_CLIENT_ID", app.clientId())
            .env("AZURE_TENANT_ID", app.tenant())
            .env("AZURE_CLIENT_CERTIFICATE_PATH", Harness.TLS.clientCertificate().toString())
            .env("AZURE_CLIENT_CERTIFICATE_PASSWORD", dev.kvload.fake.TestTls.CLIENT_PASSWORD)
            .valuesOnStdout()
            .go();
    assertExported(run);
    assertOnlyTokenAndVaultRequests();
  }

  @Test
  void environmentWithWrongSecretIsRejected() {
    FakeEntra.App app = h.fake.entra().register().withSecret();
    var run =
        servicePrincipal(app, "export", "--auth", "environment")
            .env("AZURE_CLIENT_SECRET", "not~the~secret~" + app.clientId())
            .go();
    assertAuthFailure(run, "EnvironmentCredential", "AZURE_CLIENT_SECRET is wrong or has expired");
    assertTrue(run.stderr().contains("Entra ID rejected"), run::toString);
    assertTrue(run.stderr().contains("AADSTS7000215"), run::toString);
    assertFalse(run.stderr().contains("not~the~secret~"), run::toString);
    assertEquals(1, h.fake.tokenRequests(), "a rejected secret is not retried");
  }

  @Test
  void environmentNotConfiguredFailsBeforeAnyRequest() {
    var run = bare("export", "--auth", "environment").go();
    assertAuthFailure(
        run,
        "EnvironmentCredential",
        "set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET");
    assertEquals(List.of(), h.fake.requests());
  }

  @Test
  void environmentModeNeverTriesAnotherCredential() {
    FakeEntra.App app = h.fake.entra().register().withSecret();
    Path bin = fakeAz(loggedIn(h.fake.issueToken()));
    var run =
        h.run()
            .args("export", "--auth", "environment")
            .env("AZURE_CLIENT_ID", app.clientId())
            .env("AZURE_TENANT_ID", app.tenant())
            .env("AZURE_CLIENT_SECRET", "wrong")
            .env("PATH", bin + ":/usr/local/bin:/usr/bin:/bin")
            .go();
    assertEquals(4, run.exit(), run::toString);
    assertFalse(Files.exists(bin.resolve("az.log")), "az was run");
    assertTrue(
        h.fake.requests().stream().noneMatch(r -> r.path().equals("/msi/token")),
        "the managed identity endpoint was asked");
  }

  @Test
  void otherTenantIsExplained() {
    FakeEntra.App app = h.fake.entra().register().withSecret();
    var run =
        servicePrincipal(
                app, "export", "--auth", "environment", "--tenant-id", FakeEntra.OTHER_TENANT)
            .go();
    assertAuthFailure(run, "EnvironmentCredential", "pass --tenant-id " + FakeAzure.TENANT);
    assertTrue(
        run.stderr()
            .contains(
                "the vault belongs to tenant "
                    + FakeAzure.TENANT
                    + ", but --tenant-id is "
                    + FakeEntra.OTHER_TENANT),
        run::toString);
    assertFalse(run.stderr().contains("AdditionallyAllowedTenants"), run::toString);
  }

  @Test
  void oneTokenForTwoVaults() {
    FakeEntra.App app = h.fake.entra().register().withSecret();
    h.fake.put("kvload-other", "api-key", "other-vault-s3cret");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl("kvload-test")
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\", \"API_KEY\": {\"secret\":"
            + " \"api-key\", \"vault\": \""
            + h.fake.vaultUrl("kvload-other")
            + "\"}}}");
    var run = servicePrincipal(app, "export", "--auth", "environment").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stderr().contains("loaded 2 secrets from 2 vaults"), run::toString);
    assertEquals(1, h.fake.tokenRequests(), "one token per run and tenant");
  }

  @Test
  void tokenFineButVaultForbidsIsExitFive() {
    FakeEntra.App app = h.fake.entra().register().withSecret();
    h.fake.behave(
        "kvload-test",
        "db-url",
        r ->
            FakeAzure.Reply.status(
                403, FakeAzure.error("Forbidden", "Caller is not authorized to perform action")));
    var run = servicePrincipal(app, "export", "--auth", "environment").go();
    assertEquals(5, run.exit(), run::toString);
    assertTrue(run.stderr().contains("Key Vault Secrets User"), run::toString);
  }

  // --- workload identity ----------------------------------------------------------------------

  /** A pod with workload identity: the app, and a token file the webhook would mount. */
  private Harness.Run.Builder pod(FakeEntra.App app, Path tokenFile) {
    return bare("export", "--auth", "workload-identity")
        .env("AZURE_CLIENT_ID", app.clientId())
        .env("AZURE_TENANT_ID", app.tenant())
        .env("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
  }

  /** A Kubernetes service account token for {@code subject}, as the kubelet writes it. */
  private Path serviceAccountToken(String subject) {
    return h.write(
        "tokens/" + subject.replace(':', '-'),
        h.fake
            .entra()
            .mint(
                FakeEntra.KUBERNETES_ISSUER,
                subject,
                FakeEntra.EXCHANGE_AUDIENCE,
                Duration.ofHours(1)));
  }

  @Test
  void workloadIdentity() {
    FakeEntra.App app =
        h.fake.entra().register().federate(FakeEntra.KUBERNETES_ISSUER, K8S_SUBJECT);
    var run = pod(app, serviceAccountToken(K8S_SUBJECT)).valuesOnStdout().go();
    assertExported(run);
    assertOnlyTokenAndVaultRequests();
  }

  @Test
  void workloadIdentityWithoutTokenFile() {
    FakeEntra.App app =
        h.fake.entra().register().federate(FakeEntra.KUBERNETES_ISSUER, K8S_SUBJECT);
    Path missing = h.dir.resolve("no-such-dir/azure-identity-token");
    var run = pod(app, missing).go();
    assertAuthFailure(run, "WorkloadIdentityCredential", "check AZURE_FEDERATED_TOKEN_FILE");
    assertTrue(
        run.stderr()
            .contains("cannot read the federated token file " + missing + " (no such file)"),
        run::toString);
  }

  @Test
  void workloadIdentityWithUnfederatedSubjectIsRejected() {
    FakeEntra.App app =
        h.fake.entra().register().federate(FakeEntra.KUBERNETES_ISSUER, K8S_SUBJECT);
    String other = "system:serviceaccount:default:someone-else";
    var run = pod(app, serviceAccountToken(other)).go();
    assertAuthFailure(
        run,
        "WorkloadIdentityCredential",
        "add a federated credential to app "
            + app.clientId()
            + " with issuer "
            + FakeEntra.KUBERNETES_ISSUER
            + " and subject "
            + other);
    assertTrue(run.stderr().contains("AADSTS70021"), run::toString);
  }

  // --- managed identity -----------------------------------------------------------------------

  @Test
  void managedIdentity() {
    var run = h.run().args("export", "--auth", "managed-identity").valuesOnStdout().go();
    assertExported(run);
  }

  @Test
  void userAssignedManagedIdentity() {
    String clientId = "6f1c8b2e-0000-4000-8000-0000000000aa";
    var run =
        h.run()
            .args("export", "--auth", "managed-identity", "--client-id", clientId)
            .valuesOnStdout()
            .go();
    assertExported(run);
    assertTrue(
        h.fake.requests().stream()
            .anyMatch(
                r -> r.path().equals("/msi/token") && r.query().contains("client_id=" + clientId)),
        () -> h.fake.requests().toString());
  }

  @Test
  void managedIdentityNotAssigned() {
    h.fake.identityAvailable(false);
    var run = h.run().args("export", "--auth", "managed-identity").go();
    assertAuthFailure(run, "ManagedIdentityCredential", "managed identity");
  }

  @Test
  void managedIdentityWhereImdsRefuses() {
    var run = bare("export", "--auth", "managed-identity").go();
    assertAuthFailure(run, "ManagedIdentityCredential", "run where a managed identity is assigned");
    assertTrue(run.stderr().contains("is not reachable (Connection refused)"), run::toString);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void managedIdentityWhereImdsConnectsHang() {
    try (Blackhole imds = new Blackhole()) {
      var run =
          bare("export", "--auth", "managed-identity")
              .env("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds.url())
              .go();
      assertAuthFailure(
          run, "ManagedIdentityCredential", "run where a managed identity is assigned");
      assertTrue(run.stderr().contains("did not answer within 2000 ms"), run::toString);
    }
  }

  // --- Azure CLI ------------------------------------------------------------------------------

  @Test
  void azureCli() {
    Path bin = fakeAz(loggedIn(h.fake.issueToken()));
    var run =
        bare("export", "--auth", "azure-cli")
            .env("PATH", bin + ":/usr/local/bin:/usr/bin:/bin")
            .valuesOnStdout()
            .go();
    assertExported(run);
    String args = read(bin.resolve("az.log"));
    assertTrue(
        args.contains("account get-access-token --output json --resource https://vault.azure.net"),
        args);
    // Asked once, early, without a tenant: the token turns out to be issued in the vault's tenant
    // (its tid claim), so the challenge's request for that tenant needs no second az process.
    assertEquals(1, args.lines().filter(l -> l.contains("get-access-token")).count(), args);
  }

  @Test
  void azureCliNotSignedIn() {
    Path bin = fakeAz(notLoggedIn());
    var run =
        bare("export", "--auth", "azure-cli")
            .env("PATH", bin + ":/usr/local/bin:/usr/bin:/bin")
            .go();
    assertAuthFailure(run, "AzureCliCredential", "run 'az login'");
    assertTrue(run.stderr().contains("not signed in"), run::toString);
  }

  // --- GitHub Actions OIDC --------------------------------------------------------------------

  private Harness.Run.Builder githubJob(FakeEntra.App app, String... args) {
    return bare(args)
        .env(h.fake.githubActionsEnv())
        .env("AZURE_CLIENT_ID", app.clientId())
        .env("AZURE_TENANT_ID", app.tenant());
  }

  @Test
  void githubOidc() {
    FakeEntra.App app =
        h.fake.entra().register().federate(FakeEntra.GITHUB_ISSUER, h.fake.githubSubject());
    var run = githubJob(app, "export", "--auth", "github-oidc").valuesOnStdout().go();
    assertExportedInAJob(run);
    assertEquals(1, h.fake.idTokenRequests(), "one ID token for one Entra token");
    assertEquals(1, h.fake.tokenRequests());
    assertOnlyTokenAndVaultRequests();
  }

  @Test
  void githubOidcWithFlagsInsteadOfVariables() {
    FakeEntra.App app =
        h.fake.entra().register().federate(FakeEntra.GITHUB_ISSUER, h.fake.githubSubject());
    var run =
        bare("export", "--auth", "github-oidc")
            .args("--client-id", app.clientId(), "--tenant-id", app.tenant())
            .env(h.fake.githubActionsEnv())
            .valuesOnStdout()
            .go();
    assertExportedInAJob(run);
  }

  @Test
  void githubOidcWhenTheEndpointRefuses() {
    FakeEntra.App app =
        h.fake.entra().register().federate(FakeEntra.GITHUB_ISSUER, h.fake.githubSubject());
    h.fake.githubRefuses(403);
    var run = githubJob(app, "export", "--auth", "github-oidc").go();
    assertAuthFailure(run, "GitHub Actions OIDC", "re-run the job");
    assertTrue(run.stderr().contains("refused the request (HTTP 403)"), run::toString);
    assertEquals(0, h.fake.tokenRequests(), "nothing to exchange");
  }

  @Test
  void githubOidcWithoutFederatedCredential() {
    FakeEntra.App app =
        h.fake.entra().register().federate(FakeEntra.GITHUB_ISSUER, "repo:x/y:ref:z");
    var run = githubJob(app, "export", "--auth", "github-oidc").go();
    assertAuthFailure(
        run,
        "GitHub Actions OIDC",
        "add a federated credential to app "
            + app.clientId()
            + " with issuer "
            + FakeEntra.GITHUB_ISSUER
            + " and subject "
            + h.fake.githubSubject());
  }

  @Test
  void githubOidcOutsideActionsFailsAtOnce() {
    FakeEntra.App app = h.fake.entra().register();
    var run =
        bare("export", "--auth", "github-oidc")
            .env("AZURE_CLIENT_ID", app.clientId())
            .env("AZURE_TENANT_ID", app.tenant())
            .go();
    assertAuthFailure(run, "GitHub Actions OIDC", "works only inside GitHub Actions");
    assertTrue(run.stderr().contains("not running in a GitHub Actions job"), run::toString);
    assertEquals(List.of(), h.fake.requests(), "failed before any request");
  }

  /**
   * $KVLOAD_AUTH picks the mode when --auth does not; --auth wins; a bad value is a usage error.
   */
  @Test
  void kvloadAuthChoosesTheModeAndAuthOverridesIt() {
    var fromEnv = bare("export").env("KVLOAD_AUTH", "github-oidc").go();
    assertAuthFailure(fromEnv, "GitHub Actions OIDC", "works only inside GitHub Actions");
    var overridden =
        h.run()
            .args("export", "--auth", "managed-identity", "--format", "dotenv")
            .env("KVLOAD_AUTH", "github-oidc")
            .valuesOnStdout()
            .go();
    assertEquals(0, overridden.exit(), overridden::toString);
    assertEquals("DATABASE_URL=\"" + VALUE + "\"\n", overridden.stdout());
    var bad = h.run().args("export").env("KVLOAD_AUTH", "magic").go();
    assertEquals(2, bad.exit(), bad::toString);
    assertTrue(bad.stderr().contains("KVLOAD_AUTH"), bad::toString);
  }

  @Test
  void githubOidcWithoutIdTokenPermission() {
    FakeEntra.App app = h.fake.entra().register();
    var run =
        bare("export", "--auth", "github-oidc")
            .env("GITHUB_ACTIONS", "true")
            .env("AZURE_CLIENT_ID", app.clientId())
            .env("AZURE_TENANT_ID", app.tenant())
            .go();
    assertAuthFailure(run, "GitHub Actions OIDC", "permissions: id-token: write");
    assertEquals(List.of(), h.fake.requests(), "failed before any request");
  }

  // --- default --------------------------------------------------------------------------------

  @Test
  void defaultFindsTheServicePrincipalFirst() {
    FakeEntra.App app = h.fake.entra().register().withSecret();
    Path bin = fakeAz(loggedIn(h.fake.issueToken()));
    var run =
        servicePrincipal(app, "export", "--auth", "default")
            .env("PATH", bin + ":/usr/local/bin:/usr/bin:/bin")
            .valuesOnStdout()
            .go();
    assertExported(run);
    assertFalse(Files.exists(bin.resolve("az.log")), "az was run after a working credential");
  }

  @Test
  void defaultFallsThroughToTheAzureCli() {
    Path bin = fakeAz(loggedIn(h.fake.issueToken()));
    var run =
        bare("export").env("PATH", bin + ":/usr/local/bin:/usr/bin:/bin").valuesOnStdout().go();
    assertExported(run);
    assertTrue(Files.exists(bin.resolve("az.log")), "az was not run");
  }

  @Test
  void defaultHonoursAzureTokenCredentials() {
    Path bin = fakeAz(loggedIn(h.fake.issueToken()));
    var run =
        h.run()
            .args("export")
            .env("AZURE_TOKEN_CREDENTIALS", "prod")
            .env("IDENTITY_ENDPOINT", null)
            .env("IDENTITY_HEADER", null)
            .env("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:" + Harness.closedPort())
            .env("PATH", bin + ":/usr/local/bin:/usr/bin:/bin")
            .go();
    assertAuthFailure(run, "ManagedIdentityCredential", "next step");
    assertFalse(run.stderr().contains("AzureCliCredential"), run::toString);
    assertFalse(Files.exists(bin.resolve("az.log")), "prod must not run az");
  }

  @Test
  void defaultRejectsAnAzureTokenCredentialsValueTheSdkRejects() {
    var run = bare("export").env("AZURE_TOKEN_CREDENTIALS", "bogus").go();
    assertAuthFailure(
        run, "AZURE_TOKEN_CREDENTIALS is 'bogus'", "set AZURE_TOKEN_CREDENTIALS to prod, dev");
    assertEquals(List.of(), h.fake.requests());
  }

  @Test
  void anAuthorityHostThatIsNotHttpsIsRefusedAtOnce() {
    var run = bare("export").env("AZURE_AUTHORITY_HOST", "http://127.0.0.1:1/").go();
    assertAuthFailure(run, "AZURE_AUTHORITY_HOST is not an https URL", "set it to your cloud's");
    assertEquals(List.of(), h.fake.requests());
  }

  @Test
  void defaultWithNoCredentialAtAll() {
    Path bin = fakeAz(notLoggedIn());
    var run = bare("export").env("PATH", bin + ":/usr/local/bin:/usr/bin:/bin").go();
    assertAuthFailure(run, "no credential available (--auth default)", "run 'az login'");
    for (String credential :
        List.of(
            "EnvironmentCredential: not configured",
            "WorkloadIdentityCredential: not configured",
            "ManagedIdentityCredential: no managed identity endpoint",
            "kvload login: no stored login",
            "IntelliJCredential",
            "VisualStudioCodeCredential",
            "AzureCliCredential: installed but not signed in",
            "AzurePowerShellCredential",
            "AzureDeveloperCliCredential")) {
      assertTrue(run.stderr().contains(credential), () -> credential + "\n" + run);
    }
    assertEquals(11, run.stderr().lines().count(), run::toString);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void defaultWithNoCredentialWhereImdsConnectsHang() {
    try (Blackhole imds = new Blackhole()) {
      Instant start = Instant.now();
      var run = bare("export").env("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds.url()).go();
      assertAuthFailure(run, "no credential available (--auth default)", "az login");
      assertTrue(run.stderr().contains("did not answer within 500 ms"), run::toString);
      assertTrue(Duration.between(start, Instant.now()).compareTo(CLEAR_FAILURE) < 0);
    }
  }

  @Test
  void verboseShowsTheSdkTraceButNoSecret() {
    FakeEntra.App app = h.fake.entra().register().withSecret();
    var run =
        servicePrincipal(app, "export", "--auth", "environment", "-v")
            .env("AZURE_CLIENT_SECRET", "wrong-secret-value-123")
            .go();
    assertEquals(4, run.exit(), run::toString);
    assertTrue(run.stderr().contains("kvload:     at "), run::toString);
    assertFalse(run.stderr().contains("wrong-secret-value-123"), run::toString);
  }

  // --- helpers --------------------------------------------------------------------------------

  private Path fakeAz(String script) {
    try {
      Path bin = Files.createDirectories(h.dir.resolve("bin"));
      Path az = bin.resolve("az");
      Files.writeString(az, script);
      Files.setPosixFilePermissions(az, PosixFilePermissions.fromString("rwxr-xr-x"));
      return bin;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A signed-in {@code az}: logs its arguments, prints a token the fake vault accepts. */
  private static String loggedIn(String token) {
    long expires = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
    return "#!/bin/sh\n"
        + "echo \"$*\" >> \"$(dirname \"$0\")/az.log\"\n"
        + "cat <<'JSON'\n"
        + "{\"accessToken\": \""
        + token
        + "\", \"expiresOn\": \"2099-01-01 00:00:00.000000\", \"expires_on\": "
        + expires
        + ", \"subscription\": \"00000000-0000-0000-0000-000000000001\", \"tenant\": \""
        + FakeAzure.TENANT
        + "\", \"tokenType\": \"Bearer\"}\n"
        + "JSON\n";
  }

  /** {@code az} as it answers before {@code az login}. */
  private static String notLoggedIn() {
    return "#!/bin/sh\n"
        + "echo \"$*\" >> \"$(dirname \"$0\")/az.log\"\n"
        + "echo \"ERROR: Please run 'az login' to setup account.\" >&2\n"
        + "exit 1\n";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
