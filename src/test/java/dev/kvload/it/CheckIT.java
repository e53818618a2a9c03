package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.FakeAzure.Reply;
import dev.kvload.fake.FakeAzure.Version;
import dev.kvload.output.RunnerLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload check} against the fake vault: every status, the JSON, exit codes, Actions.
 *
 * <p>Tests that spend most of their time waiting (for the retries at a vault that refuses
 * connections) run beside the others ({@code @Execution(CONCURRENT)}); the rest run one at a time.
 */
class CheckIT {
  static final String VAULT = "kvload-test";
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final Instant IN_100_DAYS = NOW.plus(Duration.ofDays(100));

  private final Harness h = new Harness();
  private final int closedPort = Harness.closedPort();
  private final Map<String, String> versions = new LinkedHashMap<>();

  @AfterEach
  void close() {
    h.close();
  }

  /** One secret in every state the fake can put it in, each named after what it shows. */
  private void stockTheVault() {
    put("ok-secret", "ok-value-4f1c", true, null, IN_100_DAYS);
    put("soon", "soon-value-77aa", true, null, NOW.plus(Duration.ofDays(3)));
    put("old", "old-value-1b2c", true, null, NOW.minus(Duration.ofDays(2)));
    put("future", "future-value-9d8e", true, NOW.plus(Duration.ofDays(5)), null);
    put("off", "off-value-3c4d", false, null, null);
    put("denied", "denied-value-5e6f", true, null, null);
    h.fake.behave(
        VAULT,
        "denied",
        r ->
            Reply.status(
                403,
                FakeAzure.error(
                    "Forbidden",
                    "Caller is not authorized to perform action on resource. Action:"
                        + " 'Microsoft.KeyVault/vaults/secrets/getSecret/action'")));
    put("nul", "nul\0value-0a0b", true, null, null);
  }

  private void put(String name, String value, boolean enabled, Instant nbf, Instant exp) {
    String id = FakeAzure.newVersionId();
    h.fake.put(VAULT, name, new Version(id, value, enabled, nbf, exp));
    versions.put(name, id);
  }

  /** Every variable of the zoo, one per line so annotations can point at it. */
  static final Map<String, String> ZOO = new LinkedHashMap<>();

  static {
    ZOO.put("OK_VAR", "\"ok-secret\"");
    ZOO.put("SOON_VAR", "\"soon\"");
    ZOO.put("OLD_VAR", "\"old\"");
    ZOO.put("FUTURE_VAR", "\"future\"");
    ZOO.put("OFF_VAR", "\"off\"");
    ZOO.put("DENIED_VAR", "\"denied\"");
    ZOO.put("MISSING_VAR", "\"no-such-secret\"");
    ZOO.put("NUL_VAR", "\"nul\"");
    ZOO.put("DOWN_VAR", "{\"secret\": \"down\", \"vault\": \"DOWN_VAULT\"}");
    ZOO.put("OPTIONAL_VAR", "{\"secret\": \"not-there-either\", \"optional\": true}");
  }

  /** A manifest of the named variables of {@link #ZOO}; the first variable is on line 4. */
  private Path manifest(String... variables) {
    List<String> entries = new ArrayList<>();
    for (String v : variables) {
      entries.add(
          "    \""
              + v
              + "\": "
              + ZOO.get(v)
                  .replace("DOWN_VAULT", "https://kvload-other.vault.azure.net:" + closedPort));
    }
    return h.manifest(
        "{\n  \"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\",\n  \"secrets\": {\n"
            + String.join(",\n", entries)
            + "\n  }\n}\n");
  }

