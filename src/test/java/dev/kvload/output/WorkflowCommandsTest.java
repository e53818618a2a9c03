package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WorkflowCommandsTest {

  /** The runner's own unescaping (ActionCommand.UnescapeData): replacements in this order. */
  static String runnerData(String escaped) {
    return escaped.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%");
  }

  /** ActionCommand.UnescapeProperty. */
  static String runnerProperty(String escaped) {
    return escaped
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%");
  }

  static Stream<Arguments> texts() {
    return Stream.of(
        Arguments.of("plain", "hunter2"),
        Arguments.of("percent", "100%"),
        Arguments.of("escape lookalike", "%0A is not a newline"),
        Arguments.of("double escape lookalike", "%250A"),
        Arguments.of("newlines", "one\ntwo\r\nthree\rfour"),
        Arguments.of("colons and commas", "a:b,c::d"),
        Arguments.of("command lookalike", "::error::boom"),
        Arguments.of("unicode", "påsswörd ✓"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("texts")
  void dataRoundTripsThroughTheRunner(String name, String text) {
    String escaped = WorkflowCommands.data(text);
    assertEquals(-1, escaped.indexOf('\n'), "one line");
    assertEquals(-1, escaped.indexOf('\r'), "one line");
    assertEquals(text, runnerData(escaped));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("texts")
  void propertyRoundTripsThroughTheRunner(String name, String text) {
    String escaped = WorkflowCommands.property(text);
    for (char c : new char[] {'\n', '\r', ':', ','}) {
      assertEquals(-1, escaped.indexOf(c), "no raw " + (int) c);
    }
    assertEquals(text, runnerProperty(escaped));
  }

  static Stream<Arguments> annotations() {
    return Stream.of(
        Arguments.of(
            "with a place and a title",
            new Object[] {"error", "kvload.json", 4, 5, "kvload check: X missing", "X: gone"},
            "::error file=kvload.json,line=4,col=5,title=kvload check%3A X missing::X: gone\n"),
        Arguments.of(
            "file without a line",
            new Object[] {"warning", "a,b.json", 0, 0, null, "m"},
            "::warning file=a%2Cb.json::m\n"),
        Arguments.of(
            "no place",
            new Object[] {"error", null, 3, 1, "kvload check", "line one\nline two"},
            "::error title=kvload check::line one%0Aline two\n"),
        Arguments.of(
            "nothing but the message",
            new Object[] {"warning", null, 0, 0, null, "50% done"},
            "::warning::50%25 done\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("annotations")
  void annotation(String name, Object[] in, String expected) {
    assertEquals(
        expected,
        WorkflowCommands.annotation(
            (String) in[0],
            (String) in[1],
            (int) in[2],
            (int) in[3],
            (String) in[4],
            (String) in[5]));
  }

  static Stream<Arguments> masks() {
    return Stream.of(
        Arguments.of("one line", new String[] {"s3cret"}, "::add-mask::s3cret\n"),
        Arguments.of(
            "each line of a multi-line value, blank ones skipped",
            new String[] {"-----BEGIN KEY-----\nabc%def\r\n\n  \n-----END KEY-----\n"},
            "::add-mask::-----BEGIN KEY-----\n::add-mask::abc%25def\n::add-mask::-----END KEY-----\n"),
        Arguments.of(
            "every value", new String[] {"a1b2", "b2c3"}, "::add-mask::a1b2\n::add-mask::b2c3\n"),
        Arguments.of("empty value", new String[] {""}, ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("masks")
  void masks(String name, String[] values, String expected) {
    assertEquals(expected, GithubMasks.commands(java.util.List.of(values)));
  }

  /** The older form's escaping, which a comment mask uses, round-trips through the runner. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("texts")
  void maskCommentRoundTripsThroughTheRunner(String name, String text) {
    String comment = WorkflowCommands.maskComment(text);
    assertEquals(1, comment.lines().count(), "one line");
    RunnerLog runner = new RunnerLog().read(comment);
    assertEquals(List.of("add-mask:" + text), runner.acted());
  }

  /**
   * Between stop and resume the runner acts on nothing a value could hold, in either form, and
   * resumes at the token alone; masks before the stop still count.
   */
  @Test
  void stopAndResumeInBothForms() {
    List<String> hostile =
        List.of(
            "::error::pwned",
            "  ::warning title=x::pwned",
            "::add-mask::hides-nothing",
            "::stop-commands::other",
            "x ##[error]pwned",
            "::endgroup::",
            "::KVLOAD-NOT-THE-TOKEN::");
    String token = WorkflowCommands.stopToken(hostile);
    for (boolean comments : new boolean[] {false, true}) {
      String text =
          WorkflowCommands.mask("s3cr3t-line")
              + (comments ? WorkflowCommands.stopComment(token) : WorkflowCommands.stop(token))
              + String.join("\n", hostile)
              + "\nthe s3cr3t-line here\n"
              + (comments ? WorkflowCommands.resumeComment(token) : WorkflowCommands.resume(token))
              + "::notice::after\n";
      RunnerLog runner = new RunnerLog().read(text);
      assertEquals(
          List.of("add-mask", "stop-commands", "resume", "notice"),
          runner.actedNames(),
          "comments " + comments);
      assertEquals(hostile.size() + 1, runner.shown().size());
      assertEquals("the *** here", runner.shown().getLast());
    }
  }

  @Test
  void theStopTokenIsInNoValueInAnyCase() {
    String token = WorkflowCommands.stopToken(List.of());
    assertTrue(token.matches("kvload-[0-9a-f]{32}"), token);
    assertNotEquals(token, WorkflowCommands.stopToken(List.of()));
    var candidates = List.of("kvload-aa11", "kvload-bb22", "kvload-cc33").iterator();
    assertEquals(
        "kvload-cc33",
        WorkflowCommands.stopToken(
            List.of("x KVLOAD-AA11 y", "::kvload-bb22::"), candidates::next));
  }
}
