package dev.kvload.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.kvload.Printable;
import dev.kvload.manifest.VaultRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The renderings of a {@code kvload check}: a table for people, JSON for programs, Markdown for a
 * GitHub step summary and workflow annotations. Rows carry names, versions and dates only; a check
 * never holds a value to print.
 *
 * <p>A row's version and detail can come from the vault's answer, and its names from a manifest in
 * a cloned repository: every rendering shows them through {@link Printable}, so that no cell can
 * drive a terminal, pose as a workflow command or add Markdown of its own.
 */
public final class CheckReport {
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
  private static final int SHORT_VERSION = 8;

  private CheckReport() {}

  /** How much a row matters: ERROR rows make the check fail. */
  public enum Level {
    OK,
    WARNING,
    ERROR;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One mapped variable and what its secret amounts to.
   *
   * @param version the version fetched, else the version the manifest pins, else null
   * @param status as {@code check} prints it: {@code ok}, {@code not-yet-valid}, ...
   * @param detail a short explanation for anything but {@code ok}, or null
   * @param line where the manifest names the variable (1-based), or 0
   */
  public record Row(
      String variable,
      String secret,
      VaultRef vault,
      String version,
      String status,
      Instant expires,
      Instant notBefore,
      boolean optional,
      Level level,
      String detail,
      int line,
      int column) {

    /** The note column: the detail, and that an optional secret's problem fails nothing. */
    public String note() {
      if (detail == null) {
        return optional && level != Level.OK ? "optional" : "";
      }
      return optional && level != Level.OK ? detail + " (optional)" : detail;
    }
  }

  /** A plain-text table, one row per variable, columns aligned. */
  public static String table(List<Row> rows) {
    List<String> header =
        List.of("VARIABLE", "SECRET", "VAULT", "VERSION", "STATUS", "EXPIRES", "NOTE");
    List<List<String>> cells = new ArrayList<>();
    cells.add(header);
    for (Row r : rows) {
      cells.add(
          List.of(
              Printable.line(r.variable()),
              Printable.line(r.secret()),
              Printable.line(r.vault().toString()),
              orDash(Printable.line(shortVersion(r.version()))),
              r.status(),
              orDash(day(r.expires())),
              Printable.line(r.note())));
    }
    int[] widths = new int[header.size()];
    for (List<String> line : cells) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], line.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> line : cells) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        text.append(i == 0 ? "" : "  ").append(pad(line.get(i), widths[i]));
      }
      out.append(text.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  /**
   * A JSON array of one object per variable, in manifest order. Strings are exact, but what {@link
   * Printable} would escape is written as a {@code \}{@code uXXXX} escape, and so is every {@code
   * #}: a reader gets each string back, a terminal or the Actions runner sees nothing to act on.
   */
  public static String json(List<Row> rows) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator json = new JsonFactory().createGenerator(bytes)) {
      json.setCharacterEscapes(INERT);
      json.useDefaultPrettyPrinter();
      json.writeStartArray();
      for (Row r : rows) {
        json.writeStartObject();
        json.writeStringField("variable", r.variable());
        json.writeStringField("secret", r.secret());
        json.writeStringField("vault", r.vault().baseUrl());
        json.writeStringField("version", r.version());
        json.writeStringField("status", r.status());
        json.writeStringField("level", r.level().label());
        json.writeBooleanField("optional", r.optional());
        json.writeStringField("expires", instant(r.expires()));
        json.writeStringField("notBefore", instant(r.notBefore()));
        json.writeStringField("detail", r.detail());
        json.writeEndObject();
      }
      json.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toString(StandardCharsets.UTF_8) + "\n";
  }

  /** A Markdown section for {@code $GITHUB_STEP_SUMMARY}. */
  public static String markdown(List<Row> rows) {
    StringBuilder out = new StringBuilder("### kvload check: ").append(counts(rows)).append("\n\n");
    out.append("| | Variable | Secret | Vault | Version | Status | Expires | Note |\n");
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Row r : rows) {
      out.append("| ")
          .append(
              switch (r.level()) {
                case OK -> "✅";
                case WARNING -> "⚠️";
                case ERROR -> "❌";
              })
          .append(" | ")
          .append(code(r.variable()))
          .append(" | ")
          .append(code(r.secret()))
          .append(" | ")
          .append(cell(r.vault().toString()))
          .append(" | ")
          .append(code(shortVersion(r.version())))
          .append(" | ")
          .append(cell(r.status()))
          .append(" | ")
          .append(cell(day(r.expires())))
          .append(" | ")
          .append(cell(r.note()))
          .append(" |\n");
    }
    return out.append('\n').toString();
  }

  /**
   * One {@code ::error::} or {@code ::warning::} per row that is not ok.
   *
   * @param file the manifest, relative to the repository root, or null to leave out the place
   */
  public static String annotations(List<Row> rows, String file) {
    StringBuilder out = new StringBuilder();
    for (Row r : rows) {
      if (r.level() == Level.OK) {
        continue;
      }
      String message =
          r.variable()
              + ": secret '"
              + r.secret()
              + "' in vault "
              + r.vault()
              + " is "
              + r.status()
              + (r.detail() == null ? "" : ": " + r.detail())
              + (r.optional() ? " (optional, so this fails nothing)" : "");
      out.append(
          WorkflowCommands.annotation(
              r.level() == Level.ERROR ? "error" : "warning",
              file,
              r.line(),
              r.column(),
              "kvload check: " + r.variable() + " " + r.status(),
              message));
    }
    return out.toString();
  }

  /** {@code 3 ok, 1 expiring, 1 missing}: how many rows have each status, in order of rows. */
  public static String counts(List<Row> rows) {
    if (rows.isEmpty()) {
      return "no secrets mapped";
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    rows.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
    StringBuilder out = new StringBuilder();
    counts.forEach(
        (status, n) -> out.append(out.isEmpty() ? "" : ", ").append(n).append(' ').append(status));
    return out.toString();
  }

  private static String shortVersion(String version) {
    return version == null || version.codePointCount(0, version.length()) <= SHORT_VERSION
        ? version
        : version.substring(0, version.offsetByCodePoints(0, SHORT_VERSION));
  }

  private static String day(Instant instant) {
    return instant == null ? null : DAY.format(instant);
  }

  private static String instant(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }

  /**
   * A Markdown table cell: one line, and every character that Markdown or HTML would act on
   * (emphasis, links, images, tags, entities, the column separator) escaped with a backslash.
   */
  private static String cell(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (char c : Printable.line(s).toCharArray()) {
      if (MARKDOWN.indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /** A code span: nothing inside is Markdown, but a backtick would end it and a pipe the cell. */
  private static String code(String s) {
    return s == null ? "" : "`" + Printable.line(s).replace("`", "'").replace("|", "\\|") + "`";
  }

  private static final String MARKDOWN = "\\`*_[]<>!|~&";

  /** JSON escapes for strings from a vault or a manifest: see {@link #json}. */
  private static final CharacterEscapes INERT =
      new CharacterEscapes() {
        private final int[] ascii = ascii();

        private static int[] ascii() {
          int[] codes = standardAsciiEscapesForJSON();
          for (int c = 0; c < codes.length; c++) {
            if (Printable.unsafe(c) || c == '#') {
              codes[c] = ESCAPE_STANDARD;
            }
          }
          return codes;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
          return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int c) {
          return Printable.unsafe(c) ? new SerializedString(String.format("\\u%04x", c)) : null;
        }
      };
}
