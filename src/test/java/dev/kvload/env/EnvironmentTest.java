package dev.kvload.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EnvironmentTest {
  private static final Environment BASE = Environment.of(Map.of("A", "old", "B", "same"));

  static Stream<Arguments> merges() {
    return Stream.of(
        Arguments.of(
            "override replaces and reports a differing value",
            ConflictPolicy.OVERRIDE,
            Map.of("A", "new", "C", "c"),
            Map.of("A", "new", "B", "same", "C", "c"),
            List.of("A")),
        Arguments.of(
            "keep leaves the existing value",
            ConflictPolicy.KEEP,
            Map.of("A", "new", "C", "c"),
            Map.of("A", "old", "B", "same", "C", "c"),
            List.of("A")),
        Arguments.of(
            "an equal value is no conflict",
            ConflictPolicy.OVERRIDE,
            Map.of("B", "same"),
            Map.of("A", "old", "B", "same"),
            List.of()),
        Arguments.of(
            "fail policy still reports conflicts",
            ConflictPolicy.FAIL,
            Map.of("A", "new"),
            Map.of("A", "old", "B", "same"),
            List.of("A")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("merges")
  void merges(
      String name,
      ConflictPolicy policy,
      Map<String, String> additions,
      Map<String, String> expected,
      List<String> conflicts) {
    Environment.Merge merge = BASE.merge(additions, policy);
    assertEquals(expected, merge.environment().asMap());
    assertEquals(conflicts, merge.conflicts());
  }

  @Test
  void isAValue() {
    Environment changed = BASE.set("X", "1").unset("A");
    assertEquals(Map.of("A", "old", "B", "same"), BASE.asMap());
    assertEquals(Map.of("B", "same", "X", "1"), changed.asMap());
    assertEquals(Environment.of(Map.of("B", "same", "X", "1")), changed);
  }

  @Test
  void toStringShowsNamesOnly() {
    assertFalse(BASE.set("S", "hunter2").toString().contains("hunter2"));
  }
}
