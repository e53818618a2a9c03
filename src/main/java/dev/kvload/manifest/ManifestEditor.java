package dev.kvload.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes manifests as text, so that a person's manifest keeps what a JSON library would drop: its
 * comments, its order, its trailing commas, its line ends and indentation. Only the {@code
 * "secrets"} object changes: a variable already there gets its value replaced where it stands, a
 * new one is appended after the last entry, in the style of the entries above it.
 *
 * <p>The text given must be a valid manifest (the caller has parsed it); the result is parsed again
 * by the caller before it is written.
 */
public final class ManifestEditor {
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private ManifestEditor() {}

  /**
   * What {@code "secrets"} maps one variable to.
   *
   * @param vault the secret's vault, or null when it is the manifest's default vault
   */
  public record Entry(String variable, String secret, VaultRef vault) {
    /** The entry as manifest text: {@code "VAR": "secret"} or the object form with a vault. */
    String text() {
      return quote(variable) + ": " + value();
    }

    String value() {
      return vault == null
          ? quote(secret)
          : "{ \"secret\": " + quote(secret) + ", \"vault\": " + quote(vault.toString()) + " }";
    }
  }

  /**
   * A new manifest.
   *
   * @param comment lines for its head, each shown as a {@code //} comment
   * @param schema the {@code "$schema"} value, or null for none
   */
  public static String starter(
      List<String> comment, String schema, VaultRef vault, List<Entry> entries) {
    StringBuilder text = new StringBuilder();
    comment.forEach(line -> text.append("// ").append(line).append('\n'));
    text.append("{\n");
    if (schema != null) {
      text.append("  \"$schema\": ").append(quote(schema)).append(",\n");
    }
    text.append("  \"vault\": ").append(quote(vault.toString())).append(",\n");
    if (entries.isEmpty()) {
      text.append("  \"secrets\": {}\n");
    } else {
      text.append("  \"secrets\": {\n");
      for (int i = 0; i < entries.size(); i++) {
        text.append("    ")
            .append(entries.get(i).text())
            .append(i < entries.size() - 1 ? ",\n" : "\n");
      }
      text.append("  }\n");
    }
    return text.append("}\n").toString();
  }

  /**
   * The manifest's own default vault as written ({@code "vault"}), or null when it has none (or it
   * is not a vault: the parser says so).
   */
  public static VaultRef defaultVault(String text) {
    return scan(text).vault();
  }

  /** The text with each entry set; everything else as it was. */
  public static String put(String text, List<Entry> entries) {
    Structure structure = scan(text);
    String newline = text.contains("\r\n") ? "\r\n" : "\n";
    List<Edit> edits = new ArrayList<>();
    List<Entry> appended = new ArrayList<>();
    for (Entry entry : entries) {
      Member member = structure.members().get(entry.variable());
      if (member != null) {
        edits.add(new Edit(member.valueStart(), member.valueEnd(), entry.value()));
      } else {
        appended.add(entry);
      }
    }
    if (!appended.isEmpty()) {
      edits.addAll(append(text, structure, appended, newline));
    }
    // From the end backwards, so that each edit's offsets still hold; of two edits at one offset
    // the one made first must end up first (a comma, then the entries after it).
    StringBuilder result = new StringBuilder(text);
    for (int i = edits.size() - 1; i >= 0; i--) {
      int latest = 0;
      for (int j = 1; j <= i; j++) {
        if (edits.get(j).start() >= edits.get(latest).start()) {
          latest = j;
        }
      }
      Edit edit = edits.remove(latest);
      result.replace(edit.start(), edit.end(), edit.text());
    }
    return result.toString();
  }

