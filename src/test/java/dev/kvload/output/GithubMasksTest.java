package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GithubMasksTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("one line", List.of("hunter2"), "::add-mask::hunter2\n", 0),
        Arguments.of(
            "each line of a multi-line value",
            List.of("abcd\nbcde\r\ncdef"),
            "::add-mask::abcd\n::add-mask::bcde\n::add-mask::cdef\n",
            0),
        Arguments.of("percent escaped", List.of("100%0A"), "::add-mask::100%250A\n", 0),
        Arguments.of(
            "blank lines skipped, nothing to hide",
            List.of("abcd\n\n \t\nbcde", ""),
            "::add-mask::abcd\n::add-mask::bcde\n",
            0),
        Arguments.of(
            "several values", List.of("x123", "y234"), "::add-mask::x123\n::add-mask::y234\n", 0),
        Arguments.of(
            "a JSON secret's braces are too short to mask",
            List.of("{\n  \"key\": \"s3cr3t\"\n}"),
            "::add-mask::  \"key\": \"s3cr3t\"\n",
            2),
        Arguments.of("a one-character value", List.of("1"), "", 1),
        Arguments.of("three characters, padded", List.of("  abc  "), "", 1),
        Arguments.of("four characters", List.of("abcd"), "::add-mask::abcd\n", 0),
        Arguments.of(
            "a value that is a command itself stays data",
            List.of("::error::boom"),
            "::add-mask::::error::boom\n",
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void masks(String name, List<String> values, String expected, int unmasked) {
    assertEquals(expected, GithubMasks.commands(values));
    assertEquals(unmasked, values.stream().mapToInt(GithubMasks::unmasked).sum());
    // What the runner makes of them: exactly the maskable lines, and nothing else acted on.
    RunnerLog runner = new RunnerLog().read(expected);
    assertEquals(expected.lines().count(), runner.actedNames().size());
    runner.actedNames().forEach(n -> assertEquals("add-mask", n));
    assertEquals(List.of(), runner.shown());
  }

  /** As comment lines: the same masks for the runner, nothing for a sh or dotenv reader. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void comments(String name, List<String> values, String expected, int unmasked) {
    String comments = GithubMasks.comments(values);
    comments.lines().forEach(line -> assertEquals('#', line.charAt(0), line));
    RunnerLog fromComments = new RunnerLog().read(comments);
    RunnerLog fromCommands = new RunnerLog().read(expected);
    assertEquals(fromCommands.masks(), fromComments.masks());
    assertEquals(List.of(), fromComments.shown());
  }
}
