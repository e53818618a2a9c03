package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kvload.fake.FakeSignIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload login}, {@code logout}, {@code status} and {@code --auth login} as a developer in a
 * Codespace meets them, against the fake's device code and refresh token grants: sign in once, then
 * every later run is silent; declined, expired and revoked sign-ins end with exit 4 and what to do.
 * Every run starts in a workspace folder that must be left as it was, with stdin not a terminal.
 */
class LoginIT {
  private static final String VALUE = "postgres://app:login-it-s3cret@db/app";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Harness h = new Harness();
  private Path workspace;
  private List<String> workspaceBefore;

  @BeforeEach
  void workspace() throws IOException {
    h.fake.put("kvload-test", "db-url", VALUE);
    workspace = Files.createDirectories(h.dir.resolve("workspace"));
    Files.writeString(
        workspace.resolve("kvload.json"),
        "{\"vault\": \""
            + h.fake.vaultUrl("kvload-test")
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
    workspaceBefore = listing(workspace);
  }

  @AfterEach
  void nothingWrittenInTheWorkspace() throws IOException {
    try {
      assertEquals(workspaceBefore, listing(workspace), "kvload wrote into the workspace");
    } finally {
      h.close();
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  /** In the workspace, as in a Codespace: no managed identity, no IMDS, no service principal. */
  private Harness.Run.Builder kvload(String... args) {
    return h.run()
        .cwd(workspace)
        .args(args)
        .env("IDENTITY_ENDPOINT", null)
        .env("IDENTITY_HEADER", null)
        .env("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:" + Harness.closedPort());
  }

  private Path loginFile() {
    return h.dir.resolve("home/.local/state/kvload/login.json");
  }

  private FakeSignIn signIn() {
    return h.fake.entra().signIn();
  }

  private Harness.Run login() {
    return kvload("login").go();
  }

  private long refreshes() {
    return signIn().grants().stream().filter("refresh_token"::equals).count();
  }

  private static void assertExit(int expected, Harness.Run run) {
    assertEquals(expected, run.exit(), run::toString);
  }

  @Test
  void loginOnceThenRunExportAndCheckAreSilentWithLoginAndDefault() throws IOException {
    signIn().next(FakeSignIn.Outcome.APPROVE, 2);
    var login = login();
    assertExit(0, login);
    String code = signIn().userCodes().getFirst();
    assertTrue(
        login
            .stderr()
            .contains(FakeSignIn.VERIFICATION_URI + " in a browser and enter the code " + code),
        login::toString);
    assertTrue(login.stderr().contains("signed in as " + FakeSignIn.USER), login::toString);
    assertTrue(login.stderr().contains(loginFile().toString()), login::toString);
    assertEquals("", login.stdout());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(loginFile())));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(loginFile().getParent())));
    assertEquals(1, signIn().deviceCodeRequests());

