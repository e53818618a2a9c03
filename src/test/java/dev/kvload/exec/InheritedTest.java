package dev.kvload.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InheritedTest {
  private static final long PID = 4242;

  static Stream<Arguments> records() {
    return Stream.of(
        Arguments.argumentSet(
            "the launcher's record",
            "4242;0,1,2,3;0000000000001000",
            new Inherited(Set.of(0, 1, 2, 3), OptionalLong.of(0x1000))),
        Arguments.argumentSet(
            "stdout closed by the caller",
            "4242;0,2;0000000000000000",
            new Inherited(Set.of(0, 2), OptionalLong.of(0))),
        Arguments.argumentSet(
            "signals unknown", "4242;0,1,2;", new Inherited(Set.of(0, 1, 2), OptionalLong.empty())),
        Arguments.argumentSet("no record", null, Inherited.STANDARD),
        Arguments.argumentSet(
            "another process's record", "77;0,1,2,9;0000000000000000", Inherited.STANDARD),
        Arguments.argumentSet("malformed", "4242;zero;", Inherited.STANDARD),
        Arguments.argumentSet("too few parts", "4242;0,1,2", Inherited.STANDARD));
  }

  @ParameterizedTest
  @MethodSource("records")
  void reads(String text, Inherited expected) {
    Map<String, String> env = text == null ? Map.of() : Map.of(Inherited.VARIABLE, text);
    assertEquals(expected, Inherited.from(env, PID));
  }

  @Test
  void signalNIsBitNMinusOne() {
    // SigIgn as /proc shows it: HUP (1), PIPE (13) and signal 33.
    Inherited inherited =
        Inherited.from(Map.of(Inherited.VARIABLE, "4242;0;0000000100001001"), PID);
    assertTrue(inherited.ignored(1));
    assertTrue(inherited.ignored(13));
    assertTrue(inherited.ignored(33));
    assertFalse(inherited.ignored(2));
    assertFalse(inherited.ignored(64));
    assertFalse(Inherited.STANDARD.ignored(1), "unknown is not ignored");
  }
}
