package dev.kvload.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InheritedTest {
  private static final long PID = 4242;

  private static final OptionalLong NONE = OptionalLong.empty();

  static Stream<Arguments> records() {
    return Stream.of(
        Arguments.argumentSet(
            "the launcher's record",
            "4242;0,1,2,3;0000000000001000;unlimited",
            new Inherited(Set.of(0, 1, 2, 3), OptionalLong.of(0x1000), OptionalLong.of(-1))),
        Arguments.argumentSet(
            "a core limit in bytes",
            "4242;0,1,2;0000000000000000;1048576",
            new Inherited(Set.of(0, 1, 2), OptionalLong.of(0), OptionalLong.of(1048576))),
        Arguments.argumentSet(
            "stdout closed by the caller",
            "4242;0,2;0000000000000000",
            new Inherited(Set.of(0, 2), OptionalLong.of(0), NONE)),
        Arguments.argumentSet(
            "signals and core limit unknown",
            "4242;0,1,2;;",
            new Inherited(Set.of(0, 1, 2), NONE, NONE)),
        Arguments.argumentSet("no record", null, Inherited.STANDARD),
        Arguments.argumentSet(
            "another process's record", "77;0,1,2,9;0000000000000000;0", Inherited.STANDARD),
        Arguments.argumentSet("malformed", "4242;zero;", Inherited.STANDARD),
        Arguments.argumentSet("a malformed core limit", "4242;0;0;lots", Inherited.STANDARD),
        Arguments.argumentSet("too few parts", "4242;0,1,2", Inherited.STANDARD),
        Arguments.argumentSet("too many parts", "4242;0,1,2;0;0;0", Inherited.STANDARD));
  }

  @ParameterizedTest
  @MethodSource("records")
  void reads(String text, Inherited expected) {
    assertEquals(expected, Inherited.from(text, PID));
  }

  static Stream<Arguments> coreLimits() {
    String unlimited = "4242;0,1,2;0000000000000000;unlimited";
    return Stream.of(
        Arguments.argumentSet(
            "the launcher lowered it from unlimited", unlimited, OptionalLong.of(0), limit(-1)),
        Arguments.argumentSet(
            "the launcher found 0: nothing to restore",
            "4242;0,1,2;0000000000000000;0",
            OptionalLong.of(0),
            NONE),
        Arguments.argumentSet(
            "java -jar: kvload lowered it itself", null, OptionalLong.of(1048576), limit(1048576)),
        Arguments.argumentSet("java -jar, 0 all along", null, OptionalLong.of(0), NONE),
        Arguments.argumentSet(
            "a record that says otherwise than what kvload found and lowered",
            unlimited,
            OptionalLong.of(1048576),
            limit(1048576)),
        Arguments.argumentSet(
            "another process's record", "77;0;0;unlimited", OptionalLong.of(0), NONE),
        Arguments.argumentSet(
            "neither readable nor lowered here", unlimited, OptionalLong.empty(), NONE));
  }

  /** The soft core limit the command gets back: what kvload found, or what the launcher saw. */
  @ParameterizedTest
  @MethodSource("coreLimits")
  void coreLimitToRestore(String record, OptionalLong found, OptionalLong expected) {
    assertEquals(expected, Inherited.of(new Launch(record, found), PID).coreLimit());
  }

  private static OptionalLong limit(long value) {
    return OptionalLong.of(value);
  }

  @Test
  void signalNIsBitNMinusOne() {
    // SigIgn as /proc shows it: HUP (1), PIPE (13) and signal 33.
    Inherited inherited = Inherited.from("4242;0;0000000100001001;0", PID);
    assertTrue(inherited.ignored(1));
    assertTrue(inherited.ignored(13));
    assertTrue(inherited.ignored(33));
    assertFalse(inherited.ignored(2));
    assertFalse(inherited.ignored(64));
    assertFalse(Inherited.STANDARD.ignored(1), "unknown is not ignored");
  }
}
