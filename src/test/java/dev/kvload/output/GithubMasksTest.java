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
        Arguments.of("one line", List.of("hunter2"), "::add-mask::hunter2\n"),
        Arguments.of(
            "each line of a multi-line value",
            List.of("a\nb\r\nc"),
            "::add-mask::a\n::add-mask::b\n::add-mask::c\n"),
        Arguments.of("percent escaped", List.of("100%0A"), "::add-mask::100%250A\n"),
        Arguments.of(
            "blank lines skipped", List.of("a\n\nb", ""), "::add-mask::a\n::add-mask::b\n"),
        Arguments.of("several values", List.of("x1", "y2"), "::add-mask::x1\n::add-mask::y2\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void masks(String name, List<String> values, String expected) {
    assertEquals(expected, GithubMasks.commands(values));
  }
}