    for (String auth : List.of("login", "default")) {
      var run =
          kvload("run", "--auth", auth, "--", "printenv", "DATABASE_URL").valuesOnStdout().go();
      assertExit(0, run);
      assertEquals(VALUE + "\n", run.stdout(), run::toString);
      var export = kvload("export", "--auth", auth).valuesOnStdout().go();
      assertExit(0, export);
      assertEquals("export DATABASE_URL='" + VALUE + "'\n", export.stdout(), export::toString);
      var check = kvload("check", "--auth", auth).go();
      assertExit(0, check);
      assertFalse(check.stdout().contains(VALUE), check::toString);
    }
    assertEquals(1, signIn().deviceCodeRequests(), "no run asked for a device code");
    // Each of the six runs redeemed the refresh token the one before it had kept: the fake
    // refuses a refresh token used twice, so a run that did not keep its new one would fail.
    assertEquals(6, refreshes());
  }

  static Stream<Arguments> failedSignIns() {
    return Stream.of(
        Arguments.argumentSet(
            "declined on the verification page",
            FakeSignIn.Outcome.DECLINE,
            900L,
            "sign-in declined"),
        Arguments.argumentSet(
            "Entra ID says the code expired", FakeSignIn.Outcome.EXPIRE, 900L, "sign-in expired"),
        Arguments.argumentSet(
            "the code's lifetime runs out while polling",
            FakeSignIn.Outcome.APPROVE,
            2L,
            "sign-in expired"));
  }

  @ParameterizedTest
  @MethodSource("failedSignIns")
  void aFailedSignInExits4WithItsReasonAndKeepsNothing(
      FakeSignIn.Outcome outcome, long lifetime, String reason) {
    signIn().next(outcome, outcome == FakeSignIn.Outcome.APPROVE ? 1_000 : 1).expiresIn(lifetime);
    var login = login();
    assertExit(4, login);
    assertTrue(login.stderr().contains(reason), login::toString);
    assertTrue(login.stderr().contains("next step: run 'kvload login' again"), login::toString);
    assertFalse(Files.exists(loginFile()));
  }

  @Test
  void slowDownMakesLoginPollMoreSlowlyWithoutFailing() {
    signIn().slowDowns(1).next(FakeSignIn.Outcome.APPROVE, 0);
    var login = login();
    assertExit(0, login);
    assertEquals(List.of("device_code", "device_code"), signIn().grants());
  }

  /** The three ways Entra ID refuses a refresh token, as it words them. */
  static Stream<Arguments> refusedRefreshTokens() {
    return Stream.of(
        Arguments.of(
            "revoked",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is"
                + " needed. The user might have changed or reset their password.",
            "AADSTS50173: The refresh token was revoked"),
        Arguments.of(
            "expired from inactivity",
            700082,
            "The refresh token has expired due to inactivity. The token was issued on"
                + " 2026-08-01T09:00:00Z and was inactive for 90.00:00:00.",
            "AADSTS700082: The refresh token has expired due to inactivity"),
        Arguments.of(
            "password changed",
            50133,
            "Session is invalid due to expiration or recent password change.",
            "AADSTS50133: The session ended with a password change or an expiry"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedRefreshTokens")
  void aRefusedRefreshTokenEndsRunAt4NamingKvloadLoginWithOneRequest(
      String name, int aadsts, String description, String said) {
    assertExit(0, login());
    signIn().refuseRefreshTokens(aadsts, description);
    long before = refreshes();
    for (String auth : List.of("login", "default")) {
      var run = kvload("run", "--auth", auth, "--", "true").go();
      assertExit(4, run);
      assertTrue(run.stderr().contains(said), run::toString);
      assertFalse(run.stderr().contains(description), "Entra ID's own text is never quoted");
      assertTrue(
          run.stderr().contains("next step: run 'kvload login' to sign in again"), run::toString);
    }
    assertEquals(before + 2, refreshes(), "one refresh attempt per run: no retry, no prompt");
    assertEquals(1, signIn().deviceCodeRequests());
  }

  @Test
  void withoutALoginLoginModeExits4BeforeAnyRequest() {
    var run = kvload("run", "--auth", "login", "--", "true").go();
    assertExit(4, run);
    assertTrue(run.stderr().contains("no stored login (" + loginFile() + ")"), run::toString);
    assertTrue(run.stderr().contains("next step: run 'kvload login'"), run::toString);
    assertEquals(List.of(), h.fake.requests(), "nothing was asked of Entra ID or the vault");
  }

  @Test
  void logoutRemovesTheLoginSaysWhereItWasAndRunThenExits4() {
    assertExit(0, login());
    var logout = kvload("logout").go();
    assertExit(0, logout);
    assertTrue(logout.stderr().contains("signed out " + FakeSignIn.USER), logout::toString);
    assertTrue(logout.stderr().contains("removed " + loginFile()), logout::toString);
    assertFalse(Files.exists(loginFile()));
    var run = kvload("run", "--auth", "login", "--", "true").go();
    assertExit(4, run);
    assertTrue(run.stderr().contains("run 'kvload login'"), run::toString);
    var again = kvload("logout").go();
    assertExit(0, again);
    assertTrue(again.stderr().contains("nothing to remove"), again::toString);
  }

  @Test
  void statusWithAndWithoutALogin() throws IOException {
    var before = kvload("status").go();
    assertExit(0, before);
    assertTrue(before.stdout().contains("not signed in"), before::toString);
    assertTrue(before.stdout().contains(h.fake.vaultUrl("kvload-test")), before::toString);
    JsonNode none = JSON.readTree(kvload("status", "--json").go().stdout());
    assertFalse(none.at("/login/signedIn").asBoolean());
    assertEquals(loginFile().toString(), none.at("/login/file").asText());
    assertTrue(none.at("/default/credential").isNull(), none::toString);

    assertExit(0, login());
    var after = kvload("status").go();
    assertExit(0, after);
    assertTrue(after.stdout().contains("signed in as " + FakeSignIn.USER), after::toString);
    assertTrue(after.stdout().contains("--auth default here: kvload login"), after::toString);
    JsonNode json = JSON.readTree(kvload("status", "--json").go().stdout());
    assertTrue(json.at("/login/signedIn").asBoolean());
    assertEquals(FakeSignIn.USER, json.at("/login/user").asText());
    assertEquals(dev.kvload.fake.FakeAzure.TENANT, json.at("/login/tenant").asText());
    assertNotNull(json.at("/login/refreshTokenLastUsed").textValue());
    assertEquals("kvload login", json.at("/default/credential").asText());
    assertEquals(
        List.of(h.fake.vaultUrl("kvload-test")),
        JSON.convertValue(json.at("/manifest/vaults"), List.class));
  }

  @Test
  void statusWithoutAManifestSaysSoAndSucceeds() throws IOException {
    Path empty = Files.createDirectories(h.dir.resolve("elsewhere"));
    var status = kvload("status", "--json").cwd(empty).go();
    assertExit(0, status);
    JsonNode json = JSON.readTree(status.stdout());
    assertTrue(json.at("/manifest/file").isNull());
    assertTrue(json.at("/manifest/problem").asText().contains("no manifest"), json::toString);
  }

  @Test
  void inACodespaceDefaultsFailureLeadsWithKvloadLogin() {
    var run = kvload("run", "--", "true").env("CODESPACES", "true").go();
    assertExit(4, run);
    assertTrue(run.stderr().contains("next step: run 'kvload login'"), run::toString);
    assertTrue(run.stderr().contains("kvload login: no stored login"), run::toString);
  }

  @Test
  void aLoginFileOthersCouldReadIsRefused() throws IOException {
    assertExit(0, login());
    Files.setPosixFilePermissions(loginFile(), PosixFilePermissions.fromString("rw-r--r--"));
    var run = kvload("run", "--auth", "login", "--", "true").go();
    assertExit(4, run);
    assertTrue(run.stderr().contains("is open to other users (mode 0644)"), run::toString);
    assertEquals(0, refreshes(), "the refresh token was not used");
  }

  @Test
  void aLoginFolderOthersCanEnterIsRefusedBeforeAnyPrompt() throws IOException {
    Path folder = Files.createDirectories(loginFile().getParent());
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    var login = login();
    assertExit(7, login);
    assertTrue(login.stderr().contains("is open to other users (mode 0755)"), login::toString);
    assertEquals(0, signIn().deviceCodeRequests());
  }

  @Test
  void aVerificationPromptWithTerminalControlsIsNotPrinted() {
    signIn().userCode("AB\u001b]0;pwned\u0007CD");
    var login = login();
    assertExit(4, login);
    assertFalse(login.stderr().contains("\u001b"), login::toString);
    assertTrue(login.stderr().contains("will not print"), login::toString);
    assertFalse(Files.exists(loginFile()));
  }

  @Test
  void stdinThatNeverEndsBlocksNeitherLoginNorRun() throws Exception {
    Path fifo = h.dir.resolve("stdin.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertEquals(0, mkfifo.waitFor());
    // Opened read-write, the FIFO never reaches end of file: a read of stdin would wait forever.
    String[] open = {"sh", "-c", "exec 0<>\"$0\"; exec \"$@\"", fifo.toString()};
    var login = kvload("login").via(open).go();
    assertExit(0, login);
    var run =
        kvload("run", "--auth", "login", "--", "printenv", "DATABASE_URL")
            .via(open)
            .valuesOnStdout()
            .go();
    assertExit(0, run);
    assertEquals(VALUE + "\n", run.stdout());
  }
}
