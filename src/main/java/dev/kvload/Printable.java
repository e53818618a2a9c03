package dev.kvload;

/**
 * Makes a string that came from a vault, a manifest or the network safe to show: every message,
 * table cell and annotation that quotes such a string passes it through here, so one rule holds for
 * all of them.
 *
 * <p>Shown as {@code \}{@code uXXXX} escapes: control characters (C0, DEL and C1: a terminal acts
 * on {@code ESC ] 0 ; ... BEL} and, in 8-bit mode, on C1 {@code CSI}), line and paragraph
 * separators (a second line could pose as kvload's own), invisible format characters (the bidi
 * embeddings, overrides and isolates U+202A-202E and U+2066-2069, the marks U+200E/F and U+061C,
 * zero-width characters, the BOM), spaces other than U+0020, invisible letters (Hangul fillers),
 * lone surrogates, private-use and unassigned code points. {@code ##[} becomes {@code #\}{@code
 * u0023[}: the GitHub Actions runner reads {@code ##[command]} anywhere in a log line as a workflow
 * command.
 */
public final class Printable {
  private static final int SHORT = 80;

  private Printable() {}

  /** {@code text} escaped and cut after 80 code points: a name or value quoted in a message. */
  public static String of(String text) {
    return of(text, SHORT);
  }

  /** {@code text} escaped and cut after {@code limit} code points, marked with "...". */
  public static String of(String text, int limit) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .limit(limit)
        .forEach(
            c -> {
              if (unsafe(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    if (limit < Integer.MAX_VALUE && text.codePointCount(0, text.length()) > limit) {
      out.append("...");
    }
    return out.toString().replace("##[", "#\\u0023[");
  }

  /** A whole line escaped, never cut: a message assembled from kvload's words and quoted parts. */
  public static String line(String text) {
    return of(text, Integer.MAX_VALUE);
  }

  /** True for a code point that must not reach a terminal or a log as it is. */
  public static boolean unsafe(int c) {
    if (c == ' ') {
      return false;
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SPACE_SEPARATOR,
          Character.SURROGATE,
          Character.PRIVATE_USE,
          Character.UNASSIGNED ->
          true;
      // Letters that render as nothing: a name could hide a part of itself behind them.
      default -> c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0;
    };
  }
}
