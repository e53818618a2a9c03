package dev.kvload.guard;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The guard itself: it catches leaks, says where without repeating the value, and is everywhere.
 */
class SecretGuardTest {
  private static final String VALUE = "hunter2-is-the-secret";

  @Test
  void aValueOnStderrFailsAndTheFailureDoesNotRepeatIt() {
    var failure =
        assertThrows(
            AssertionFailedError.class,
            () ->
                Leaks.assertNone(
                    List.of(VALUE), new Output("run 1", "", "kvload: oops " + VALUE, false)));
    assertTrue(failure.getMessage().contains("stderr of run 1"), failure::getMessage);
    assertFalse(failure.getMessage().contains(VALUE));
  }

  @Test
  void aValueOnStdoutFailsUnlessTheRunAskedForValues() {
    var leak = new Output("run 2", "export A='" + VALUE + "'", "", false);
    assertThrows(AssertionFailedError.class, () -> Leaks.assertNone(List.of(VALUE), leak));
    var asked = new Output("run 3", "export A='" + VALUE + "'", "", true);
    assertDoesNotThrow(() -> Leaks.assertNone(List.of(VALUE), asked));
  }

  @Test
  void valuesTooShortToTellApartAreNotChecked() {
    assertDoesNotThrow(
        () -> Leaks.assertNone(List.of("ok", " 1 "), new Output("run", "ok", "1 ok", false)));
  }

  /** A test class with a fake that knows a value and a runner that leaked it. */
  static final class LeakyTest {
    private final Guarded fake = guarded(List.of(VALUE), List.of());
    private final Guarded runner =
        guarded(List.of(), List.of(new Output("run 4", "", "kvload: " + VALUE, false)));
  }

  @Test
  void theGuardChecksEveryOutputAgainstEveryFakeOfATest() {
    var failure =
        assertThrows(AssertionFailedError.class, () -> SecretGuard.check(List.of(new LeakyTest())));
    assertTrue(failure.getMessage().contains("run 4"), failure::getMessage);
  }

  @Test
  void theGuardIsRegisteredForEveryTestClass() throws IOException {
    Path resources = Path.of("src/test/resources");
    assertTrue(
        Files.readString(resources.resolve("junit-platform.properties"))
            .contains("junit.jupiter.extensions.autodetection.enabled=true"));
    assertTrue(
        Files.readString(
                resources.resolve("META-INF/services/org.junit.jupiter.api.extension.Extension"))
            .contains(SecretGuard.class.getName()));
  }

  /**
   * Tests run kvload only through the two guarded runners, so none can skip the check: nothing else
   * under src/test calls {@code Kvload.run} or starts {@code bin/kvload}.
   */
  @Test
  void kvloadRunsOnlyThroughGuardedRunners() throws IOException {
    List<String> allowed =
        List.of(
            "src/test/java/dev/kvload/guard/InProcessKvload.java",
            "src/test/java/dev/kvload/it/Harness.java",
            // Runs documented recipes through a shell; its outputs go through Harness.record.
            "src/test/java/dev/kvload/it/Shell.java",
            // Checks the installed layout (bin/kvload under the prefix) and runs it through Shell.
            "src/test/java/dev/kvload/it/FeatureInstallIT.java",
            // Names an install's launcher, which the tests run through Harness.
            "src/test/java/dev/kvload/it/Archive.java",
            "src/test/java/dev/kvload/guard/SecretGuardTest.java");
    try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
      List<String> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> !allowed.contains(p.toString()))
              .filter(
                  p -> {
                    try {
                      String source = Files.readString(p);
                      return source.contains("Kvload.run(") || source.contains("\"bin/kvload\"");
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .map(Path::toString)
              .toList();
      assertTrue(
          offenders.isEmpty(),
          "run kvload through InProcessKvload or Harness, which check for leaks: " + offenders);
    }
  }

  private static Guarded guarded(List<String> values, List<Output> outputs) {
    return new Guarded() {
      @Override
      public Collection<String> secretValues() {
        return values;
      }

      @Override
      public List<Output> outputs() {
        return outputs;
      }
    };
  }
}
