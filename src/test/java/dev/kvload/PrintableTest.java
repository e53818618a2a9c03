package dev.kvload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Hostile strings from vaults and manifests, as every message and table shows them. */
class PrintableTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("plain", "db-password", "db-password"),
        Arguments.of("letters of other scripts", "påsswörd ✓ 秘密", "påsswörd ✓ 秘密"),
        Arguments.of("an emoji (a surrogate pair)", "key 🔑", "key 🔑"),
        Arguments.of(
            "a window title (OSC 0)", "\u001b]0;pwned\u0007id", "\\u001b]0;pwned\\u0007id"),
        Arguments.of("a screen clear (CSI)", "\u001b[2J", "\\u001b[2J"),
        Arguments.of(
            "a hyperlink (OSC 8)", "\u001b]8;;https://x\u001b\\", "\\u001b]8;;https://x\\u001b\\"),
        Arguments.of("C1 CSI, 8-bit terminals", "a\u009b31mb", "a\\u009b31mb"),
        Arguments.of("DEL", "a\u007fb", "a\\u007fb"),
        Arguments.of("a second line", "ok\nkvload: all fine", "ok\\u000akvload: all fine"),
        Arguments.of("carriage return", "bad\rgood", "bad\\u000dgood"),
        Arguments.of("line separator", "a\u2028b", "a\\u2028b"),
        Arguments.of("right-to-left override", "abc\u202edcba", "abc\\u202edcba"),
        Arguments.of("left-to-right embedding", "\u202aab", "\\u202aab"),
        Arguments.of("pop directional formatting", "ab\u202c", "ab\\u202c"),
        Arguments.of("first strong isolate", "\u2068x\u2069", "\\u2068x\\u2069"),
        Arguments.of("right-to-left isolate", "\u2067x", "\\u2067x"),
        Arguments.of("left-to-right mark", "x\u200e", "x\\u200e"),
        Arguments.of("right-to-left mark", "x\u200f", "x\\u200f"),
        Arguments.of("arabic letter mark", "x\u061c", "x\\u061c"),
        Arguments.of("zero-width space", "ad\u200bmin", "ad\\u200bmin"),
        Arguments.of("byte order mark", "\ufeffkey", "\\ufeffkey"),
        Arguments.of("no-break space", "a\u00a0b", "a\\u00a0b"),
        Arguments.of("ideographic space", "a\u3000b", "a\\u3000b"),
        Arguments.of("Hangul filler, an invisible letter", "a\u3164b", "a\\u3164b"),
        Arguments.of("a lone surrogate", "a\ud800b", "a\\ud800b"),
        Arguments.of("private use", "a\ue000b", "a\\ue000b"),
        Arguments.of(
            "a workflow command in the middle", "x ##[error]pwned", "x #\\u0023[error]pwned"),
        Arguments.of("three hashes", "###[warning]", "##\\u0023[warning]"),
        Arguments.of("a lone hash and bracket stay", "#1 [a]", "#1 [a]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void escapes(String name, String text, String shown) {
    assertEquals(shown, Printable.line(text));
  }

  @Test
  void longTextIsCutAfterTheLimit() {
    assertEquals("a".repeat(80) + "...", Printable.of("a".repeat(200)));
    assertEquals("abc", Printable.of("abc", 3));
    assertEquals("ab...", Printable.of("abc", 2));
    assertEquals("a".repeat(200), Printable.line("a".repeat(200)));
  }

  @Test
  void nullStaysNull() {
    assertNull(Printable.line(null));
  }

  /** No code point at all survives that {@link Printable#unsafe} would stop. */
  @Test
  void nothingUnsafeSurvivesAnyCodePoint() {
    IntStream.rangeClosed(0, Character.MAX_CODE_POINT)
        .forEach(
            c -> {
              String shown = Printable.line("x" + Character.toString(c) + "x");
              assertFalse(
                  shown.codePoints().anyMatch(Printable::unsafe),
                  () -> "U+" + Integer.toHexString(c) + " shown as " + shown);
              assertFalse(shown.contains("##["));
            });
  }
}
