package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kvload.fake.FakeAzure;
import dev.kvload.guard.TestFolder;
import dev.kvload.output.DotenvReader;
import dev.kvload.output.GithubEnvReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code kvload export} end to end: the real launcher and jar against the fake vault. */
class ExportIT {
  private static final String VAULT = "kvload-test";

  /** Values chosen to break naive quoting in every format. */
  private static final Map<String, String> AWKWARD = new LinkedHashMap<>();

  static {
    AWKWARD.put("QUOTES", "it's \"both\" kinds");
    AWKWARD.put("DOLLAR", "$HOME ${PATH} $(id) `id`");
    AWKWARD.put("BACKSLASH", "C:\\temp\\new \\\\ end\\");
    AWKWARD.put("MULTILINE", "-----BEGIN KEY-----\nMIIB+/=\n-----END KEY-----\n");
    AWKWARD.put("UTF8", "héllo ✓ 日本語 🔑");
    AWKWARD.put("SPACES", "  padded value  ");
  }

  private Harness h;
  private Path shm;

  @BeforeEach
  void start() throws IOException {
    h = new Harness();
    shm = TestFolder.create(TestFolder.SHM);
  }

  @AfterEach
  void stop() throws IOException {
    h.close();
    TestFolder.remove(shm);
  }

  private void awkwardManifest() {
    StringBuilder json =
        new StringBuilder("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {");
    String sep = "";
    for (var e : AWKWARD.entrySet()) {
      String secret = e.getKey().toLowerCase(java.util.Locale.ROOT);
      h.fake.put(VAULT, secret, e.getValue());
      json.append(sep).append('"').append(e.getKey()).append("\": \"").append(secret).append('"');
      sep = ", ";
    }
    h.manifest(json.append("}}").toString());
  }

  /** --on-conflict holds for export too: the output sets what the variables would become. */
  @Test
  void onConflictDecidesWhatTheOutputSets() {
    h.fake.put(VAULT, "db", "postgres://from-the-vault-2b3c");
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {\"DB\": \"db\"}}");
    var override =
        h.run()
            .args("export", "--format", "dotenv")
            .env("DB", "postgres://local")
            .valuesOnStdout()
            .go();
    assertEquals(0, override.exit(), override::toString);
    assertEquals("DB=\"postgres://from-the-vault-2b3c\"\n", override.stdout());
    assertTrue(
        override.stderr().contains("DB was already set in the environment"), override::toString);
    var keep =
        h.run()
            .args("export", "--format", "dotenv", "--on-conflict", "keep")
            .env("DB", "postgres://local")
            .valuesOnStdout()
            .go();
    assertEquals(0, keep.exit(), keep::toString);
    assertEquals("DB=\"postgres://local\"\n", keep.stdout());
    Path file = shm.resolve("env");
    var fail =
        h.run()
            .args("export", "-o", file.toString(), "--on-conflict", "fail")
            .env("DB", "postgres://local")
            .go();
    assertEquals(7, fail.exit(), fail::toString);
    assertTrue(fail.stderr().contains("nothing was written"), fail::toString);
    assertFalse(Files.exists(file));
  }

