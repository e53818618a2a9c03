package dev.kvload.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProcessBytesTest {
  private static final Charset ASCII = StandardCharsets.US_ASCII;

  /** Bytes from ISO-8859-1 text: one char per byte, so tests can spell any byte. */
  private static byte[] b(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static List<String> show(List<byte[]> entries) {
    return entries.stream().map(e -> new String(e, StandardCharsets.ISO_8859_1)).toList();
  }

  private static Map<String, String> map(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  static Stream<Arguments> environments() {
    return Stream.of(
        Arguments.argumentSet(
            "unchanged variables keep their order",
            List.of("B=2", "A=1"),
            map("A", "1", "B", "2"),
            List.of("B=2", "A=1")),
        Arguments.argumentSet(
            "bytes the JVM could not decode pass unchanged",
            List.of("RAW=h\u00c3\u00a9 \u00ff"),
            map("RAW", "h\ufffd\ufffd \ufffd"),
            List.of("RAW=h\u00c3\u00a9 \u00ff")),
        Arguments.argumentSet(
            "a name the JVM could not decode passes unchanged",
            List.of("CAF\u00c3\u00a9=1"),
            map("CAF\ufffd\ufffd", "1"),
            List.of("CAF\u00c3\u00a9=1")),
        Arguments.argumentSet(
            "a replaced value takes the old one's place, as UTF-8",
            List.of("A=1", "DB=old", "Z=26"),
            map("A", "1", "DB", "né", "Z", "26"),
            List.of("A=1", "DB=n\u00c3\u00a9", "Z=26")),
        Arguments.argumentSet(
            "an added variable comes last, as UTF-8",
            List.of("A=1"),
            map("A", "1", "NEW", "✓"),
            List.of("A=1", "NEW=\u00e2\u009c\u0093")),
        Arguments.argumentSet(
            "a variable the command must not see is dropped",
            List.of("A=1", "KVLOAD_INHERITED=1;0,1,2;0", "B=2"),
            map("A", "1", "B", "2"),
            List.of("A=1", "B=2")),
        Arguments.argumentSet(
            "an entry without '=' is dropped, as the JVM drops it",
            List.of("JUNK", "A=1"),
            map("A", "1"),
            List.of("A=1")),
        Arguments.argumentSet(
            "a value holding '=' splits at the first one",
            List.of("OPTS=a=b=c"),
            map("OPTS", "a=b=c"),
            List.of("OPTS=a=b=c")),
        Arguments.argumentSet(
            "a name given twice comes out once",
            List.of("A=1", "A=2"),
            map("A", "2"),
            List.of("A=2")));
  }

  @ParameterizedTest
  @MethodSource("environments")
  void environment(List<String> given, Map<String, String> wanted, List<String> expected) {
    List<byte[]> givenBytes = given.stream().map(ProcessBytesTest::b).toList();
    assertEquals(expected, show(ProcessBytes.environment(givenBytes, wanted, ASCII)));
  }

  static Stream<Arguments> argumentLists() {
    return Stream.of(
        Arguments.argumentSet(
            "the command is the tail of the process's arguments",
            List.of("echo", "h\ufffd\ufffd"),
            List.of("java", "-jar", "kvload.jar", "run", "--", "echo", "h\u00c3\u00a9"),
            List.of("echo", "h\u00c3\u00a9")),
        Arguments.argumentSet(
            "an argument that differs from the given one is encoded as UTF-8",
            List.of("echo", "é"),
            List.of("run", "--", "echo", "other"),
            List.of("echo", "\u00c3\u00a9")),
        Arguments.argumentSet(
            "without the process's arguments, UTF-8",
            List.of("printf", "✓"),
            List.of(),
            List.of("printf", "\u00e2\u009c\u0093")),
        Arguments.argumentSet(
            "empty arguments stay",
            List.of("sh", "-c", "", "x"),
            List.of("--", "sh", "-c", "", "x"),
            List.of("sh", "-c", "", "x")));
  }

  @ParameterizedTest
  @MethodSource("argumentLists")
  void arguments(List<String> command, List<String> given, List<String> expected) {
    List<byte[]> givenBytes = given.stream().map(ProcessBytesTest::b).toList();
    assertEquals(expected, show(ProcessBytes.arguments(command, givenBytes, ASCII)));
  }

  @Test
  void splitsNulTerminatedStringsKeepingEmptyOnes() {
    assertEquals(List.of("java", "", "x"), show(ProcessBytes.splitNul(b("java\0\0x\0"))));
    assertEquals(List.of("a", "b"), show(ProcessBytes.splitNul(b("a\0b"))));
  }

  @Test
  void findsAVariablesValueAsBytes() {
    List<byte[]> env = List.of(b("PATHX=no"), b("PATH=/a:/b\u00ff"), b("PATH=/second"));
    assertEquals(
        "/a:/b\u00ff",
        new String(ProcessBytes.value(env, "PATH").orElseThrow(), StandardCharsets.ISO_8859_1));
    assertEquals(false, ProcessBytes.value(env, "HOME").isPresent());
    assertEquals(true, Arrays.equals(b(""), ProcessBytes.value(List.of(b("E=")), "E").get()));
  }
}
