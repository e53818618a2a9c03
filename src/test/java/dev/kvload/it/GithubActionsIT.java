package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeEntra;
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

  /** The {@code run:} lines of the example workflow that call kvload. */
  static List<String> workflowKvloadLines() throws IOException {
    return Files.readAllLines(WORKFLOW).stream()
        .map(String::strip)
        .filter(l -> l.startsWith("run: kvload "))
        .map(l -> l.substring("run: ".length()))
        .toList();
  }

  @Test
  void theDocumentedWorkflowStepsRun() throws IOException {
    List<String> lines = workflowKvloadLines();
    assertEquals(2, lines.size(), "check, then export: " + lines);
    assertTrue(lines.get(0).startsWith("kvload check --auth github-oidc "), lines.get(0));
    String readme = Files.readString(Harness.HOME.resolve("README.md"));
    Path summary = h.write("runner/summary.md", "");
    Map<String, String> env = h.baseEnv();
    env.put("GITHUB_ACTIONS", "true");
    env.put("GITHUB_ENV", githubEnv.toString());
    env.put("GITHUB_STEP_SUMMARY", summary.toString());
    env.put("GITHUB_WORKSPACE", h.dir.toString());
    // The job's OIDC token, exchanged at the fake Entra for an app federated with this repository.
    var app = h.fake.entra().register().federate(FakeEntra.GITHUB_ISSUER, h.fake.githubSubject());
    env.putAll(h.fake.githubActionsEnv());
    env.put("AZURE_CLIENT_ID", app.clientId());
    env.put("AZURE_TENANT_ID", app.tenant());
    StringBuilder stdout = new StringBuilder();
    for (String line : lines) {
      assertTrue(readme.contains(line), "README shows the same step: " + line);
      var result = Shell.run(h, env, h.dir, "sh", line);
      assertEquals(0, result.exit(), result::toString);
      stdout.append(result.stdout());
    }
    assertTrue(Files.readString(summary).contains("| ✅ | `DATABASE_URL` |"));
    assertEquals(values, heredocs(Files.readString(githubEnv).substring(EARLIER.length())));
    assertTrue(stdout.toString().contains(expectedMasks()));
  }
}