  @Test
  void shFileSourcedByBashGivesBackEveryValue() throws Exception {
    awkwardManifest();
    Path file = shm.resolve("env");
    var run = h.kvload("export", "-o", file.toString());
    assertEquals(0, run.exit(), run::toString);
    assertEquals("", run.stdout());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    for (var e : AWKWARD.entrySet()) {
      Process bash =
          new ProcessBuilder(
                  "bash",
                  "-c",
                  "set -a; . \"$1\"; printf %s \"${!2}\"",
                  "bash",
                  file.toString(),
                  e.getKey())
              .start();
      String value = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, bash.waitFor());
      assertEquals(e.getValue(), value, e.getKey());
    }
  }

  @Test
  void jsonToStdoutParsesBackToEveryValue() throws IOException {
    awkwardManifest();
    var run = h.run().args("export", "--format", "json").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    Map<String, String> parsed = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(run.stdoutBytes())) {
      assertEquals(JsonToken.START_OBJECT, p.nextToken());
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        parsed.put(name, p.getText());
      }
    }
    assertEquals(AWKWARD, parsed);
  }

  @Test
  void dotenvParsesBackToEveryValue() {
    awkwardManifest();
    var run = h.run().args("export", "--format", "dotenv").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals(AWKWARD, DotenvReader.read(run.stdout()));
  }

  /**
   * dotenv readers differ on {@code \\}, {@code "} and {@code $}: each value they would misread is
   * named on stderr, once, with the reason and the way around it; never with -q, never for sh.
   */
  @Test
  void dotenvNamesEachValueItsReadersWouldMisread() {
    awkwardManifest();
    var run = h.run().args("export", "--format", "dotenv").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    List<String> warnings =
        run.stderr().lines().filter(l -> l.startsWith("kvload: warning: ")).toList();
    assertEquals(
        List.of(
            "kvload: warning: QUOTES: its value holds \" or \\, which Node's dotenv leaves escaped;"
                + " kvload run or --format sh pass it exactly",
            "kvload: warning: DOLLAR: its value holds $NAME or ${...}, which docker compose expands"
                + " (python-dotenv: ${...}); kvload run or --format sh pass it exactly",
            "kvload: warning: BACKSLASH: its value ends with \\, which makes python-dotenv lose it"
                + " and the next variable; holds \" or \\, which Node's dotenv leaves escaped;"
                + " kvload run or --format sh pass it exactly"),
        warnings,
        run::toString);
    var quiet = h.run().args("export", "--format", "dotenv", "-q").valuesOnStdout().go();
    assertEquals("", quiet.stderr());
    var sh = h.run().args("export").valuesOnStdout().go();
    assertFalse(sh.stderr().contains("warning"), sh::toString);
  }

  @Test
  void githubFormatMasksEveryLineFirstInsideActions() {
    awkwardManifest();
    var run =
        h.run()
            .args("export", "--format", "github")
            .env("GITHUB_ACTIONS", "true")
            .valuesOnStdout()
            .go();
    assertEquals(0, run.exit(), run::toString);
    List<String> lines = run.stdout().lines().toList();
    int firstHeredoc = 0;
    while (lines.get(firstHeredoc).startsWith("::add-mask::")) {
      firstHeredoc++;
    }
    List<String> masked = lines.subList(0, firstHeredoc);
    for (String value : AWKWARD.values()) {
      for (String line : value.split("\n")) {
        if (!line.isBlank()) {
          assertTrue(masked.contains("::add-mask::" + line), "not masked: " + line);
        }
      }
    }
    assertEquals(
        AWKWARD,
        GithubEnvReader.read(String.join("\n", lines.subList(firstHeredoc, lines.size()))));
  }

  @Test
  void refusesAPersistentFolderWritingNothing() throws IOException {
    h.fake.put(VAULT, "db", "postgres://x");
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {\"DB\": \"db\"}}");
    Path disk = h.dir.resolve("out");
    assumeFalse(Files.getFileStore(h.dir).type().equals("tmpfs"));
    var run = h.kvload("export", "-o", disk.resolve("env").toString());
    assertEquals(7, run.exit(), run::toString);
    assertTrue(run.stderr().contains("refusing to write secrets to"), run.stderr());
    assertTrue(run.stderr().contains("--allow-persistent"), run.stderr());
    assertFalse(Files.exists(disk), "not even the folder was made");
    var allowed = h.kvload("export", "-o", disk.resolve("env").toString(), "--allow-persistent");
    assertEquals(0, allowed.exit(), allowed::toString);
    assertEquals("export DB='postgres://x'\n", Files.readString(disk.resolve("env")));
  }

  @Test
  void createsTheFolderWith0700AndLeavesNoTemporaryFile() throws IOException {
    h.fake.put(VAULT, "db", "postgres://x");
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {\"DB\": \"db\"}}");
    Path file = shm.resolve("nested/kvload/env");
    var run = h.kvload("export", "-o", file.toString());
    assertEquals(0, run.exit(), run::toString);
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void fetchesOnlyMappedSecretsEachOnceWithOneChallengePerVault() {
    for (int i = 0; i < 40; i++) {
      h.fake.put(VAULT, "s" + i, "value-number-" + i);
      h.fake.put("kvload-other", "o" + i, "other-value-" + i);
    }
    h.fake.put(VAULT, "unmapped", "never-fetched-value");
    h.fake.delay(Duration.ofMillis(20));
    StringBuilder json =
        new StringBuilder(
            "{\"vault\": \""
                + h.fake.vaultUrl(VAULT)
                + "\", \"secrets\": {\"TWICE_A\": \"s0\", \"TWICE_B\": \"s0\"");
    for (int i = 1; i < 40; i++) {
      json.append(", \"S").append(i).append("\": \"s").append(i).append('"');
    }
    for (int i = 0; i < 5; i++) {
      json.append(", \"O")
          .append(i)
          .append("\": \"")
          .append(h.fake.vaultUrl("kvload-other"))
          .append("/secrets/o")
          .append(i)
          .append('"');
    }
    h.manifest(json.append("}}").toString());
    var run = h.run().args("export", "--format", "json").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stderr().contains("loaded 46 secrets from 2 vaults"), run.stderr());
    var authorized =
        h.fake.secretRequests().stream().filter(FakeAzure.Request::authorized).toList();
    assertEquals(45, authorized.size(), "each distinct secret fetched exactly once");
    assertEquals(45, authorized.stream().map(r -> r.vault() + r.path()).distinct().count());
    assertTrue(authorized.stream().noneMatch(r -> r.path().contains("unmapped")));
    assertTrue(
        h.fake.requests().stream()
            .allMatch(
                r ->
                    r.method().equals("GET")
                        && (r.path().startsWith("/secrets/") || r.path().equals("/msi/token"))),
        "never lists a vault");
    long challenges = h.fake.secretRequests().stream().filter(r -> !r.authorized()).count();
    assertEquals(2, challenges, "one unauthenticated challenge request per vault");
    assertEquals(1, h.fake.tokenRequests(), "one token for both vaults");
    assertTrue(h.fake.peakInFlight() <= 8 + 1, "bounded concurrency: " + h.fake.peakInFlight());
    assertTrue(h.fake.peakInFlight() > 1, "fetches in parallel: " + h.fake.peakInFlight());
  }

  @Test
  void pinnedVersionsAndSecretUrlsFetchThatVersion() {
    var old = h.fake.put(VAULT, "api-key", "old-api-key-value");
    h.fake.put(VAULT, "api-key", "new-api-key-value");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {"
            + "\"LATEST\": \"api-key\", "
            + "\"PINNED\": {\"secret\": \"api-key\", \"version\": \""
            + old.id()
            + "\"}, "
            + "\"BY_URL\": \""
            + h.fake.vaultUrl(VAULT)
            + "/secrets/api-key/"
            + old.id()
            + "\"}}");
    var run = h.run().args("export", "--format", "dotenv").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals(
        Map.of(
            "LATEST",
            "new-api-key-value",
            "PINNED",
            "old-api-key-value",
            "BY_URL",
            "old-api-key-value"),
        DotenvReader.read(run.stdout()));
    assertEquals(
        2,
        h.fake.secretRequests().stream().filter(FakeAzure.Request::authorized).count(),
        "the pinned version is fetched once for both variables");
  }

  @Test
  void vaultOptionAndEnvironmentReplaceTheDefaultVault() {
    h.fake.put("kvload-other", "db", "staging-db-value");
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {\"DB\": \"db\"}}");
    var byOption =
        h.run().args("export", "--vault", h.fake.vaultUrl("kvload-other")).valuesOnStdout().go();
    assertEquals(0, byOption.exit(), byOption::toString);
    assertEquals("export DB='staging-db-value'\n", byOption.stdout());
    var byEnv =
        h.run()
            .args("export")
            .env("KVLOAD_VAULT", h.fake.vaultUrl("kvload-other"))
            .valuesOnStdout()
            .go();
    assertEquals(0, byEnv.exit(), byEnv::toString);
    assertEquals("export DB='staging-db-value'\n", byEnv.stdout());
  }

  @Test
  void findsTheManifestInTheDevcontainerFolderAndThroughKvloadManifest() {
    h.fake.put(VAULT, "db", "db-from-devcontainer");
    String json = "{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {\"DB\": \"db\"}}";
    h.write(".devcontainer/kvload.json", json);
    var found = h.run().args("export").valuesOnStdout().go();
    assertEquals(0, found.exit(), found::toString);
    h.write("elsewhere/m.json", json.replace("\"DB\"", "\"FROM_ENV\""));
    var byEnv =
        h.run().args("export").env("KVLOAD_MANIFEST", "elsewhere/m.json").valuesOnStdout().go();
    assertEquals("export FROM_ENV='db-from-devcontainer'\n", byEnv.stdout(), byEnv::toString);
  }

  @Test
  void missingAndForbiddenSecretsFailAfterEveryFetchNamingEachOne() {
    h.fake.put(VAULT, "ok", "fine-value");
    h.fake.put(VAULT, "locked", "locked-value");
    h.fake.behave(
        VAULT,
        "locked",
        r ->
            FakeAzure.Reply.status(
                403,
                FakeAzure.error(
                    "Forbidden", "Caller is not authorized to perform action on resource.")));
    h.fake.put(
        VAULT,
        "off",
        new FakeAzure.Version(FakeAzure.newVersionId(), "disabled-value", false, null, null));
    h.fake.put(
        VAULT,
        "old",
        new FakeAzure.Version(
            FakeAzure.newVersionId(),
            "expired-value",
            true,
            null,
            Instant.now().minus(Duration.ofDays(2))));
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"OK\": \"ok\", "
            + "\"GONE\": \"nope\", \"LOCKED\": \"locked\", \"OFF\": \"off\", \"OLD\": \"old\", "
            + "\"MAYBE\": {\"secret\": \"maybe\", \"optional\": true}}}");
    var run = h.kvload("export");
    assertEquals(5, run.exit(), run::toString);
    assertEquals("", run.stdout(), "nothing exported");
    String err = run.stderr();
    assertTrue(err.contains("kvload: GONE: secret 'nope' in vault " + h.fake.vaultUrl(VAULT)), err);
    assertTrue(err.contains("not found: create it"), err);
    assertTrue(err.contains("kvload: LOCKED: reading secret 'locked' in vault"), err);
    assertTrue(err.contains("'Key Vault Secrets User'"), err);
    assertTrue(
        err.contains("kvload: OFF: secret 'off' in vault") && err.contains("is disabled"), err);
    assertTrue(
        err.contains("kvload: OLD: secret 'old' in vault") && err.contains("expired on"), err);
    assertTrue(err.contains("warning: MAYBE: secret 'maybe'"), err);
    assertFalse(err.contains("loaded"), err);
    assertTrue(err.lines().count() <= 6, err);
  }

  @Test
  void quietPrintsNothingOnSuccess() {
    h.fake.put(VAULT, "db", "postgres://quiet");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"DB\": \"db\","
            + " \"OPT\": {\"secret\": \"none\", \"optional\": true}}}");
    var run = h.run().args("-q", "export").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals("", run.stderr());
  }
}
