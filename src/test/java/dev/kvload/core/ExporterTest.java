package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.guard.InProcessKvload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

  /** Where the env file and the manifest's files go, for each -o. */
  static Stream<Arguments> files() {
    return Stream.of(
        Arguments.of(
            "-o FILE: the files beside it, in FILE.files",
            List.of("-o", "out.env"),
            "out.env",
            "out.env.files",
            ""),
        Arguments.of(
            "-o FILE --files-dir DIR: the files in DIR",
            List.of("-o", "out.env", "--files-dir", "custom"),
            "out.env",
            "custom",
            ""),
        Arguments.of(
            "-o alone: the default env file under $XDG_RUNTIME_DIR, the files beside it",
            List.of("-o"),
            "run/kvload/env",
            "run/kvload/env.files",
            "kvload: wrote 2 variables to " + "DIR/run/kvload/env\n"),
        Arguments.of(
            "stdout: the files beside the default env file",
            List.of(),
            null,
            "run/kvload/env.files",
            ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void writesTheManifestsFilesAndTheirPathsAsVariables(
      String name, List<String> output, String envFile, String filesDir, String message)
      throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"),
        "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\"}, \"files\": {\"conf/app.ini\":"
            + " {\"template\": \"app.tmpl\", \"env\": \"APP_INI\"}}}");
    Files.writeString(dir.resolve("app.tmpl"), "key={{kv:A}}\n");
    Files.createDirectory(
        dir.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    List<String> args = new ArrayList<>(List.of("export", "--allow-persistent"));
    args.addAll(output);
    var run =
        kvload(Where.SHELL)
            .env("XDG_RUNTIME_DIR", dir.resolve("run").toString())
            .runPrintingValues(args.toArray(String[]::new));
    assertEquals(0, run.exit(), run::toString);
    Path files = dir.resolve(filesDir);
    assertEquals("key=" + VALUE + "\n", Files.readString(files.resolve("conf/app.ini")));
    String env =
        "export A='" + VALUE + "'\nexport APP_INI='" + files.resolve("conf/app.ini") + "'\n";
    if (envFile == null) {
      assertEquals(env, run.stdout());
    } else {
      assertEquals(env, Files.readString(dir.resolve(envFile)));
      assertEquals("", run.stdout());
    }
    assertTrue(run.stderr().contains("kvload: wrote 1 file under " + files + "\n"), run::toString);
    assertTrue(run.stderr().contains(message.replace("DIR", dir.toString())), run::toString);
    assertFalse(run.stderr().contains(VALUE), run::toString);
    if (filesDir.startsWith("run/")) {
      // The default env file's folder is made private before anything goes into it.
      assertEquals("rwx------", mode(dir.resolve("run/kvload")));
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  /**
   * A default env file folder others may enter is refused before anything is written, for the env
   * file and for the files beside it (stdout, with files in the manifest).
   */
  @ParameterizedTest(name = "files in the manifest: {0}")
  @MethodSource("booleans")
  void anOpenDefaultFolderIsRefused(boolean withFiles) throws IOException {
    if (withFiles) {
      Files.writeString(
          dir.resolve("kvload.json"),
          "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\"}, \"files\":"
              + " {\"app.ini\": {\"secret\": \"a\"}}}");
    }
    Path run = dir.resolve("run");
    Files.createDirectory(
        run, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path open = Files.createDirectory(run.resolve("kvload"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> args = new ArrayList<>(List.of("export", "--allow-persistent"));
    if (!withFiles) {
      args.add("-o");
    }
    var result =
        kvload(Where.SHELL).env("XDG_RUNTIME_DIR", run.toString()).run(args.toArray(String[]::new));
    assertEquals(7, result.exit(), result::toString);
    assertTrue(
        result.stderr().contains(open + " is open to other users (mode rwxr-xr-x)"),
        result::toString);
    assertEquals("", result.stdout());
    try (Stream<Path> left = Files.list(open)) {
      assertEquals(List.of(), left.toList());
    }
  }

  static Stream<Boolean> booleans() {
    return Stream.of(false, true);
  }

  /** -o alone without files: the default env file's private folder is made for the env file. */
  @Test
  void theDefaultEnvFileGetsAPrivateFolder() throws IOException {
    Files.createDirectory(
        dir.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    var run =
        kvload(Where.SHELL)
            .env("XDG_RUNTIME_DIR", dir.resolve("run").toString())
            .run("export", "--allow-persistent", "-o");
    assertEquals(0, run.exit(), run::toString);
    Path env = dir.resolve("run/kvload/env");
    assertEquals("export A='" + VALUE + "'\n", Files.readString(env));
    assertEquals("rwx------", mode(env.getParent()));
    assertEquals("rw-------", mode(env));
    assertTrue(run.stderr().contains("kvload: wrote 1 variable to " + env + "\n"), run::toString);
  }

  /** Without files in the manifest there is no files folder, and nothing is said about one. */
  @Test
  void noFilesNoFilesFolder() throws IOException {
    var run = kvload(Where.SHELL).run("export", "-o", "out.env", "--allow-persistent");
    assertEquals(0, run.exit(), run::toString);
    assertEquals("export A='" + VALUE + "'\n", Files.readString(dir.resolve("out.env")));
    assertFalse(Files.exists(dir.resolve("out.env.files")));
    assertFalse(run.stderr().contains("file"), run::toString);
  }

  static Stream<Arguments> outputs() {
    return Stream.of(
        Arguments.of(
            "--on-conflict keep: a variable already set keeps its value in the output",
            "s3cr3t-plain",
            List.of("--on-conflict", "keep"),
            "export A='from-the-job'\n",
            List.of()),
        Arguments.of(
            "--format dotenv: a value docker compose would expand is written, with a warning",
            "s3cr3t-${HOME}",
            List.of("--format", "dotenv"),
            "A=\"s3cr3t-${HOME}\"\n",
            List.of(
                "kvload: warning: A: its value holds $NAME or ${...}, which docker compose expands"
                    + " (python-dotenv: ${...}); kvload run or --format sh pass it exactly")),
        Arguments.of(
            "--format sh: the same value, no warning",
            "s3cr3t-${HOME}",
            List.of("--format", "sh"),
            "export A='s3cr3t-${HOME}'\n",
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outputs")
  void writesWhatTheVariablesWouldBe(
      String name, String value, List<String> options, String stdout, List<String> warnings) {
    List<String> args = new ArrayList<>(List.of("export"));
    args.addAll(options);
    var run =
        new InProcessKvload(dir)
            .secret("contoso-dev", "a", value)
            .env("A", "from-the-job")
            .runPrintingValues(args.toArray(String[]::new));
    assertEquals(0, run.exit(), run::toString);
    assertEquals(stdout, run.stdout());
    warnings.forEach(w -> assertTrue(run.stderr().contains(w), run::toString));
    assertEquals(
        warnings.size(), run.stderr().lines().filter(l -> l.contains("warning: A:")).count());
    assertFalse(run.stderr().contains(value), run::toString);
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