  private static final Map<String, String> STATUS =
      Map.of(
          "OK_VAR", "ok",
          "SOON_VAR", "expiring",
          "OLD_VAR", "expired",
          "FUTURE_VAR", "not-yet-valid",
          "OFF_VAR", "disabled",
          "DENIED_VAR", "forbidden",
          "MISSING_VAR", "missing",
          "NUL_VAR", "invalid",
          "DOWN_VAR", "unreachable",
          "OPTIONAL_VAR", "missing");

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void jsonReportsEveryStatus() throws IOException {
    stockTheVault();
    manifest(ZOO.keySet().toArray(String[]::new));
    var run = h.kvload("check", "--json");
    assertEquals(5, run.exit(), run::toString);
    JsonNode rows = new ObjectMapper().readTree(run.stdout());
    assertTrue(rows.isArray(), run.stdout());
    assertEquals(ZOO.size(), rows.size());
    List<String> order = new ArrayList<>();
    for (JsonNode row : rows) {
      String variable = row.get("variable").asText();
      order.add(variable);
      for (String field :
          List.of(
              "variable",
              "secret",
              "vault",
              "version",
              "status",
              "level",
              "optional",
              "expires",
              "notBefore",
              "detail")) {
        assertTrue(row.has(field), () -> variable + " lacks " + field + ": " + row);
      }
      assertEquals(STATUS.get(variable), row.get("status").asText(), row::toString);
      assertTrue(row.get("vault").asText().startsWith("https://kvload-"), row::toString);
    }
    assertEquals(List.copyOf(ZOO.keySet()), order, "manifest order");
    JsonNode ok = rows.get(0);
    assertEquals("ok-secret", ok.get("secret").asText());
    assertEquals(h.fake.vaultUrl(VAULT), ok.get("vault").asText());
    assertEquals(versions.get("ok-secret"), ok.get("version").asText());
    assertEquals(IN_100_DAYS.toString(), ok.get("expires").asText());
    assertEquals("ok", ok.get("level").asText());
    assertTrue(ok.get("detail").isNull());
    JsonNode soon = rows.get(1);
    assertEquals("warning", soon.get("level").asText());
    assertTrue(soon.get("detail").asText().startsWith("expires in 2 days"), soon::toString);
    assertEquals(NOW.plus(Duration.ofDays(5)).toString(), rows.get(3).get("notBefore").asText());
    JsonNode optional = rows.get(9);
    assertTrue(optional.get("optional").asBoolean());
    assertEquals("warning", optional.get("level").asText());
    for (int i = 2; i < 9; i++) {
      assertEquals("error", rows.get(i).get("level").asText(), rows.get(i)::toString);
      assertFalse(rows.get(i).get("optional").asBoolean());
    }
    // stderr says what failed and what to do, naming variables, never values (Harness checks).
    for (String variable :
        List.of("OLD_VAR", "FUTURE_VAR", "OFF_VAR", "DENIED_VAR", "MISSING_VAR", "NUL_VAR")) {
      assertTrue(run.stderr().contains("kvload: " + variable + ": "), run::toString);
    }
    assertTrue(run.stderr().contains("refused or unreachable (DOWN_VAR)"), run::toString);
    assertFalse(run.stderr().contains("kvload: OPTIONAL_VAR: "), run::toString);
    assertTrue(run.stderr().contains("checked 10 variables"), run::toString);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tableShowsOneRowPerVariable() {
    stockTheVault();
    manifest(ZOO.keySet().toArray(String[]::new));
    var run = h.kvload("check");
    assertEquals(5, run.exit(), run::toString);
    List<String> lines = run.stdout().lines().toList();
    assertEquals(1 + ZOO.size(), lines.size(), run.stdout());
    assertTrue(
        lines.get(0).matches("VARIABLE +SECRET +VAULT +VERSION +STATUS +EXPIRES +NOTE"),
        lines.get(0));
    int i = 1;
    for (String variable : ZOO.keySet()) {
      String line = lines.get(i++);
      assertTrue(line.startsWith(variable + " "), line);
      assertTrue(line.contains(" " + STATUS.get(variable) + " "), line);
    }
    assertTrue(lines.get(1).contains(versions.get("ok-secret").substring(0, 8)), lines.get(1));
    assertTrue(lines.get(1).contains(IN_100_DAYS.toString().substring(0, 10)), lines.get(1));
    assertTrue(lines.get(10).endsWith("not found (optional)"), lines.get(10));
  }

  /** Case: variables of the zoo, extra options -> exit status. */
  static Stream<Arguments> exits() {
    return Stream.of(
        Arguments.of("ok and expiring only warn", List.of("OK_VAR", "SOON_VAR"), List.of(), 0),
        Arguments.of(
            "an optional secret never fails", List.of("OK_VAR", "OPTIONAL_VAR"), List.of(), 0),
        Arguments.of("expired", List.of("OK_VAR", "OLD_VAR"), List.of(), 5),
        Arguments.of(
            "expired, with --allow-expired",
            List.of("OLD_VAR", "FUTURE_VAR"),
            List.of("--allow-expired"),
            0),
        Arguments.of("not yet valid", List.of("FUTURE_VAR"), List.of(), 5),
        Arguments.of("disabled", List.of("OFF_VAR"), List.of(), 5),
        Arguments.of("forbidden", List.of("DENIED_VAR"), List.of(), 5),
        Arguments.of("missing", List.of("MISSING_VAR"), List.of(), 5),
        Arguments.of("a NUL byte", List.of("NUL_VAR"), List.of(), 5),
        Arguments.of("only an unreachable vault", List.of("OK_VAR", "DOWN_VAR"), List.of(), 6),
        Arguments.of(
            "unreachable and missing: the secret problem wins",
            List.of("MISSING_VAR", "DOWN_VAR"),
            List.of(),
            5),
        Arguments.of(
            "inside the warning window", List.of("SOON_VAR"), List.of("--expiry-warning", "1"), 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exits")
  @Execution(ExecutionMode.CONCURRENT)
  void exitStatus(String name, List<String> variables, List<String> options, int exit) {
    stockTheVault();
    manifest(variables.toArray(String[]::new));
    List<String> args = new ArrayList<>(List.of("check"));
    args.addAll(options);
    var run = h.kvload(args.toArray(String[]::new));
    assertEquals(exit, run.exit(), run::toString);
    assertEquals(
        1 + variables.size(), run.stdout().lines().count(), "the table, whatever the exit");
  }

  @Test
  void theWarningWindowIs14DaysByDefault() throws IOException {
    put("in-13-days", "thirteen-value-1d2e", true, null, NOW.plus(Duration.ofDays(13)));
    put("in-15-days", "fifteen-value-3f4a", true, null, NOW.plus(Duration.ofDays(15)));
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"IN_13\": \"in-13-days\", \"IN_15\": \"in-15-days\"}}");
    var run = h.kvload("check", "--json");
    assertEquals(0, run.exit(), run::toString);
    JsonNode rows = new ObjectMapper().readTree(run.stdout());
    assertEquals("expiring", rows.get(0).get("status").asText(), run::toString);
    assertEquals("ok", rows.get(1).get("status").asText(), run::toString);
  }

  @Test
  void expiryWarningMovesTheWindow() throws IOException {
    stockTheVault();
    manifest("SOON_VAR");
    ObjectMapper json = new ObjectMapper();
    var narrow = h.kvload("check", "--json", "--expiry-warning", "2");
    assertEquals(0, narrow.exit(), narrow::toString);
    assertEquals("ok", json.readTree(narrow.stdout()).get(0).get("status").asText());
    var wide = h.kvload("check", "--json", "--expiry-warning", "30");
    assertEquals("expiring", json.readTree(wide.stdout()).get(0).get("status").asText());
    assertEquals(2, h.kvload("check", "--expiry-warning", "-1").exit());
    assertEquals(2, h.kvload("check", "--expiry-warning", "soon").exit());
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void insideGithubActionsWritesTheSummaryAndAnnotations() throws IOException {
    stockTheVault();
    manifest(ZOO.keySet().toArray(String[]::new));
    Path summary = h.write("runner/summary.md", "earlier step's summary\n");
    var run =
        h.run()
            .args("check", "--json")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", summary.toString())
            .env("GITHUB_WORKSPACE", h.dir.toString())
            .go();
    assertEquals(5, run.exit(), run::toString);
    new ObjectMapper().readTree(run.stdout()); // annotations go to stderr: stdout stays JSON
    String markdown = Files.readString(summary);
    assertTrue(markdown.startsWith("earlier step's summary\n### kvload check: "), markdown);
    assertTrue(markdown.contains("| ✅ | `OK_VAR` | `ok-secret` |"), markdown);
    assertTrue(markdown.contains("| ❌ | `MISSING_VAR` | `no-such-secret` |"), markdown);
    assertTrue(markdown.contains("| ⚠️ | `SOON_VAR` |"), markdown);
    assertTrue(markdown.contains("| ⚠️ | `OPTIONAL_VAR` |"), markdown);
    List<String> annotations = run.stderr().lines().filter(l -> l.startsWith("::")).toList();
    assertEquals(9, annotations.size(), run::toString);
    // MISSING_VAR is the 7th variable: line 10 of the manifest, its name at column 5.
    assertTrue(
        annotations.contains(
            "::error file=kvload.json,line=10,col=5,title=kvload check%3A MISSING_VAR missing::"
                + "MISSING_VAR: secret 'no-such-secret' in vault "
                + h.fake.vaultUrl(VAULT)
                + " is missing: not found"),
        run::toString);
    assertTrue(
        annotations.stream()
            .anyMatch(
                a ->
                    a.startsWith(
                        "::warning file=kvload.json,line=5,col=5,title=kvload"
                            + " check%3A SOON_VAR expiring::")),
        run::toString);
    assertTrue(
        annotations.stream()
            .anyMatch(
                a ->
                    a.startsWith(
                        "::warning file=kvload.json,line=13,col=5,title=kvload"
                            + " check%3A OPTIONAL_VAR missing::")),
        run::toString);
    for (String value : h.fake.allValues()) {
      String v = value.replace("\0", "");
      assertFalse(markdown.contains(v), "a value reached the step summary");
      assertFalse(run.stderr().contains(v), "a value reached an annotation");
    }
  }

  @Test
  void insideGithubActionsAFailureBeforeTheTableIsAnnotatedToo() {
    h.fake.identityAvailable(false);
    manifest("OK_VAR");
    var run =
        h.run().args("check", "--auth", "managed-identity").env("GITHUB_ACTIONS", "true").go();
    assertEquals(4, run.exit(), run::toString);
    assertTrue(run.stderr().startsWith("::error title=kvload check::"), run::toString);
    assertEquals("", run.stdout());
  }

  @Test
  void outsideGithubActionsNoAnnotationAndNoSummary() {
    stockTheVault();
    manifest("MISSING_VAR");
    Path summary = h.dir.resolve("summary.md");
    var run = h.run().args("check").env("GITHUB_STEP_SUMMARY", summary.toString()).go();
    assertEquals(5, run.exit(), run::toString);
    assertFalse(run.stderr().contains("::"), run::toString);
    assertFalse(Files.exists(summary));
  }

  /**
   * A vault's answer chooses the version ({@code id}): an escape sequence, a bidi override or a
   * workflow command there is shown as text in the table (cut to 8 characters, {@code ##[echo]}
   * would be a whole command), on stderr, in the summary and in annotations, and kept exact in
   * --json. (Text from headers: LoaderTest; every rendering: CheckReportTest.)
   */
  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void hostileVersionsFromTheVaultStayText() throws IOException {
    String title = "\u001b]0;pwned\u0007";
    String command = "##[echo]\u202eon";
    h.fake.put(VAULT, "ok-secret", new Version(title, "ok-value-4f1c", true, null, IN_100_DAYS));
    h.fake.put(
        VAULT,
        "soon",
        new Version(command, "soon-value-77aa", true, null, NOW.plus(Duration.ofDays(3))));
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"A\": \"ok-secret\", \"B\": \"soon\"}}");
    Path summary = h.write("runner/summary.md", "");
    var table = h.run().args("check").go();
    var json = h.run().args("check", "--json").go();
    var inJob =
        h.run()
            .args("check")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", summary.toString())
            .env("GITHUB_WORKSPACE", h.dir.toString())
            .valuesOnStdout()
            .go();
    for (var run : List.of(table, json, inJob)) {
      assertEquals(0, run.exit(), run::toString);
      for (String shown : List.of(run.stdout(), run.stderr())) {
        assertFalse(shown.contains("\u001b"), "an escape reached the terminal: " + shown);
        assertFalse(shown.contains("\u202e"), "a bidi override reached the terminal: " + shown);
        assertFalse(shown.contains("##["), "a workflow command reached the log: " + shown);
      }
    }
    assertTrue(table.stdout().contains("  \\u001b]0;pwne  "), table.stdout());
    assertTrue(table.stdout().contains("  #\\u0023[echo]  "), table.stdout());
    JsonNode rows = new ObjectMapper().readTree(json.stdout());
    assertEquals(title, rows.get(0).get("version").asText());
    assertEquals(command, rows.get(1).get("version").asText());
    String markdown = Files.readString(summary);
    assertFalse(markdown.contains("\u001b") || markdown.contains("\u202e"), markdown);
    assertFalse(markdown.contains("##["), markdown);
    RunnerLog runner = new RunnerLog().read(inJob.stdout()).read(inJob.stderr());
    assertEquals(
        List.of("add-mask", "add-mask", "warning"),
        runner.actedNames(),
        "the masks and kvload's own annotation only: " + runner.acted());
  }

  @Test
  void aMissingManifestIsExit3() {
    assertEquals(3, h.kvload("check").exit());
  }
}
