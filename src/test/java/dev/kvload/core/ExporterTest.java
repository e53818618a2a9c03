package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.guard.InProcessKvload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where {@code kvload export} sends the secrets, and how it frames them, inside and outside GitHub
 * Actions: masks before any value, never in a form the output's reader would take for data, and
 * {@code $GITHUB_ENV} written only by {@code --format github} inside a real Actions job.
 */
class ExporterTest {
  private static final String VALUE = "s3cr3t-value-never-printed";
  private static final String EARLIER = "EARLIER=from-another-step\n";
  private static final String STOP = "kvload-[0-9a-f]+";

  @TempDir Path dir;
  private Path githubEnv;

  @BeforeEach
  void manifest() throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"), "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\"}}");
    githubEnv = dir.resolve("github_env");
    Files.writeString(githubEnv, EARLIER);
  }

  /** Where the job's runner would be: none, Actions, or a stray $GITHUB_ENV in a shell. */
  enum Where {
    SHELL,
    SHELL_WITH_STRAY_GITHUB_ENV,
    ACTIONS,
    ACTIONS_WITHOUT_GITHUB_ENV
  }

  static Stream<Arguments> exports() {
    String sh = "export A='" + VALUE + "'\n";
    String dotenv = "A=\"" + VALUE + "\"\n";
    String github = "A<<ghadelimiter_[0-9a-f]+\n" + VALUE + "\nghadelimiter_[0-9a-f]+\n";
    String commentFrame = "# ##\\[add-mask\\]" + VALUE + "\n# ##\\[stop-commands\\]" + STOP + "\n";
    String commandFrame = "::add-mask::" + VALUE + "\n::stop-commands::" + STOP + "\n";
    return Stream.of(
        Arguments.of(
            "outside Actions, sh: the values alone", Where.SHELL, "sh", null, q(sh), false),
        Arguments.of(
            "a stray $GITHUB_ENV outside Actions: github goes to stdout, not the file",
            Where.SHELL_WITH_STRAY_GITHUB_ENV,
            "github",
            null,
            github,
            false),
        Arguments.of(
            "inside Actions, sh: masks and a stop region as comments",
            Where.ACTIONS,
            "sh",
            null,
            commentFrame + q(sh) + "# ##\\[" + STOP + "\\]\n",
            false),
        Arguments.of(
            "inside Actions, dotenv: masks and a stop region as comments",
            Where.ACTIONS,
            "dotenv",
            null,
            commentFrame + q(dotenv) + "# ##\\[" + STOP + "\\]\n",
            false),
        Arguments.of(
            "inside Actions, github: appended to $GITHUB_ENV, only the masks on stdout",
            Where.ACTIONS,
            "github",
            null,
            "::add-mask::" + VALUE + "\n",
            true),
        Arguments.of(
            "inside Actions, github to stdout: masks and a stop region as commands",
            Where.ACTIONS,
            "github",
            "-",
            commandFrame + github + "::" + STOP + "::\n",
            false),
        Arguments.of(
            "inside Actions without $GITHUB_ENV, github: stdout, framed",
            Where.ACTIONS_WITHOUT_GITHUB_ENV,
            "github",
            null,
            commandFrame + github + "::" + STOP + "::\n",
            false));
  }

  private static String q(String literal) {
    return Pattern.quote(literal);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exports")
  void exportGoesWhereTheJobExpects(
      String name, Where where, String format, String output, String stdout, boolean toGithubEnv)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("export", "--format", format));
    if (output != null) {
      args.addAll(List.of("-o", output));
    }
    var run = kvload(where).runPrintingValues(args.toArray(String[]::new));
    assertEquals(0, run.exit(), run::toString);
    assertTrue(
        Pattern.compile(stdout).matcher(run.stdout()).matches(),
        () -> "stdout of " + name + " does not match " + stdout + ":\n" + run.stdout());
    String file = Files.readString(githubEnv);
    if (toGithubEnv) {
      assertTrue(
          Pattern.compile(
                  q(EARLIER) + "A<<ghadelimiter_[0-9a-f]+\n" + q(VALUE) + "\n.*", Pattern.DOTALL)
              .matcher(file)
              .matches(),
          "appended after what earlier steps wrote");
      assertTrue(run.stderr().contains("added 1 variable to $GITHUB_ENV"), run::toString);
    } else {
      assertEquals(EARLIER, file, "$GITHUB_ENV untouched");
    }
  }

  static Stream<Arguments> jsonInActions() {
    return Stream.of(
        Arguments.of("to stdout by default", List.of()),
        Arguments.of("to stdout by -o -", List.of("-o", "-")));
  }

  /** JSON has no room for the masks the runner must read first: refused, nothing printed. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("jsonInActions")
  void jsonToStdoutInsideActionsIsRefused(String name, List<String> output) {
    List<String> args = new ArrayList<>(List.of("export", "--format", "json"));
    args.addAll(output);
    var run = kvload(Where.ACTIONS).run(args.toArray(String[]::new));
    assertEquals(2, run.exit(), run::toString);
    assertEquals("", run.stdout());
    assertTrue(run.stderr().contains("use --format sh, dotenv or github"), run::toString);
  }

  /** JSON to a file inside Actions: the masks still reach the runner, as commands on stdout. */
  @Test
  void jsonToAFileInsideActionsMasksOnStdout() throws IOException {
    Path file = dir.resolve("secrets.json");
    var run =
        kvload(Where.ACTIONS)
            .runPrintingValues(
                "export", "--format", "json", "-o", file.toString(), "--allow-persistent");
    assertEquals(0, run.exit(), run::toString);
    assertEquals("::add-mask::" + VALUE + "\n", run.stdout());
    assertTrue(Files.readString(file).contains("\"" + VALUE + "\""));
  }

  private InProcessKvload kvload(Where where) {
    InProcessKvload kvload = new InProcessKvload(dir).secret("contoso-dev", "a", VALUE);
    switch (where) {
      case SHELL -> {}
      case SHELL_WITH_STRAY_GITHUB_ENV -> kvload.env("GITHUB_ENV", githubEnv.toString());
      case ACTIONS -> kvload.env("GITHUB_ACTIONS", "true").env("GITHUB_ENV", githubEnv.toString());
      case ACTIONS_WITHOUT_GITHUB_ENV -> kvload.env("GITHUB_ACTIONS", "true");
    }
    return kvload;
  }
}
