package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvload.fake.FakeAzure;
import dev.kvload.manifest.SchemaTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload import} end to end: the real launcher against the fake vault. Every value of every
 * dotenv file here is registered with the harness, so a value on stdout or stderr of any run fails
 * the test.
 */
class ImportIT {
  private static final String VAULT = "kvload-test";

  /** Written so that each needs the reader's rules, and each comes back byte for byte. */
  private static final String AWKWARD_FILE =
      """
      # the app's secrets, as they sat in the repository
      MULTILINE="-----BEGIN KEY-----\\nMIIB+/=\\n-----END KEY-----\\n"
      PEM_LINES='-----BEGIN CERT-----
      MIIC+/=
      -----END CERT-----'
      QUOTES="it's \\"both\\" kinds"
      DOLLAR='$HOME ${PATH} $(id) `id`'
      HASH="pa#ss # not a comment"   # but this is one
      EQUALS=a=b==c
      UTF8=héllo ✓ 日本語 🔑
      EMPTY=
      BACKSLASH="C:\\\\temp\\\\new \\\\\\\\ end\\\\"
      SPACES="  padded value  "
      __proto__=proto-value-x1
      export EXPORTED=exported-value-9
      """;

  private static final Map<String, String> AWKWARD = new LinkedHashMap<>();