  /** The edits that add entries after the last one, in its style. */
  private static List<Edit> append(
      String text, Structure structure, List<Entry> entries, String newline) {
    int close = structure.secretsEnd();
    Member last =
        structure.members().values().stream()
            .max(Comparator.comparingInt(Member::valueEnd))
            .orElse(null);
    List<Edit> edits = new ArrayList<>();
    boolean trailingComma = last != null && commaBetween(text, last.valueEnd(), close);
    if (last != null && !trailingComma) {
      edits.add(new Edit(last.valueEnd(), last.valueEnd(), ","));
    }
    int closeLine = lineStart(text, close);
    boolean closeAlone = text.substring(closeLine, close).isBlank();
    boolean multiLine =
        closeAlone && (last == null || lineStart(text, last.valueEnd()) != closeLine);
    String outer = indentation(text, structure.secretsKey());
    if (!multiLine && last != null) {
      // {"A": "a"} stays on its line: {"A": "a", "B": "b"}
      StringBuilder inline = new StringBuilder();
      for (int i = 0; i < entries.size(); i++) {
        inline.append(' ').append(entries.get(i).text());
        if (i < entries.size() - 1 || trailingComma) {
          inline.append(',');
        }
      }
      edits.add(new Edit(close, close, inline.toString()));
      return edits;
    }
    String indent = last != null ? indentation(text, last.keyStart()) : outer + unit(outer);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < entries.size(); i++) {
      lines.append(indent).append(entries.get(i).text());
      if (i < entries.size() - 1 || trailingComma) {
        lines.append(',');
      }
      lines.append(newline);
    }
    if (closeAlone) {
      edits.add(new Edit(closeLine, closeLine, lines.toString()));
    } else {
      // "secrets": {} becomes an object over several lines, closed at the key's indentation.
      edits.add(new Edit(close, close, newline + lines + outer));
    }
    return edits;
  }

  /** One step of indentation, as the key at {@code outer} uses it: a tab, or two spaces. */
  private static String unit(String outer) {
    return outer.contains("\t") ? "\t" : "  ";
  }

  /** The blanks before {@code at} on its line, or "" when something else precedes it. */
  private static String indentation(String text, int at) {
    String before = text.substring(lineStart(text, at), at);
    return before.isBlank() ? before : "";
  }

  private static int lineStart(String text, int at) {
    return text.lastIndexOf('\n', at - 1) + 1;
  }

  /** Whether a comma stands between two offsets, among blanks and comments. */
  private static boolean commaBetween(String text, int from, int to) {
    int i = from;
    while (i < to) {
      char c = text.charAt(i);
      if (c == ',') {
        return true;
      }
      if (text.startsWith("//", i)) {
        int end = text.indexOf('\n', i);
        i = end < 0 ? to : end + 1;
      } else if (text.startsWith("/*", i)) {
        int end = text.indexOf("*/", i + 2);
        i = end < 0 ? to : end + 2;
      } else {
        i++;
      }
    }
    return false;
  }

  private static String quote(String text) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
  }

  /** Replace [start, end) with text. */
  private record Edit(int start, int end, String text) {}

  /** Where a variable of {@code "secrets"} is: its key, and its value from first to last char. */
  private record Member(int keyStart, int valueStart, int valueEnd) {}

  /**
   * @param vault the manifest's own default vault, or null
   * @param secretsKey where the {@code "secrets"} key starts
   * @param secretsEnd where the {@code "secrets"} object's closing brace is
   */
  private record Structure(
      VaultRef vault, int secretsKey, int secretsEnd, Map<String, Member> members) {}

  private static Structure scan(String text) {
    // A byte order mark is no JSON to Jackson: offsets count from after it.
    int shift = text.startsWith("\uFEFF") ? 1 : 0;
    VaultRef vault = null;
    int secretsKey = -1;
    int secretsEnd = -1;
    Map<String, Member> members = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(text.substring(shift))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a manifest");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        int keyAt = shift + (int) p.currentTokenLocation().getCharOffset();
        JsonToken value = p.nextToken();
        if (key.equals("vault") && value == JsonToken.VALUE_STRING) {
          vault = VaultRef.tryParse(p.getText()).orElse(null);
        } else if (key.equals("secrets") && value == JsonToken.START_OBJECT) {
          secretsKey = keyAt;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String variable = p.currentName();
            int variableAt = shift + (int) p.currentTokenLocation().getCharOffset();
            JsonToken v = p.nextToken();
            int start = shift + (int) p.currentTokenLocation().getCharOffset();
            int end;
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
              p.skipChildren();
              end = shift + (int) p.currentTokenLocation().getCharOffset() + 1;
            } else {
              p.getText();
              end = shift + (int) p.currentLocation().getCharOffset();
            }
            members.put(variable, new Member(variableAt, start, end));
          }
          secretsEnd = shift + (int) p.currentTokenLocation().getCharOffset();
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a manifest", e);
    }
    if (secretsEnd < 0) {
      throw new IllegalArgumentException("no \"secrets\" object");
    }
    return new Structure(vault, secretsKey, secretsEnd, members);
  }
}
