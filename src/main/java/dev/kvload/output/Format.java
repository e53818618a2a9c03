package dev.kvload.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The export formats. Each renders the variables so that its reader gets every value back. */
public enum Format {
  /** {@code export NAME='value'}: POSIX single quotes, so {@code . FILE} restores every byte. */
  SH {
    @Override
    void render(Map<String, String> vars, StringBuilder out) {
      vars.forEach(
          (name, value) ->
              out.append("export ")
                  .append(name)
                  .append("='")
                  .append(value.replace("'", "'\\''"))
                  .append("'\n"));
    }
  },
  /** {@code NAME="value"} with {@code \n}, {@code \"} and {@code \\} escapes. */
  DOTENV {
    @Override
    void render(Map<String, String> vars, StringBuilder out) {
      vars.forEach(
          (name, value) -> {
            out.append(name).append("=\"");
            value
                .chars()
                .forEach(
                    c -> {
                      switch (c) {
                        case '\\' -> out.append("\\\\");
                        case '"' -> out.append("\\\"");
                        case '\n' -> out.append("\\n");
                        case '\r' -> out.append("\\r");
                        default -> out.append((char) c);
                      }
                    });
            out.append("\"\n");
          });
    }

    /**
     * What the common readers do with this dialect (README, "export formats"): python-dotenv takes
     * {@code \"} as an escaped quote even after {@code \\}, so a value ending in {@code \} swallows
     * the closing quote and the next variable with it; docker compose expands {@code $NAME} and
     * {@code ${...}}, python-dotenv {@code ${...}}; Node's dotenv turns only {@code \n} and {@code
     * \r} back, leaving {@code \"} and {@code \\} as they are written.
     */
    @Override
    public Optional<String> pitfall(String value) {
      List<String> found = new ArrayList<>();
      if (value.endsWith("\\")) {
        found.add("ends with \\, which makes python-dotenv lose it and the next variable");
      }
      if (EXPANDED.matcher(value).find()) {
        found.add("holds $NAME or ${...}, which docker compose expands (python-dotenv: ${...})");
      }
      if (value.contains("\"") || value.contains("\\")) {
        found.add("holds \" or \\, which Node's dotenv leaves escaped");
      }
      return found.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", found));
    }
  },
  /** One JSON object, variable to value. */
  JSON {
    @Override
    void render(Map<String, String> vars, StringBuilder out) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (JsonGenerator json = new JsonFactory().createGenerator(bytes)) {
        json.useDefaultPrettyPrinter();
        json.writeStartObject();
        for (var e : vars.entrySet()) {
          json.writeStringField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.append(bytes.toString(StandardCharsets.UTF_8)).append('\n');
    }
  },
  /**
   * The {@code $GITHUB_ENV} form: {@code NAME<<DELIMITER}, the value, {@code DELIMITER}; the
   * delimiter is random and checked not to occur in the value, so a value cannot end it early.
   */
  GITHUB {
    @Override
    void render(Map<String, String> vars, StringBuilder out) {
      SecureRandom random = new SecureRandom();
      vars.forEach(
          (name, value) -> {
            String delimiter;
            do {
              byte[] nonce = new byte[16];
              random.nextBytes(nonce);
              delimiter = "ghadelimiter_" + HexFormat.of().formatHex(nonce);
            } while (value.contains(delimiter));
            out.append(name).append("<<").append(delimiter).append('\n');
            out.append(value).append('\n');
            out.append(delimiter).append('\n');
          });
    }
  };

  abstract void render(Map<String, String> vars, StringBuilder out);

  /** {@code $NAME} or {@code ${}: what docker compose expands in a double-quoted dotenv value. */
  private static final Pattern EXPANDED = Pattern.compile("\\$[A-Za-z_{]");

  /**
   * Why common readers of this format would not read {@code value} back as it is, in words that
   * never quote it; empty when they all would.
   */
  public Optional<String> pitfall(String value) {
    return Optional.empty();
  }

  /** The whole output, UTF-8. */
  public byte[] render(Map<String, String> vars) {
    StringBuilder out = new StringBuilder();
    render(vars, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static Format parse(String text) {
    for (Format f : values()) {
      if (f.name().equalsIgnoreCase(text)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not an export format: use sh, dotenv, json or github");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
