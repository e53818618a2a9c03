package dev.kvload.importing;

import dev.kvload.Failure;
import dev.kvload.Printable;
import dev.kvload.manifest.ManifestParser;
import dev.kvload.vault.SecretValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a dotenv file as docker compose, python-dotenv and Node's dotenv read it where they agree,
 * and refuses, with the line and column, what they read differently: a secret must arrive in the
 * vault as the program that used the file saw it, or not at all.
 *
 * <ul>
 *   <li>{@code NAME=value}, {@code export NAME=value}, blanks around {@code =}; blank lines and
 *       lines starting with {@code #} are skipped. NAME is a variable name ({@code
 *       [A-Za-z_][A-Za-z0-9_]*}).
 *   <li>Unquoted values end at the line's end or at a {@code #} after a blank (a comment), and lose
 *       the blanks around them. A {@code #} inside, or at the start, is refused: Node's dotenv
 *       reads a comment there, the others do not.
 *   <li>{@code '...'} is taken as written, over several lines if need be; {@code \\} and {@code \'}
 *       inside are refused (python-dotenv reads them as escapes, the others do not).
 *   <li>{@code "..."} may span lines and knows the escapes {@code \n \r \t \" \\}; any other escape
 *       is refused, since readers disagree about each.
 *   <li>Nothing is expanded: {@code $NAME} and {@code ${NAME}} are kept as written (docker compose
 *       and python-dotenv would expand them, Node's dotenv would not), with a warning.
 *   <li>CRLF and CR line ends are read as LF, inside quotes too, as python-dotenv and Node's dotenv
 *       do; a UTF-8 byte order mark at the start is skipped.
 *   <li>A variable set twice is refused (readers disagree about which one wins), and so are a NUL
 *       byte (no environment variable can hold one), backquoted values (only Node's dotenv reads
 *       them as quotes), bytes that are not UTF-8, and a value over Key Vault's 25 KiB.
 * </ul>
 */
public final class DotenvReader {
  /** Secrets files are a few kilobytes: more than this is not one (or is /dev/zero). */
  static final int MAX_BYTES = 1 << 20;

  /** Key Vault's limit for a secret's value. */
  static final int MAX_VALUE_BYTES = 25 * 1024;

  private static final int MAX_PROBLEMS = 20;
  private static final Pattern VARIABLE = ManifestParser.VARIABLE;
  private static final Pattern EXPANSION = Pattern.compile("\\$(\\{|[A-Za-z_])");

  private DotenvReader() {}

  /**
   * One variable of the file.
   *
   * @param line where its name is, 1-based
   * @param column where its name is, in characters, 1-based
   */
  public record Entry(String variable, SecretValue value, int line, int column) {}

  /**
   * A file's variables in file order, and what to warn about (names only, never a value).
   *
   * @param warnings one line each
   */
  public record Dotenv(List<Entry> entries, List<String> warnings) {
    public Dotenv {
      entries = List.copyOf(entries);
      warnings = List.copyOf(warnings);
    }

    /** Each variable's value, in file order. */
    public Map<String, SecretValue> values() {
      Map<String, SecretValue> values = new LinkedHashMap<>();
      entries.forEach(e -> values.put(e.variable(), e.value()));
      return values;
    }
  }

  /**
   * Reads {@code file} (relative to {@code cwd}): a regular file, or a link to one, of at most 1
   * MiB. A FIFO or a device is never opened.
   *
   * @throws Failure.Usage naming the file, and the line and column of every problem
   */
  public static Dotenv read(Path file, Path cwd) {
    Path resolved = cwd.resolve(file);
    byte[] bytes;
    try {
      BasicFileAttributes attributes = Files.readAttributes(resolved, BasicFileAttributes.class);
      if (attributes.isDirectory()) {
        throw new Failure.Usage(file + ": is a folder; give the dotenv file to import");
      }
      if (!attributes.isRegularFile()) {
        throw new Failure.Usage(
            file + ": is not a regular file (a FIFO, device or socket), so it is not read");
      }
      try (InputStream in = Files.newInputStream(resolved)) {
        bytes = in.readNBytes(MAX_BYTES + 1);
      }
    } catch (NoSuchFileException e) {
      throw new Failure.Usage(file + ": no such file");
    } catch (IOException e) {
      throw new Failure.Usage(file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
    }
    if (bytes.length > MAX_BYTES) {
      throw new Failure.Usage(
          file
              + ": larger than 1 MiB, which no dotenv file of secrets is (Key Vault takes 25 KiB"
              + " per value); nothing was read");
    }
    return parse(decode(bytes, file.toString()), file.toString());
  }

  /** UTF-8, strictly: a byte that is not names its line and column. */
  private static String decode(byte[] bytes, String shown) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int at = in.position();
      int lineStart = 0;
      int line = 1;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      String before = new String(Arrays.copyOfRange(bytes, lineStart, at), StandardCharsets.UTF_8);
      throw new Failure.Usage(
          shown
              + ":"
              + line
              + ":"
              + (before.codePointCount(0, before.length()) + 1)
              + ": not UTF-8 text: save the file as UTF-8; nothing was sent");
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /**
   * Reads dotenv text.
   *
   * @param shown the file's name in messages
   * @throws Failure.Usage naming the line and column of every problem
   */
  public static Dotenv parse(String text, String shown) {
    return new Parser(normalize(text), shown).parse();
  }

  /** Without a leading byte order mark, with every CRLF and CR as LF. */
  private static String normalize(String text) {
    String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
    return t.replace("\r\n", "\n").replace('\r', '\n');
  }

  /** Ends the reading: what follows cannot be trusted (an unclosed quote swallows the rest). */
  private static final class Fatal extends RuntimeException {
    Fatal() {
      super(null, null, false, false);
    }
  }

  private static final class Parser {
    private final String s;
    private final String shown;
    private final int[] lineStarts;
    private final List<String> problems = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Integer> firstLine = new HashMap<>();
    private int pos;

    Parser(String s, String shown) {
      this.s = s;
      this.shown = shown;
      List<Integer> starts = new ArrayList<>(List.of(0));
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) == '\n') {
          starts.add(i + 1);
        }
      }
      this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    Dotenv parse() {
      int nul = s.indexOf('\0');
      if (nul >= 0) {
        problem(nul, "a NUL byte, which no environment variable can hold");
      } else {
        try {
          while (pos < s.length()) {
            line();
          }
        } catch (Fatal end) {
          // Reported already.
        }
      }
      if (!problems.isEmpty()) {
        List<String> lines =
            new ArrayList<>(problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS)));
        if (problems.size() > MAX_PROBLEMS) {
          lines.add("... and " + (problems.size() - MAX_PROBLEMS) + " more problems");
        }
        lines.add("nothing was sent: fix " + shown + " and run the command again");
        throw new Failure.Usage(lines.toArray(String[]::new));
      }
      return new Dotenv(entries, warnings);
    }

    /** One line, or more when a quoted value spans lines; {@code pos} ends after it. */
    private void line() {
      skipBlanks();
      if (pos >= s.length()) {
        return;
      }
      char c = s.charAt(pos);
      if (c == '\n') {
        pos++;
        return;
      }
      if (c == '#') {
        skipLine();
        return;
      }
      exportPrefix();
      int keyAt = pos;
      while (pos < s.length() && !blank(s.charAt(pos)) && "=\n".indexOf(s.charAt(pos)) < 0) {
        pos++;
      }
      String key = s.substring(keyAt, pos);
      skipBlanks();
      if (pos >= s.length() || s.charAt(pos) != '=') {
        problem(
            keyAt,
            "'"
                + Printable.of(key)
                + "' has no '=' and no value (write "
                + Printable.of(key)
                + "= for an empty one)");
        skipLine();
        return;
      }
      pos++;
      boolean valid = true;
      if (key.isEmpty()) {
        problem(keyAt, "a line starting with '=' names no variable");
        valid = false;
      } else if (!VARIABLE.matcher(key).matches()) {
        problem(
            keyAt,
            "'"
                + Printable.of(key)
                + "' is not a valid variable name (letters, digits and '_', not starting with a"
                + " digit)");
        valid = false;
      }
      skipBlanks();
      String value = value(key);
      if (value == null || !valid) {
        return;
      }
      Integer earlier = firstLine.putIfAbsent(key, lineOf(keyAt));
      if (earlier != null) {
        problem(
            keyAt,
            key
                + " is set twice (lines "
                + earlier
                + " and "
                + lineOf(keyAt)
                + "); dotenv readers disagree about which one wins: keep one");
        return;
      }
      int size = value.getBytes(StandardCharsets.UTF_8).length;
      if (size > MAX_VALUE_BYTES) {
        problem(
            keyAt,
            key
                + "'s value is "
                + size
                + " bytes; Key Vault takes at most "
                + MAX_VALUE_BYTES
                + " bytes per secret");
        return;
      }
      entries.add(new Entry(key, new SecretValue(value), lineOf(keyAt), columnOf(keyAt)));
    }

    /** Skips {@code export } before a name (but not a variable named export). */
    private void exportPrefix() {
      if (!s.startsWith("export", pos) || pos + 6 >= s.length() || !blank(s.charAt(pos + 6))) {
        return;
      }
      int after = pos + 6;
      while (after < s.length() && blank(s.charAt(after))) {
        after++;
      }
      if (after < s.length() && "=\n".indexOf(s.charAt(after)) < 0) {
        pos = after;
      }
    }

    /** The value starting at {@code pos}, or null when it cannot be read (reported). */
    private String value(String key) {
      if (pos >= s.length() || s.charAt(pos) == '\n') {
        return "";
      }
      return switch (s.charAt(pos)) {
        case '"' -> doubleQuoted(key);
        case '\'' -> singleQuoted();
        case '`' -> {
          problem(
              pos, "a value in backquotes, which only Node's dotenv reads as quotes: use ' or \"");
          skipLine();
          yield null;
        }
        default -> unquoted(key);
      };
    }

    private String unquoted(String key) {
      int start = pos;
      int end = s.indexOf('\n', pos);
      if (end < 0) {
        end = s.length();
      }
      pos = end;
      int valueEnd = end;
      for (int i = start; i < end; i++) {
        if (s.charAt(i) != '#') {
          continue;
        }
        if (i == start) {
          problem(
              i,
              "the value starts with '#', which some dotenv readers take for a comment: quote it"
                  + " (\"#...\"), or write "
                  + key
                  + "= for an empty value");
          return null;
        }
        if (blank(s.charAt(i - 1))) {
          valueEnd = i;
          break;
        }
        problem(
            i,
            "'#' inside an unquoted value: Node's dotenv reads the rest as a comment, the others"
                + " do not; quote the value");
        return null;
      }
      String value = stripTrailingBlanks(s.substring(start, valueEnd));
      warnIfExpandable(key, start, value);
      return value;
    }

    private String doubleQuoted(String key) {
      int open = pos;
      pos++;
      StringBuilder value = new StringBuilder();
      boolean valid = true;
      while (true) {
        if (pos >= s.length()) {
          problem(open, "the double-quoted value that starts here is never closed");
          throw new Fatal();
        }
        char c = s.charAt(pos);
        if (c == '"') {
          pos++;
          break;
        }
        if (c == '\\' && pos + 1 < s.length()) {
          char e = s.charAt(pos + 1);
          switch (e) {
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case '"' -> value.append('"');
            case '\\' -> value.append('\\');
            default -> {
              problem(
                  pos,
                  "unknown escape '\\"
                      + Printable.of(String.valueOf(e))
                      + "' in a double-quoted value: dotenv readers disagree about it. kvload"
                      + " reads \\n, \\r, \\t, \\\" and \\\\; write $ and other characters as"
                      + " they are (nothing is expanded)");
              valid = false;
            }
          }
          pos += 2;
          continue;
        }
        value.append(c);
        pos++;
      }
      if (!afterQuote()) {
        return null;
      }
      if (!valid) {
        return null;
      }
      warnIfExpandable(key, open, value.toString());
      return value.toString();
    }

    private String singleQuoted() {
      int open = pos;
      int close = s.indexOf('\'', pos + 1);
      if (close < 0) {
        problem(open, "the single-quoted value that starts here is never closed");
        throw new Fatal();
      }
      String value = s.substring(pos + 1, close);
      pos = close + 1;
      int backslash = value.indexOf('\\');
      while (backslash >= 0) {
        boolean last = backslash == value.length() - 1;
        if (last || value.charAt(backslash + 1) == '\\') {
          problem(
              open + 1 + backslash,
              "a backslash before "
                  + (last ? "the closing quote" : "a backslash")
                  + " in a single-quoted value, which python-dotenv reads as an escape and the"
                  + " others do not: use double quotes (\"\\\\\" is one backslash)");
          skipLine();
          return null;
        }
        backslash = value.indexOf('\\', backslash + 1);
      }
      return afterQuote() ? value : null;
    }

    /** After a closing quote: blanks, then a comment or the line's end. */
    private boolean afterQuote() {
      skipBlanks();
      if (pos >= s.length() || s.charAt(pos) == '\n' || s.charAt(pos) == '#') {
        skipLine();
        return true;
      }
      problem(pos, "unexpected text after the closing quote");
      skipLine();
      return false;
    }

    private void warnIfExpandable(String key, int at, String value) {
      if (EXPANSION.matcher(value).find()) {
        warnings.add(
            shown
                + ":"
                + lineOf(at)
                + ": "
                + key
                + " holds $NAME or ${...}: docker compose and python-dotenv would expand it, kvload"
                + " imports it as written");
      }
    }

    private static String stripTrailingBlanks(String text) {
      int end = text.length();
      while (end > 0 && blank(text.charAt(end - 1))) {
        end--;
      }
      return text.substring(0, end);
    }

    private void skipBlanks() {
      while (pos < s.length() && blank(s.charAt(pos))) {
        pos++;
      }
    }

    private void skipLine() {
      int end = s.indexOf('\n', pos);
      pos = end < 0 ? s.length() : end + 1;
    }

    private static boolean blank(char c) {
      return c == ' ' || c == '\t';
    }

    private int lineIndex(int at) {
      int i = Arrays.binarySearch(lineStarts, at);
      return i >= 0 ? i : -i - 2;
    }

    private int lineOf(int at) {
      return lineIndex(at) + 1;
    }

    private int columnOf(int at) {
      int start = lineStarts[lineIndex(at)];
      return s.codePointCount(start, at) + 1;
    }

    private void problem(int at, String what) {
      problems.add(shown + ":" + lineOf(at) + ":" + columnOf(at) + ": " + what);
    }
  }
}