  static {
    AWKWARD.put("MULTILINE", "-----BEGIN KEY-----\nMIIB+/=\n-----END KEY-----\n");
    AWKWARD.put("PEM_LINES", "-----BEGIN CERT-----\nMIIC+/=\n-----END CERT-----");
    AWKWARD.put("QUOTES", "it's \"both\" kinds");
    AWKWARD.put("DOLLAR", "$HOME ${PATH} $(id) `id`");
    AWKWARD.put("HASH", "pa#ss # not a comment");
    AWKWARD.put("EQUALS", "a=b==c");
    AWKWARD.put("UTF8", "héllo ✓ 日本語 🔑");
    AWKWARD.put("EMPTY", "");
    AWKWARD.put("BACKSLASH", "C:\\temp\\new \\\\ end\\");
    AWKWARD.put("SPACES", "  padded value  ");
    AWKWARD.put("__proto__", "proto-value-x1");
    AWKWARD.put("EXPORTED", "exported-value-9");
  }

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
    removeTree(h.dir);
  }

  /** Removes a test's folder and everything in it, links never followed. */
  static void removeTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String vault() {
    return h.fake.vaultUrl(VAULT);
  }

  /** Writes a dotenv file whose values the harness then guards. */
  private Path dotenv(String text, String... values) {
    h.guard(List.of(values));
    return h.write(".env", text);
  }

  private Harness.Run kvload(String... args) {
    return h.run().args(args).env("GIT_CONFIG_NOSYSTEM", "1").go();
  }

  private List<FakeAzure.Request> puts() {
    return h.fake.requests().stream().filter(r -> r.method().equals("PUT")).toList();
  }

  private Path manifest() {
    return h.dir.resolve("kvload.json");
  }

  /** The manifest passes kvload validate (as a process) and the JSON schema. */
  private void valid(Path manifest) throws IOException {
    var validate = kvload("validate", "-m", manifest.toString());
    assertEquals(0, validate.exit(), validate::toString);
    assertEquals(List.of(), SchemaTest.schemaErrors(Files.readString(manifest)));
  }

  @Test
  void awkwardValuesRoundTripThroughTheVaultIntoRun() throws IOException {
    dotenv(AWKWARD_FILE, AWKWARD.values().toArray(String[]::new));
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(0, run.exit(), run::toString);
    for (String variable : AWKWARD.keySet()) {
      String secret = variable.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
      assertTrue(run.stdout().contains(variable), run.stdout());
      List<FakeAzure.Version> versions = h.fake.versions(VAULT, secret);
      assertEquals(1, versions.size(), secret);
      assertEquals(AWKWARD.get(variable), versions.getFirst().value(), secret);
      FakeAzure.Written written = h.fake.written(versions.getFirst().id());
      assertEquals("text/plain", written.contentType());
      assertEquals(Map.of("imported-by", "kvload"), written.tags());
    }
    valid(manifest());

    List<String> command = new ArrayList<>(List.of("run", "--", "printenv", "-0"));
    command.addAll(AWKWARD.keySet());
    var printed = h.run().args(command.toArray(String[]::new)).valuesOnStdout().go();
    assertEquals(0, printed.exit(), printed::toString);
    String[] values = printed.stdout().split("\0", -1);
    Map<String, String> got = new LinkedHashMap<>();
    int i = 0;
    for (String variable : AWKWARD.keySet()) {
      got.put(variable, values[i++]);
    }
    assertEquals(AWKWARD, got);
  }

  @Test
  void aDryRunPrintsThePlanAndChangesNothing() throws IOException {
    h.fake.put(VAULT, "same-one", "unchanged-value-1");
    h.fake.put(VAULT, "other-one", "old-value-in-vault");
    Path file =
        dotenv(
            "NEW_ONE=brand-new-value\nSAME_ONE=unchanged-value-1\nOTHER_ONE=new-value-for-it\n",
            "brand-new-value",
            "unchanged-value-1",
            "new-value-for-it");
    String before = Files.readString(file);
    var run = kvload("import", ".env", "--vault", vault(), "--dry-run", "--remove");
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stdout().contains("NEW_ONE    ->  new-one    new"), run.stdout());
    assertTrue(
        run.stdout().contains("SAME_ONE   ->  same-one   holds this value already"), run.stdout());
    assertTrue(
        run.stdout().contains("OTHER_ONE  ->  other-one  holds another value: refused without"),
        run.stdout());
    assertTrue(run.stdout().contains("kvload.json: would be created"), run.stdout());
    assertTrue(run.stdout().contains("dry run: nothing was written"), run.stdout());
    assertEquals(List.of(), puts());
    assertFalse(Files.exists(manifest()));
    assertEquals(before, Files.readString(file));
  }

  @Test
  void importingTheSameValuesAgainWritesNothing() throws IOException {
    dotenv(
        "DATABASE_URL=postgres://app:pw-4711@db/app\nAPI_KEY=ak-0815-xyz\n",
        "postgres://app:pw-4711@db/app",
        "ak-0815-xyz");
    var first = kvload("import", ".env", "--vault", vault());
    assertEquals(0, first.exit(), first::toString);
    assertEquals(2, puts().size());
    String manifest = Files.readString(manifest());
    var again = kvload("import", ".env", "--vault", vault());
    assertEquals(0, again.exit(), again::toString);
    assertEquals(2, puts().size(), "no new write");
    assertTrue(again.stdout().contains("0 written, 2 unchanged"), again.stdout());
    assertTrue(again.stdout().contains("kvload.json: unchanged"), again.stdout());
    assertEquals(manifest, Files.readString(manifest()));
    assertEquals(1, h.fake.versions(VAULT, "api-key").size());
  }

  @Test
  void anotherValueInTheVaultIsRefusedWithoutOverwrite() throws IOException {
    FakeAzure.Version old = h.fake.put(VAULT, "api-key", "old-api-key-value");
    dotenv(
        "API_KEY=new-api-key-value\nOTHER=other-value-1\n", "new-api-key-value", "other-value-1");
    var refused = kvload("import", ".env", "--vault", vault());
    assertEquals(7, refused.exit(), refused::toString);
    assertTrue(
        refused.stderr().contains("API_KEY (api-key): its secret holds another value"),
        refused.stderr());
    assertTrue(refused.stderr().contains("nothing was written"), refused.stderr());
    assertEquals(List.of(), puts(), "not even the secret without a conflict");
    assertFalse(Files.exists(manifest()));

    var overwritten = kvload("import", ".env", "--vault", vault(), "--overwrite");
    assertEquals(0, overwritten.exit(), overwritten::toString);
    List<FakeAzure.Version> versions = h.fake.versions(VAULT, "api-key");
    assertEquals(List.of(old.id()), List.of(versions.getFirst().id()), "the old version is kept");
    assertEquals(2, versions.size());
    assertEquals("new-api-key-value", versions.getLast().value());
    assertTrue(h.fake.requests().stream().noneMatch(r -> r.method().equals("DELETE")));
  }

  @Test
  void collidingNamesFailBeforeAnyRequest() {
    dotenv(
        "DB_URL=first-db-value\nOTHER=x-value-2\ndb_url=second-db-value\n",
        "first-db-value",
        "second-db-value",
        "x-value-2");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(2, run.exit(), run::toString);
    assertTrue(
        run.stderr().contains(".env:1: DB_URL and .env:3: db_url would both be secret 'db-url'"),
        run.stderr());
    assertEquals(List.of(), h.fake.requests(), "not even a token was asked for");
  }

  @Test
  void unreadableLinesFailBeforeAnyRequest() {
    dotenv(
        "GOOD=good-value-1\nexport BAD-NAME=bad-value-2\nOPEN=\"never closed-3\nREST=rest-4\n",
        "good-value-1",
        "bad-value-2",
        "never closed-3",
        "rest-4");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(2, run.exit(), run::toString);
    assertTrue(
        run.stderr().contains(".env:2:8: 'BAD-NAME' is not a valid variable name"), run.stderr());
    assertTrue(
        run.stderr().contains(".env:3:6: the double-quoted value that starts here is never closed"),
        run.stderr());
    assertEquals(List.of(), h.fake.requests());
  }

  @Test
  void aValueTooLargeForKeyVaultFailsBeforeAnyRequest() {
    String huge = "x".repeat(30_000);
    dotenv("SMALL=small-value-1\nHUGE=" + huge + "\n", "small-value-1", huge);
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(2, run.exit(), run::toString);
    assertTrue(run.stderr().contains(".env:2:1: HUGE's value is 30000 bytes"), run.stderr());
    assertEquals(List.of(), h.fake.requests());
  }

  @Test
  void aTrackedDotenvSaysLoudlyToRotate() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/git")), "git is installed");
    dotenv("DATABASE_URL=committed-password-1\n", "committed-password-1");
    git("init", "-q", ".");
    git("add", ".env");
    git("commit", "-qm", "config");
    var dry = kvload("import", ".env", "--vault", vault(), "--dry-run");
    assertEquals(0, dry.exit(), dry::toString);
    assertTrue(
        dry.stderr().contains("WARNING: .env is tracked by git: every clone holds its values"),
        dry.stderr());
    assertTrue(dry.stderr().contains("ROTATE every one"), dry.stderr());
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stderr().contains("ROTATE every one"), run.stderr());
    assertTrue(run.stdout().contains("echo '/.env' >> .gitignore"), run.stdout());
    assertTrue(run.stdout().contains("git rm --cached .env"), run.stdout());
  }

  @Test
  void aDotenvOnceCommittedAndNoLongerTrackedSaysToRotateToo() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/git")), "git is installed");
    dotenv("DATABASE_URL=once-committed-1\n", "once-committed-1");
    git("init", "-q", ".");
    git("add", ".env");
    git("commit", "-qm", "config");
    git("rm", "-q", "--cached", ".env");
    git("commit", "-qm", "untrack");
    var run = kvload("import", ".env", "--vault", vault(), "--dry-run");
    assertEquals(0, run.exit(), run::toString);
    assertTrue(
        run.stderr()
            .contains(
                "WARNING: .env is in this repository's history (git log --all -- .env): every"
                    + " clone holds its values"),
        run.stderr());
    assertTrue(run.stderr().contains("ROTATE every one"), run.stderr());
  }

  @Test
  void anIgnoredDotenvThatWasNeverCommittedIsNoAlarm() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/git")), "git is installed");
    dotenv("DATABASE_URL=local-password-1\n", "local-password-1");
    h.write(".gitignore", ".env\n");
    git("init", "-q", ".");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(0, run.exit(), run::toString);
    assertFalse(run.stderr().contains("ROTATE"), run.stderr());
    assertFalse(run.stdout().contains(".gitignore"), run.stdout());
  }

  private void git(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(h.dir.toFile());
    builder.environment().clear();
    builder.environment().putAll(h.baseEnv());
    builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    Process process = builder.redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "git " + String.join(" ", args));
    assertEquals(0, process.exitValue(), out);
  }

  @Test
  void removeLeavesTheFileWhenAValueDoesNotVerify() throws IOException {
    Path file =
        dotenv(
            "GOOD=good-value-1\nTAMPERED=written-value-2\n",
            "good-value-1",
            "written-value-2",
            "tampered-value-3");
    AtomicInteger reads = new AtomicInteger();
    // The first GET (the plan) finds nothing; the read-back finds another value.
    h.fake.behave(
        VAULT,
        "tampered",
        request ->
            request.method().equals("GET") && reads.incrementAndGet() > 1
                ? FakeAzure.Reply.status(
                    200,
                    "{\"value\":\"tampered-value-3\",\"id\":\""
                        + vault()
                        + "/secrets/tampered/0123456789abcdef\",\"attributes\":{\"enabled\":true}}")
                : null);
    var run = kvload("import", ".env", "--vault", vault(), "--remove");
    assertEquals(5, run.exit(), run::toString);
    assertTrue(run.stderr().contains("verification failed after writing"), run.stderr());
    assertTrue(
        run.stderr().contains("TAMPERED: secret 'tampered' reads back with another value"),
        run.stderr());
    assertTrue(run.stderr().contains(".env was left in place"), run.stderr());
    assertTrue(Files.exists(file));
    assertFalse(Files.exists(manifest()), "the manifest is not written either");
  }

  @Test
  void removeDeletesTheFileOnceEveryValueIsVerified() throws IOException {
    Path file = dotenv("TOKEN=token-value-1\n", "token-value-1");
    var run = kvload("import", ".env", "--vault", vault(), "--remove");
    assertEquals(0, run.exit(), run::toString);
    assertFalse(Files.exists(file));
    assertTrue(run.stdout().contains("deleted .env. Deleting is not erasing"), run.stdout());
    assertTrue(run.stdout().contains("copy-on-write and journaled file systems"), run.stdout());
  }

  @Test
  void aReadOnlyIdentityIsToldWhichRoleWritingTakes() {
    h.fake.readOnly(true);
    dotenv("TOKEN=token-value-1\n", "token-value-1");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(5, run.exit(), run::toString);
    assertTrue(
        run.stderr()
            .contains("refused to let kvload write secret 'token' (HTTP 403 ForbiddenByRbac)"),
        run.stderr());
    assertTrue(
        run.stderr()
            .contains(
                "the vault uses Azure RBAC: import writes secrets: it takes the role"
                    + " 'Key Vault Secrets Officer'"),
        run.stderr());
    assertTrue(run.stderr().contains("needs only 'Key Vault Secrets User'"), run.stderr());
    assertFalse(Files.exists(manifest()));
  }

  @Test
  void aDeletedSecretKeepsItsNameUntilRecoveredOrPurged() {
    h.fake.put(VAULT, "token", "deleted-value-0");
    h.fake.softDelete(VAULT, "token");
    dotenv("TOKEN=token-value-1\n", "token-value-1");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(5, run.exit(), run::toString);
    assertTrue(run.stderr().contains("secret 'token' was deleted"), run.stderr());
    assertTrue(
        run.stderr().contains("az keyvault secret recover --vault-name kvload-test --name token"),
        run.stderr());
    assertTrue(
        run.stderr().contains("az keyvault secret purge --vault-name kvload-test --name token"),
        run.stderr());
  }

  @Test
  void theManifestKeepsItsCommentsOrderAndOtherEntries() throws IOException {
    h.fake.put(VAULT, "existing", "existing-value-0");
    String before =
        """
        // the team's manifest: names only
        {
          "vault": "%s", // the dev vault
          "secrets": {
            /* kept as it is */
            "EXISTING": "existing",
            "ELSEWHERE": { "secret": "shared", "vault": "kvload-other" },
          },
        }
        """
            .formatted(vault());
    Files.writeString(manifest(), before);
    dotenv("DATABASE_URL=db-value-1\nEXISTING=existing-value-0\n", "db-value-1");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(0, run.exit(), run::toString);
    String after = Files.readString(manifest());
    assertEquals(
        before.replace(
            "    \"ELSEWHERE\": { \"secret\": \"shared\", \"vault\": \"kvload-other\" },\n",
            "    \"ELSEWHERE\": { \"secret\": \"shared\", \"vault\": \"kvload-other\" },\n"
                + "    \"DATABASE_URL\": \"database-url\",\n"),
        after);
    valid(manifest());
  }

  @Test
  void aManifestEntryForAnotherSecretIsRefusedWithoutOverwrite() throws IOException {
    String before =
        "{\"vault\": \"" + vault() + "\", \"secrets\": {\n  \"DATABASE_URL\": \"legacy-db\"\n}}\n";
    Files.writeString(manifest(), before);
    dotenv("DATABASE_URL=db-value-1\n", "db-value-1");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(7, run.exit(), run::toString);
    assertTrue(
        run.stderr().contains("kvload.json:2:3: DATABASE_URL maps to secret 'legacy-db'"),
        run.stderr());
    assertEquals(List.of(), h.fake.requests());
    var overwritten = kvload("import", ".env", "--vault", vault(), "--overwrite");
    assertEquals(0, overwritten.exit(), overwritten::toString);
    assertEquals(before.replace("legacy-db", "database-url"), Files.readString(manifest()));
  }

  @Test
  void aManifestThatIsALinkIsRefusedBeforeAnyRequest() throws IOException {
    Path target = h.write("elsewhere.json", "{\"vault\": \"" + vault() + "\", \"secrets\": {}}\n");
    String targetText = Files.readString(target);
    Files.createSymbolicLink(manifest(), target.getFileName());
    dotenv("TOKEN=token-value-1\n", "token-value-1");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(7, run.exit(), run::toString);
    assertTrue(run.stderr().contains("kvload.json: is a symbolic link"), run.stderr());
    assertEquals(List.of(), h.fake.requests());
    assertEquals(targetText, Files.readString(target));
    assertTrue(Files.isSymbolicLink(manifest()));
  }

  @Test
  void intoAVaultOtherThanTheManifestsDefaultTheEntriesNameTheirVault() throws IOException {
    Files.writeString(manifest(), "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\"}}\n");
    dotenv("TOKEN=token-value-1\n", "token-value-1");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(0, run.exit(), run::toString);
    assertEquals(
        "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\", \"TOKEN\": { \"secret\":"
            + " \"token\", \"vault\": \""
            + vault()
            + "\" }}}\n",
        Files.readString(manifest()));
    valid(manifest());
  }

  @Test
  void removeNeverDeletesThroughALink() throws IOException {
    Path real = h.write("real.env", "TOKEN=token-value-1\n");
    h.guard(List.of("token-value-1"));
    Path link = h.dir.resolve(".env");
    Files.createSymbolicLink(link, real.getFileName());
    var run = kvload("import", ".env", "--vault", vault(), "--remove");
    assertEquals(0, run.exit(), run::toString);
    assertTrue(
        run.stderr().contains(".env is not a regular file (a symbolic link?): not deleted"),
        run.stderr());
    assertTrue(Files.isSymbolicLink(link));
    assertTrue(Files.exists(real));
  }

  @Test
  void aVaultOutsideKeyVaultsDomainsNeedsTheCommandLinesLeave() {
    dotenv("TOKEN=token-value-1\n", "token-value-1");
    String host = "https://127.0.0.1:" + h.fake.port();
    var refused = kvload("import", ".env", "--vault", host);
    assertEquals(2, refused.exit(), refused::toString);
    assertTrue(refused.stderr().contains("is outside Key Vault's domains"), refused.stderr());
    assertTrue(refused.stderr().contains("--allow-vault-host 127.0.0.1"), refused.stderr());
    assertEquals(List.of(), h.fake.requests());
  }

  /** A host that answers without asking for a token is not Key Vault: nothing is written there. */
  @Test
  void aHostThatNeverChallengesIsNotBelieved() {
    h.fake.challenges(false);
    dotenv("TOKEN=token-value-1\n", "token-value-1");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(6, run.exit(), run::toString);
    assertTrue(
        run.stderr().contains("this host did not ask for a token: it is not Key Vault"),
        run.stderr());
    assertEquals(List.of(), puts());
    assertFalse(Files.exists(manifest()));
  }

  /**
   * A manifest from a cloned repository names the vault it wants; the values go only where the
   * command line says.
   */
  @Test
  void aManifestDoesNotChooseWhereTheValuesGo() throws IOException {
    String before = "{\"vault\": \"" + vault() + "\", \"secrets\": {}}\n";
    Files.writeString(manifest(), before);
    dotenv("TOKEN=token-value-1\n", "token-value-1");
    var run = kvload("import", ".env");
    assertEquals(2, run.exit(), run::toString);
    assertTrue(
        run.stderr()
            .contains(
                "kvload.json names vault "
                    + vault()
                    + ", but values go only to a vault named on the command line"),
        run.stderr());
    assertTrue(run.stderr().contains("add --vault " + vault() + " if it is yours"), run.stderr());
    assertEquals(List.of(), h.fake.requests());
    assertEquals(before, Files.readString(manifest()));
  }

  static Stream<Arguments> brokenManifests() {
    return Stream.of(
        Arguments.of("not JSON", "garbage", "kvload.json:1:8: Unrecognized token 'garbage'"),
        Arguments.of(
            "secrets is a list",
            "{\"secrets\": [\"TOKEN\"]}",
            "kvload.json:1:13: \"secrets\" must be an object"),
        Arguments.of("no secrets", "{\"vault\": \"kv-a\"}", "kvload.json: no \"secrets\" object"),
        Arguments.of(
            "secrets twice, the second to mislead an edit",
            "{\"secrets\": {\"A\": \"a\"}, \"secrets\": {}}",
            "kvload.json:1:25: duplicate key 'secrets'"));
  }

  /** A manifest kvload cannot read is said with its place, before any request, and left as is. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenManifests")
  void aBrokenManifestStopsTheImportBeforeAnyRequest(String name, String text, String expected)
      throws IOException {
    Files.writeString(manifest(), text);
    dotenv("TOKEN=token-value-1\n", "token-value-1");
    var run = kvload("import", ".env", "--vault", vault());
    assertEquals(3, run.exit(), run::toString);
    assertTrue(run.stderr().contains(expected), run.stderr());
    assertFalse(run.stderr().contains("internal error"), run.stderr());
    assertEquals(List.of(), h.fake.requests());
    assertEquals(text, Files.readString(manifest()));
  }

  static Stream<Arguments> hostileWriteAnswers() {
    String escape = "\\u001b]0;owned\\u0007";
    return Stream.of(
        Arguments.of(
            "a 200 whose version is a terminal escape, and nothing stored",
            FakeAzure.Reply.status(200, "{\"id\": \"https://x/secrets/token/v" + escape + "\"}"),
            5,
            "wrote secret 'token' version v\\u001b]0;owned\\u0007"),
        Arguments.of(
            "a 400 that quotes the value",
            FakeAzure.Reply.status(
                400,
                "{\"error\": {\"code\": \"BadParameter\", \"message\": \"token-value-1 "
                    + escape
                    + "\"}}"),
            5,
            "refused secret 'token' as invalid (HTTP 400)"),
        Arguments.of(
            "a 200 that is not JSON but the value",
            FakeAzure.Reply.status(200, "token-value-1"),
            6,
            "the answer about secret 'token' could not be read"),
        Arguments.of(
            "a 502 that quotes the value",
            // A Retry-After beyond any deadline: kvload gives up at once, before --timeout.
            FakeAzure.Reply.status(502, "{\"value\": \"token-value-1" + escape + "\"}")
                .withHeader("Retry-After", "3600"),
            6,
            "answered HTTP 502 after retrying while writing secret 'token'"),
        Arguments.of(
            "a 200 without end",
            FakeAzure.Reply.status(200, "{\"value\": \"token-value-1 ").endlessly(),
            6,
            "an answer larger than 1 MiB came from"));
  }

  /**
   * Whatever a vault (or whatever answers in its place) says to a write, no value and no raw
   * control character reaches the terminal, and nothing is deleted or recorded as done.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileWriteAnswers")
  void aHostileAnswerToAWriteIsNeverShownRaw(
      String name, FakeAzure.Reply reply, int exit, String expected) throws IOException {
    Path file = dotenv("TOKEN=token-value-1\n", "token-value-1");
    h.fake.behave(VAULT, "token", request -> request.method().equals("PUT") ? reply : null);
    var run = kvload("import", ".env", "--vault", vault(), "--remove", "-v");
    assertEquals(exit, run.exit(), run::toString);
    assertTrue(run.stderr().contains(expected), run.stderr());
    assertFalse(run.stderr().contains("\u001b"), "a raw escape reached the terminal");
    assertFalse(run.stdout().contains("\u001b"), "a raw escape reached the terminal");
    assertTrue(Files.exists(file));
    assertFalse(Files.exists(manifest()));
  }

  @Test
  void nameOverridesChooseTheSecret() throws IOException {
    dotenv("DATABASE_URL=db-value-1\n", "db-value-1");
    var run = kvload("import", ".env", "--vault", vault(), "--name", "DATABASE_URL=db-conn");
    assertEquals(0, run.exit(), run::toString);
    assertEquals("db-value-1", h.fake.versions(VAULT, "db-conn").getFirst().value());
    assertTrue(Files.readString(manifest()).contains("\"DATABASE_URL\": \"db-conn\""));
  }

  @Test
  void withoutAManifestEveryCommandPointsToInit() {
    var run = kvload("run", "--", "true");
    assertEquals(3, run.exit(), run::toString);
    assertTrue(run.stderr().contains("kvload init --vault VAULT"), run.stderr());
    assertTrue(run.stderr().contains("kvload import .env --vault VAULT"), run.stderr());
  }
}
