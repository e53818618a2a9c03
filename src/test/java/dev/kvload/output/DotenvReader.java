package dev.kvload.output;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the double-quoted dotenv dialect the way python-dotenv and docker compose read it: {@code
 * NAME="..."} with backslash escapes {@code \\ \" \n \r \t}, values spanning lines allowed, lines
 * starting with {@code #} skipped. A test helper, so that the export format is checked against a
 * reader written from the dialect's rules rather than from the writer.
 */
public final class DotenvReader {
  private DotenvReader() {}

  public static Map<String, String> read(String text) {
    Map<String, String> vars = new LinkedHashMap<>();
    int i = 0;
    while (i < text.length()) {
      if (text.charAt(i) == '#') {
        // A comment line, which every reader of the dialect skips.
        int end = text.indexOf('\n', i);
        i = end < 0 ? text.length() : end + 1;
        continue;
      }
      int eq = text.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String name = text.substring(i, eq).strip();
      if (text.charAt(eq + 1) != '"') {
        throw new IllegalArgumentException("expected a double-quoted value for " + name);
      }
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; text.charAt(j) != '"'; j++) {
        char c = text.charAt(j);
        if (c == '\\') {
          char next = text.charAt(++j);
          value.append(
              switch (next) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case '"' -> '"';
                case '\\' -> '\\';
                default -> throw new IllegalArgumentException("unknown escape \\" + next);
              });
        } else {
          value.append(c);
        }
      }
      vars.put(name, value.toString());
      i = text.indexOf('\n', j) + 1;
      if (i == 0) {
        break;
      }
    }
    return vars;
  }
}
