package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeEntra;
import dev.kvload.guard.TestFolder;
import dev.kvload.output.DotenvReader;
import dev.kvload.output.RunnerLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** kvload inside a GitHub Actions job: $GITHUB_ENV, masks, and the documented workflow. */
class GithubActionsIT {
  static final Path WORKFLOW = Harness.HOME.resolve("examples/github-actions/secrets-check.yml");
  static final String EARLIER = "EARLIER_STEP=1\n";

  private final Harness h = new Harness();
  private final Map<String, String> values = new LinkedHashMap<>();
  private Path githubEnv;

  @BeforeEach
  void stock() {
    values.put("DATABASE_URL", "postgres://app:pa55%word@db:5432/app");
    values.put("TLS_KEY", "-----BEGIN KEY-----\nMIIEvQIBADANBg\r\n\n-----END KEY-----");
    values.put("QUOTED", "it's \"quoted\" $HOME \\ ✓");
    mapValues();
    githubEnv = h.write("runner/github_env", EARLIER);
  }

  @AfterEach
  void close() {
    h.close();
    Archive.remove(h.dir);
  }

  private Harness.Run.Builder inActions() {
    return h.run()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ENV", githubEnv.toString())
        .env("GITHUB_WORKSPACE", h.dir.toString());
  }

  /** The masks the runner must see: every line of every value, but those under 4 characters. */
  private String expectedMasks() {
    StringBuilder out = new StringBuilder();
    for (String value : values.values()) {
      for (String line : value.split("\r\n|\r|\n")) {
        if (line.strip().length() >= 4) {
          out.append("::add-mask::").append(line.replace("%", "%25")).append('\n');
        }
      }
    }
    return out.toString();
  }

  /**
   * What the runner makes of a run's output: it may act on masks and on the stop region kvload puts
   * around values, and on nothing else; no line it shows holds a line of a value that could be
   * masked.
   */
  private RunnerLog assertRunnerSafe(Harness.Run run, String... allowed) {
    RunnerLog runner = new RunnerLog().read(run.stdout()).read(run.stderr());
    List<String> ok = new java.util.ArrayList<>(List.of("add-mask", "stop-commands", "resume"));
    ok.addAll(List.of(allowed));
    assertTrue(ok.containsAll(runner.actedNames()), "the runner acted on " + runner.acted());
    for (String value : values.values()) {
      for (String line : value.split("\r\n|\r|\n")) {
        if (line.strip().length() >= 4) {
          assertTrue(
              runner.shown().stream().noneMatch(shown -> shown.contains(line.strip())),
              "a value line reached the log unmasked");
        }
      }
    }
    return runner;
  }

