package dev.kvload.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
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
    assertEquals(
        "Environment[A, S]", Environment.of(Map.of()).set("A", "x").set("S", "hunter2").toString());
  }

  static Stream<Arguments> sameness() {
    Environment ab = Environment.of(Map.of()).set("A", "1").set("B", "2");
    return Stream.of(
        Arguments.of(
            "same variables set in another order",
            ab,
            Environment.of(Map.of("B", "2", "A", "1")),
            true),
        Arguments.of("a value differs", ab, Environment.of(Map.of("A", "1", "B", "3")), false),
        Arguments.of("a variable more", ab, ab.set("C", "3"), false),
        Arguments.of("unset back to the same", ab.set("C", "3").unset("C"), ab, true),
        Arguments.of("not an environment", ab, Map.of("A", "1", "B", "2"), false));
  }

  /** What a run's command gets is compared by content: names and values, not order. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sameness")
  void equalByVariablesAndValues(String name, Environment a, Object b, boolean equal) {
    assertEquals(equal, a.equals(b));
    if (equal) {
      assertEquals(a.hashCode(), b.hashCode());
    }
    assertEquals(a.asMap().get("A"), a.get("A").orElseThrow());
    assertEquals(java.util.Optional.empty(), a.get("UNSET"));
  }

  /** As --help shows the default and messages name a policy. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ConflictPolicy.class)
  void policiesReadAndShowInLowerCase(ConflictPolicy policy) {
    String shown = policy.toString();
    assertEquals(policy.name().toLowerCase(java.util.Locale.ROOT), shown);
    assertEquals(policy, ConflictPolicy.parse(shown.toUpperCase(java.util.Locale.ROOT)));
  }
}
