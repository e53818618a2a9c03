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
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --on-conflict} as {@code export} applies it, in-process: what the output sets when a
 * variable is already set, what stderr says about it, and when the run refuses (exit 7).
 */
class ConflictsTest {
  private static final String VALUE = "s3cr3t-value-never-printed";
  private static final String OLD = "value-from-the-shell";

  @TempDir Path dir;

  static Stream<Arguments> policies() {
    String replaced =
        "kvload: warning: A was already set in the environment: the secret's value replaces it"
            + " (--on-conflict keep keeps the old one)";
    String kept = "kvload: A was already set: keeping its value (--on-conflict keep)";
    return Stream.of(
        Arguments.of(
            "override by default: the secret, with a warning",
            Map.of("A", OLD),
            List.of(),
            0,
            "export A='" + VALUE + "'\n",
            replaced),
        Arguments.of(
            "keep: the old value, noted with -v",
            Map.of("A", OLD),
            List.of("--on-conflict", "keep", "-v"),
            0,
            "export A='" + OLD + "'\n",
            kept),
        Arguments.of(
            "keep without -v: nothing said",
            Map.of("A", OLD),
            List.of("--on-conflict", "keep"),
            0,
            "export A='" + OLD + "'\n",
            null),
        Arguments.of(
            "fail: refused, naming the variable",
            Map.of("A", OLD),
            List.of("--on-conflict", "fail"),
            7,
            "",
            "kvload: --on-conflict fail: A is already set in the environment with another value;"
                + " nothing was written: unset it or choose --on-conflict override or keep"),
        Arguments.of(
            "fail, two of them",
            Map.of("A", OLD, "B", OLD),
            List.of("--on-conflict", "fail"),
            7,
            "",
            "kvload: --on-conflict fail: A, B are already set in the environment with another"
                + " value; nothing was written: unset them or choose --on-conflict override or"
                + " keep"),
        Arguments.of(
            "fail, but already set to the same value: no conflict",
            Map.of("A", VALUE),
            List.of("--on-conflict", "fail"),
            0,
            "export A='" + VALUE + "'\n",
            null),
        Arguments.of(
            "override, already set to the same value: no warning",
            Map.of("A", VALUE),
            List.of(),
            0,
            "export A='" + VALUE + "'\n",
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void aVariableAlreadySet(
      String name,
      Map<String, String> env,
      List<String> options,
      int exit,
      String stdout,
      String said)
      throws IOException {
    boolean two = env.containsKey("B");
    Files.writeString(
        dir.resolve("kvload.json"),
        "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\""
            + (two ? ", \"B\": \"a\"" : "")
            + "}}");
    InProcessKvload kvload = new InProcessKvload(dir).secret("contoso-dev", "a", VALUE);
    env.forEach(kvload::env);
    List<String> args = new ArrayList<>(List.of("export"));
    args.addAll(options);
    var run = kvload.runPrintingValues(args.toArray(String[]::new));
    assertEquals(exit, run.exit(), run::toString);
    if (!two) {
      assertEquals(stdout, run.stdout());
    }
    if (said != null) {
      assertTrue(run.stderr().contains(said + "\n"), run::toString);
    } else {
      assertFalse(run.stderr().contains("already set"), run::toString);
    }
  }

  static Stream<Arguments> summaries() {
    return Stream.of(
        Arguments.of(
            "two vaults",
            "\"A\": \"a\", \"B\": {\"secret\": \"b\", \"vault\": \"contoso-shared\"}",
            "loaded 2 secrets from 2 vaults in "),
        Arguments.of(
            "an optional one missing from a second vault counts no vault",
            "\"A\": \"a\", \"B\": {\"secret\": \"missing\", \"vault\": \"contoso-shared\","
                + " \"optional\": true}",
            "loaded 1 secret from 1 vault in "));
  }

  /** The summary line counts what was loaded, and the vaults it came from. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("summaries")
  void theSummaryCountsLoadedSecretsAndTheirVaults(String name, String secrets, String summary)
      throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"), "{\"vault\": \"contoso-dev\", \"secrets\": {" + secrets + "}}");
    var run =
        new InProcessKvload(dir)
            .secret("contoso-dev", "a", VALUE)
            .secret("contoso-shared", "b", VALUE)
            .runPrintingValues("export");
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stderr().contains("kvload: " + summary), run::toString);
  }

  static Stream<Arguments> shortValues() {
    return Stream.of(
        Arguments.of("four characters: masked", "Qz7x", null),
        Arguments.of(
            "three characters", "Qz7", "A: its value is shorter than 4 characters, left unmasked"),
        Arguments.of(
            "a short line", "Qz\nWx9y", "A: a line of its value is shorter than 4 characters"),
        Arguments.of(
            "two short lines",
            "Qq\nZz\nWx9y",
            "A: 2 lines of its value are shorter than 4 characters"));
  }

  /** Inside Actions a value too short to mask is named, so nobody believes it hidden. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("shortValues")
  void valuesTooShortToMaskAreNamed(String name, String value, String warning) throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"), "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\"}}");
    var run =
        new InProcessKvload(dir)
            .secret("contoso-dev", "a", value)
            .env("GITHUB_ACTIONS", "true")
            .runPrintingValues("export", "-o", "-");
    assertEquals(0, run.exit(), run::toString);
    if (warning == null) {
      assertFalse(run.stderr().contains("unmasked"), run::toString);
    } else {
      assertTrue(run.stderr().contains("kvload: warning: " + warning), run::toString);
    }
  }
}
