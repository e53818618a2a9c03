package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.guard.InProcessKvload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload check} as a CI job sees it, in-process: the table or JSON on stdout, inside GitHub
 * Actions the masks first (never before JSON), an annotation for each problem on the manifest's
 * line, the summary page, and the exit status.
 */
class CheckerRunTest {
  private static final String VALUE = "s3cr3t-value-never-printed";
  private static final String MANIFEST =
      "{\"vault\": \"contoso-dev\", \"secrets\": {\n  \"A\": \"a\",\n  \"B\": {\"secret\": \"b\","
          + " \"optional\": true}}}";

  @TempDir Path dir;
  private Path summary;

  @BeforeEach
  void manifest() throws IOException {
    Files.writeString(dir.resolve("kvload.json"), MANIFEST);
    summary = dir.resolve("summary.md");
  }

  static Stream<Arguments> checks() {
    return Stream.of(
        Arguments.of(
            "outside Actions: the table, no masks, no annotations",
            false,
            true,
            List.of(),
            0,
            "VARIABLE  SECRET",
            List.of("kvload: checked 2 variables in "),
            false),
        Arguments.of(
            "inside Actions: masks first, a warning for the optional one, the summary",
            true,
            true,
            List.of(),
            0,
            "::add-mask::" + VALUE + "\n",
            List.of(
                "::warning file=kvload.json,line=3,col=3,title=kvload check%3A B missing::B: secret"
                    + " 'b' in vault contoso-dev is missing: not found (optional, so this fails"
                    + " nothing)\n"),
            true),
        Arguments.of(
            "inside Actions, --json: no masks before the JSON",
            true,
            true,
            List.of("--json"),
            0,
            "[ {",
            List.of(),
            true),
        Arguments.of(
            "inside Actions, a required secret missing: an error on its line, exit 5",
            true,
            false,
            List.of(),
            5,
            "VARIABLE  SECRET",
            List.of(
                "::error file=kvload.json,line=2,col=3,title=kvload check%3A A missing::A: secret"
                    + " 'a' in vault contoso-dev is missing: not found\n"),
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("checks")
  void checkReportsWhereTheJobLooks(
      String name,
      boolean actions,
      boolean aExists,
      List<String> options,
      int exit,
      String stdoutStart,
      List<String> stderrHas,
      boolean summarized)
      throws IOException {
    InProcessKvload kvload = new InProcessKvload(dir);
    if (aExists) {
      kvload.secret("contoso-dev", "a", VALUE);
    }
    if (actions) {
      kvload
          .env("GITHUB_ACTIONS", "true")
          .env("GITHUB_STEP_SUMMARY", summary.toString())
          .env("GITHUB_WORKSPACE", dir.toString());
    }
    List<String> args = new ArrayList<>(List.of("check"));
    args.addAll(options);
    var run = kvload.runPrintingValues(args.toArray(String[]::new));
    assertEquals(exit, run.exit(), run::toString);
    assertTrue(run.stdout().startsWith(stdoutStart), () -> name + ":\n" + run.stdout());
    if (stdoutStart.startsWith("VARIABLE")) {
      // The note column: an optional secret's problem says it fails nothing, a required one's not.
      assertTrue(
          run.stdout()
              .matches(
                  "(?s).*\nA +a +contoso-dev +\\S+ +(ok +- *|missing +- +not found)\n"
                      + "B +b +contoso-dev +- +missing +- +not found \\(optional\\)\n"),
          run::stdout);
    }
    stderrHas.forEach(line -> assertTrue(run.stderr().contains(line), run::toString));
    if (!actions) {
      assertFalse(run.stdout().contains("::") || run.stderr().contains("::"), run::toString);
    }
    assertEquals(summarized, Files.exists(summary), "summary written");
    if (summarized) {
      String markdown = Files.readString(summary);
      assertTrue(markdown.contains("| A |") || markdown.contains("`A`"), markdown);
      assertFalse(markdown.contains(VALUE), markdown);
    }
  }

  /** A manifest that cannot be read still shows on the run's page, as one error titled so. */
  @Test
  void aBrokenManifestInsideActionsIsOneAnnotation() throws IOException {
    Files.writeString(dir.resolve("kvload.json"), "{\"secrets\": {\"1A\": \"a\"}}");
    var run = new InProcessKvload(dir).env("GITHUB_ACTIONS", "true").run("check");
    assertEquals(3, run.exit(), run::toString);
    assertTrue(
        run.stderr()
            .startsWith("::error title=kvload check::kvload.json:1:14: '1A' is not a valid"),
        run::toString);
    assertEquals("", run.stdout());
  }
}
