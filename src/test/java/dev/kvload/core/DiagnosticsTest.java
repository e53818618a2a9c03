package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What each kind of line shows with -q, by default and with -v, and how it is shown. */
class DiagnosticsTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Diagnostics diagnostics(boolean quiet, boolean verbose) {
    return new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), quiet, verbose);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> levels() {
    BiConsumer<Diagnostics, String> error = Diagnostics::error;
    BiConsumer<Diagnostics, String> warn = Diagnostics::warn;
    BiConsumer<Diagnostics, String> info = Diagnostics::info;
    BiConsumer<Diagnostics, String> verbose = Diagnostics::verbose;
    return Stream.of(
        Arguments.of("an error, by default", error, false, false, "kvload: x\n"),
        Arguments.of("an error even with -q", error, true, false, "kvload: x\n"),
        Arguments.of("an error with -v", error, false, true, "kvload: x\n"),
        Arguments.of("a warning, by default", warn, false, false, "kvload: warning: x\n"),
        Arguments.of("a warning with -v", warn, false, true, "kvload: warning: x\n"),
        Arguments.of("no warning with -q", warn, true, false, ""),
        Arguments.of("the summary, by default", info, false, false, "kvload: x\n"),
        Arguments.of("no summary with -q", info, true, false, ""),
        Arguments.of("the summary with -v", info, false, true, "kvload: x\n"),
        Arguments.of("no detail by default", verbose, false, false, ""),
        Arguments.of("no detail with -q", verbose, true, false, ""),
        Arguments.of("detail with -v", verbose, false, true, "kvload: x\n"),
        Arguments.of("detail with -q -v: -v asked for it", verbose, true, true, "kvload: x\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("levels")
  void shows(
      String name,
      BiConsumer<Diagnostics, String> say,
      boolean quiet,
      boolean verbose,
      String expected) {
    say.accept(diagnostics(quiet, verbose), "x");
    assertEquals(expected, stderr());
  }

  /** A name from a manifest or a vault cannot move the cursor or forge a line of its own. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("levels")
  void controlCharactersAreNeverPrintedRaw(
      String name,
      BiConsumer<Diagnostics, String> say,
      boolean quiet,
      boolean verbose,
      String expected) {
    say.accept(diagnostics(quiet, verbose), "x\n::error::forged\u001b[2J");
    String printed = stderr();
    if (!expected.isEmpty()) {
      assertEquals(1, printed.lines().count(), printed);
      assertEquals(-1, printed.indexOf('\u001b'), printed);
    }
  }

  @ParameterizedTest(name = "-q {0}, -v {1}")
  @MethodSource("flags")
  void isVerboseIsWhatVAsked(boolean quiet, boolean verbose) {
    assertEquals(verbose, diagnostics(quiet, verbose).isVerbose());
  }

  static Stream<Arguments> flags() {
    return Stream.of(
        Arguments.of(false, false),
        Arguments.of(false, true),
        Arguments.of(true, false),
        Arguments.of(true, true));
  }

  /**
   * Workflow commands go out as given, even with -q, and at once: the runner must have read a mask
   * before anything that follows can print the value.
   */
  @Test
  void machineLinesAreVerbatimAndFlushedEvenWhenQuiet() {
    PrintStream buffered =
        new PrintStream(new BufferedOutputStream(err, 1 << 16), false, StandardCharsets.UTF_8);
    new Diagnostics(buffered, true, false).machine("::add-mask::x\n::error::y\n");
    assertEquals("::add-mask::x\n::error::y\n", stderr());
  }

  @Test
  void flushPushesOutWhatWasBuffered() {
    PrintStream buffered =
        new PrintStream(new BufferedOutputStream(err, 1 << 16), false, StandardCharsets.UTF_8);
    Diagnostics diagnostics = new Diagnostics(buffered, false, false);
    diagnostics.info("summary");
    assertEquals("", stderr(), "buffered until flushed");
    diagnostics.flush();
    assertEquals("kvload: summary\n", stderr());
  }
}
