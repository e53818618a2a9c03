package dev.kvload.manifest;

import dev.kvload.Failure;
import dev.kvload.Printable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the template syntax. {@code {{kv:} is the only thing it acts on: {@code {{ .Values }}},
 * {@code ${VAR}}, {@code %VAR%} and every other common config syntax pass through unchanged, and
 * no common format needs {@code {{kv:} literally. {@code {{!kv:} is its escape.
 */
public final class TemplateParser {
  /** Larger than any config file; keeps a hostile template from filling memory. */
  public static final int MAX_BYTES = 1 << 20;

  private static final Pattern OPEN = Pattern.compile("\\{\\{(!*)kv:");

  private TemplateParser() {}

  /**
   * @param label the variable-like name its secrets carry in messages ({@code file app.ini})
   * @throws Failure.Manifest naming the template, line and column of every problem
   */
  public static Template parse(byte[] bytes, Path file, String label) {
    if (bytes.length > MAX_BYTES) {
      throw new Failure.Manifest(
          file + ": a template may hold at most " + MAX_BYTES + " bytes; this one holds more");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Failure.Manifest(file + ": not UTF-8 text; save the template as UTF-8");
    }
    List<Template.Part> parts = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    Matcher open = OPEN.matcher(text);
    int at = 0;
    while (open.find(at)) {
      literal.append(text, at, open.start());
      String bangs = open.group(1);
      if (!bangs.isEmpty()) {
        // The escape: one '!' fewer, and the rest is text.
        literal.append("{{").append(bangs, 1, bangs.length()).append("kv:");
        at = open.end();
        continue;
      }
      int close = text.indexOf("}}", open.end());
      int newline = text.indexOf('\n', open.end());
      String where = where(file, text, open.start());
      if (close < 0 || (newline >= 0 && newline < close)) {
        problems.add(
            where
                + "'{{kv:' is not closed by '}}' on the same line (write {{!kv: for the text"
                + " {{kv:)");
        at = open.end();
        continue;
      }
      String ref = text.substring(open.end(), close);
      Optional<Template.Part> part = reference(ref, file, label, text, open.start());
      if (part.isEmpty()) {
        problems.add(
            where
                + "'{{kv:"
                + Printable.of(ref, 80)
                + "}}' names no variable (letters, digits and _) and no secret URL"
                + " (https://VAULT.vault.azure.net/secrets/NAME[/VERSION])");
      } else {
        if (!literal.isEmpty()) {
          parts.add(new Template.Text(literal.toString()));
          literal.setLength(0);
        }
        parts.add(part.get());
      }
      at = close + 2;
    }
    literal.append(text, at, text.length());
    if (!literal.isEmpty()) {
      parts.add(new Template.Text(literal.toString()));
    }
    if (!problems.isEmpty()) {
      throw new Failure.Manifest(problems.toArray(String[]::new));
    }
    return new Template(file, parts);
  }

  private static Optional<Template.Part> reference(
      String ref, Path file, String label, String text, int offset) {
    int[] lc = lineColumn(text, offset);
    if (ManifestParser.VARIABLE.matcher(ref).matches()) {
      return Optional.of(new Template.Variable(ref, lc[0], lc[1]));
    }
    return ManifestParser.secretUrl(ref)
        .map(secret -> new Template.Secret(new Binding(label, secret, false, lc[0], lc[1], true)));
  }

  private static String where(Path file, String text, int offset) {
    int[] lc = lineColumn(text, offset);
    return file + ":" + lc[0] + ":" + lc[1] + ": ";
  }

  private static int[] lineColumn(String text, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new int[] {line, text.codePointCount(lineStart, offset) + 1};
  }
}
