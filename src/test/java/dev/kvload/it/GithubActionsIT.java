package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeEntra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

  /** The masks the runner must see: every non-blank line of every value. */
  private String expectedMasks() {
    StringBuilder out = new StringBuilder();
    for (String value : values.values()) {
      for (String line : value.split("\r\n|\r|\n")) {
        if (!line.isBlank()) {
          out.append("::add-mask::").append(line.replace("%", "%25")).append('\n');
        }
      }
    }
    return out.toString();
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

  @Test
  void dashOKeepsStdoutInsideActions() throws IOException {
    var run = inActions().args("export", "--format", "github", "-o", "-").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    String masks = expectedMasks();
    assertTrue(run.stdout().startsWith(masks), "masks first: " + run.stdout());
    assertEquals(values, heredocs(run.stdout().substring(masks.length())));
    assertEquals(EARLIER, Files.readString(githubEnv));
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

  @Test
  void otherFormatsInsideActionsStillGoToStdout() throws IOException {
    var run = inActions().args("export", "--format", "sh").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stdout().startsWith("export DATABASE_URL="), run.stdout());
    assertEquals(EARLIER, Files.readString(githubEnv));
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