  /** Reads {@code NAME<<DELIMITER} heredocs as the runner does. */
  static Map<String, String> heredocs(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?s)([A-Za-z_][A-Za-z0-9_]*)<<(\\S+)\n(.*?)\n\\2\n").matcher(text);
    int at = 0;
    while (m.find(at)) {
      assertEquals(at, m.start(), "nothing between heredocs: " + text);
      out.put(m.group(1), m.group(3));
      at = m.end();
    }
    assertEquals(text.length(), at, "only heredocs");
    return out;
  }

  @Test
  void exportAppendsToGithubEnvAndPrintsOnlyMasks() throws IOException {
    var run = inActions().args("export", "--format", "github").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals(expectedMasks(), run.stdout(), "stdout carries the masks and nothing else");
    String file = Files.readString(githubEnv);
    assertTrue(file.startsWith(EARLIER), "appended, not replaced: " + file);
    assertEquals(values, heredocs(file.substring(EARLIER.length())));
    assertTrue(run.stderr().contains("added 3 variables to $GITHUB_ENV"), run::toString);
  }

  /**
   * {@code -o -}: the masks, then the heredocs between {@code ::stop-commands::TOKEN} and {@code
   * ::TOKEN::}, so that no line of a value acts as a workflow command in the log.
   */
  @Test
  void dashOKeepsStdoutInsideActions() throws IOException {
    var run = inActions().args("export", "--format", "github", "-o", "-").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    String masks = expectedMasks();
    assertTrue(run.stdout().startsWith(masks), "masks first: " + run.stdout());
    Matcher m =
        Pattern.compile("(?s)::stop-commands::(kvload-[0-9a-f]{32})\n(.*)::\\1::\n")
            .matcher(run.stdout().substring(masks.length()));
    assertTrue(m.matches(), run.stdout());
    assertEquals(values, heredocs(m.group(2)));
    assertEquals(EARLIER, Files.readString(githubEnv));
    assertRunnerSafe(run);
  }

  @Test
  void aStrayGithubEnvOutsideActionsIsLeftAlone() throws IOException {
    var run =
        h.run()
            .args("export", "--format", "github")
            .env("GITHUB_ENV", githubEnv.toString())
            .valuesOnStdout()
            .go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals(values, heredocs(run.stdout()), "no masks outside Actions, values on stdout");
    assertEquals(EARLIER, Files.readString(githubEnv));
  }

  /**
   * sh and dotenv still go to stdout, masks and stop region as comment lines that the runner reads
   * and the format's readers skip: {@code eval "$(kvload export)"} and {@code > .env} still work.
   */
  @Test
  void otherFormatsInsideActionsStillGoToStdout() throws IOException {
    var sh = inActions().args("export", "--format", "sh").valuesOnStdout().go();
    assertEquals(0, sh.exit(), sh::toString);
    assertTrue(
        sh.stdout().startsWith("# ##[add-mask]postgres://app:pa55%25word@db:5432/app\n"),
        sh.stdout());
    assertRunnerSafe(sh);
    h.write("exported.sh", sh.stdout());
    for (var e : values.entrySet()) {
      var back =
          Shell.run(
              h,
              h.baseEnv(),
              h.dir,
              "sh",
              "eval \"$(cat exported.sh)\" && printf %s \"$" + e.getKey() + "\"");
      assertEquals(e.getValue(), back.stdout(), back::toString);
    }
    var dotenv = inActions().args("export", "--format", "dotenv").valuesOnStdout().go();
    assertEquals(0, dotenv.exit(), dotenv::toString);
    assertTrue(dotenv.stdout().startsWith("# ##[add-mask]"), dotenv.stdout());
    assertRunnerSafe(dotenv);
    assertEquals(values, DotenvReader.read(dotenv.stdout()));
    assertEquals(EARLIER, Files.readString(githubEnv));
  }

  /** Values written as workflow commands act as none, whichever format prints them. */
  @Test
  void valuesThatAreWorkflowCommandsActAsNone() throws IOException {
    hostileValues();
    for (String format : List.of("sh", "dotenv", "github")) {
      var run = inActions().args("export", "--format", format, "-o", "-").valuesOnStdout().go();
      assertEquals(0, run.exit(), run::toString);
      assertRunnerSafe(run);
    }
    var toEnvFile = inActions().args("export", "--format", "github").valuesOnStdout().go();
    assertEquals(0, toEnvFile.exit(), toEnvFile::toString);
    assertRunnerSafe(toEnvFile);
    assertTrue(
        toEnvFile.stderr().contains("warning: TINY: its value is shorter than 4 characters"),
        toEnvFile::toString);
    assertTrue(
        toEnvFile
            .stderr()
            .contains("warning: JSONISH: 2 lines of its value are shorter than 4 characters"),
        toEnvFile::toString);
  }

  /** A mapped set of values that try to be workflow commands, plus lines too short to mask. */
  private void hostileValues() {
    values.clear();
    values.put(
        "COMMANDS",
        "::error::pwned\n  ::warning::pwned\n::stop-commands::evil\n::add-path::/tmp/evil");
    values.put("LEGACY", "a ##[error]pwned ##[set-env name=X]y");
    values.put("NOT_THE_TOKEN", "::kvload-00000000000000000000000000000000::");
    values.put("TINY", "x");
    values.put("JSONISH", "{\n  \"key\": \"s3cr3t-5f6e\"\n}");
    mapValues();
  }

  /** Puts each of {@link #values} in the fake vault and maps its variable to it. */
  private void mapValues() {
    StringBuilder secrets = new StringBuilder();
    values.forEach(
        (variable, value) -> {
          String name = variable.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
          h.fake.put("kvload-test", name, value);
          secrets.append(secrets.isEmpty() ? "" : ", ");
          secrets.append('"').append(variable).append("\": \"").append(name).append('"');
        });
    h.manifest(
        "{\"vault\": \"" + h.fake.vaultUrl("kvload-test") + "\", \"secrets\": {" + secrets + "}}");
  }

  /** run: the masks are on stdout before the command prints anything. */
  @Test
  void runMasksEveryValueBeforeTheCommandStarts() {
    var run =
        inActions()
            .args("run", "--", "sh", "-c", "printf '%s\\n' \"$DATABASE_URL\" \"$TLS_KEY\"")
            .valuesOnStdout()
            .go();
    assertEquals(0, run.exit(), run::toString);
    String masks = expectedMasks();
    assertTrue(run.stdout().startsWith(masks), run.stdout());
    assertEquals(
        values.get("DATABASE_URL") + "\n" + values.get("TLS_KEY") + "\n",
        run.stdout().substring(masks.length()));
    RunnerLog runner = assertRunnerSafe(run);
    assertEquals("***", runner.shown().getFirst());
  }

  /**
   * check masks too (its table holds no value, but the job's later steps may print one), except
   * before --json, which must stay JSON. Hostile ids and versions reach neither the log nor the
   * summary as anything but text.
   */
  @Test
  void checkMasksBeforeItsTableButNotBeforeJson() throws IOException {
    var table = inActions().args("check").valuesOnStdout().go();
    assertEquals(0, table.exit(), table::toString);
    assertTrue(table.stdout().startsWith(expectedMasks() + "VARIABLE"), table.stdout());
    assertRunnerSafe(table);
    var json = inActions().args("check", "--json").go();
    assertEquals(0, json.exit(), json::toString);
    assertEquals(
        3, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.stdout()).size());
  }

  /** JSON has no comments for the masks: to stdout inside a job it is refused before any fetch. */
  @Test
  void jsonToStdoutIsRefusedButToAFileIsMasked() throws IOException {
    var refused = inActions().args("export", "--format", "json").go();
    assertEquals(2, refused.exit(), refused::toString);
    assertTrue(refused.stderr().contains("use --format sh, dotenv or github"), refused::toString);
    assertEquals("", refused.stdout());
    assertEquals(List.of(), h.fake.secretRequests(), "nothing fetched");
    Path shm = TestFolder.create(TestFolder.SHM);
    try {
      Path file = shm.resolve("secrets.json");
      var written =
          inActions()
              .args("export", "--format", "json", "-o", file.toString())
              .valuesOnStdout()
              .go();
      assertEquals(0, written.exit(), written::toString);
      assertEquals(expectedMasks(), written.stdout());
      assertEquals(
          values,
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readValue(
                  file.toFile(),
                  new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {}));
    } finally {
      TestFolder.remove(shm);
    }
  }

  /** The {@code run:} lines of the example workflow that call kvload. */
  static List<String> workflowKvloadLines() throws IOException {
    return Files.readAllLines(WORKFLOW).stream()
        .map(String::strip)
        .filter(l -> l.startsWith("run: kvload "))
        .map(l -> l.substring("run: ".length()))
        .toList();
  }

  static final CompositeAction ACTION = new CompositeAction(Harness.HOME.resolve("action.yml"));

  /** A runner's environment with no Java, an app federated with this job, and the runner files. */
  private Map<String, String> runner(Path summary) {
    Map<String, String> env =
        Archive.envWithoutJava(h, Archive.toolsWithoutJava(h.dir.resolve("tools")));
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_ENV", githubEnv.toString());
    env.put("GITHUB_STEP_SUMMARY", summary.toString());
    env.put("GITHUB_WORKSPACE", h.dir.toString());
    env.putAll(h.fake.githubActionsEnv());
    return env;
  }

  /** The archive mvn package built, as a release folder on the runner (SHA256SUMS beside it). */
  private String localRelease() {
    Path release = Archive.release(h.dir.resolve("release"), Archive.sha256(Archive.file()));
    return release.resolve(Archive.file().getFileName()).toString();
  }

  /**
   * The README's workflow: its kvload step's inputs, the repository variables holding a federated
   * app's IDs, run through action.yml's steps on a runner without Java; only the archive is local.
   */
  @Test
  void theDocumentedWorkflowRunsTheAction() throws IOException {
    String readme = Files.readString(Harness.HOME.resolve("README.md"));
    assertTrue(readme.contains(Files.readString(WORKFLOW)), "README shows " + WORKFLOW);
    var app = h.fake.entra().register().federate(FakeEntra.GITHUB_ISSUER, h.fake.githubSubject());
    Map<String, String> vars =
        Map.of("vars.AZURE_CLIENT_ID", app.clientId(), "vars.AZURE_TENANT_ID", app.tenant());
    Map<String, String> with = new LinkedHashMap<>();
    CompositeAction.with(WORKFLOW, "kvload/kvload@")
        .forEach((k, v) -> with.put(k, CompositeAction.evaluate(v, vars)));
    with.put("archive", localRelease());
    Path summary = h.write("runner/summary.md", "");

    var result = ACTION.run(h, with, runner(summary), h.dir);
    for (var run : result.runs()) {
      assertEquals(0, run.exit(), run::toString);
    }
    assertEquals(3, result.runs().size(), "version, install, run: " + result.runs());
    String version = result.outputs().get("version").get("version");
    assertEquals("kvload-" + version, Archive.name().replaceFirst("-[a-z]+-[a-z0-9]+$", ""));
    assertTrue(Files.readString(summary).contains("| ✅ | `DATABASE_URL` |"));
    assertEquals(values, heredocs(Files.readString(githubEnv).substring(EARLIER.length())));
    assertTrue(result.last().stdout().contains(expectedMasks()), result.last()::toString);
    Path installed = h.dir.resolve("runner/tool-cache/kvload/" + version + "/lib/kvload");
    Archive.assertOnItsOwnRuntime(result.last().stderr(), installed);

    // A later job of the same version: actions/cache restored the install, nothing is fetched.
    Files.writeString(githubEnv, EARLIER);
    with.remove("archive");
    with.put("version", version);
    with.put("command", "check");
    var again = ACTION.run(h, with, runner(summary), h.dir);
    assertEquals(0, again.last().exit(), again.last()::toString);
    assertTrue(again.runs().get(1).stdout().contains("restored from the cache"), again::toString);
    assertEquals(EARLIER, Files.readString(githubEnv), "check only: nothing exported");
  }

  @Test
  void anUnknownCommandFailsTheStep() {
    Path summary = h.write("runner/summary.md", "");
    var result =
        ACTION.run(h, Map.of("archive", localRelease(), "command", "chek"), runner(summary), h.dir);
    assertEquals(2, result.last().exit(), result.last()::toString);
    assertTrue(result.last().stdout().contains("::error title=kvload::command 'chek'"));
  }

  /** Inputs reach the scripts as environment variables, never as shell code. */
  @Test
  void anInputIsNeverShellCode() {
    for (var step : ACTION.steps) {
      assertTrue(step.run() == null || !step.run().contains("${{"), step.name() + ": env only");
    }
    Path summary = h.write("runner/summary.md", "");
    String hostile = "kvload.json\"; touch pwned; echo \"$(touch pwned2)";
    var result =
        ACTION.run(
            h,
            Map.of("archive", localRelease(), "manifest", hostile, "command", "check"),
            runner(summary),
            h.dir);
    assertEquals(3, result.last().exit(), result.last()::toString);
    assertFalse(Files.exists(h.dir.resolve("pwned")));
    assertFalse(Files.exists(h.dir.resolve("pwned2")));
  }
}
