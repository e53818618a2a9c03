package dev.kvload.output;

import dev.kvload.Printable;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * GitHub Actions workflow commands ({@code ::name key=value::data}). The runner reads them on
 * stdout and stderr alike, unescapes data and property values, and never shows the raw line.
 *
 * <p>Escaping follows the runner's own tables: data escapes {@code %}, CR and LF; property values
 * also {@code :} and {@code ,}, which would otherwise end the value.
 */
public final class WorkflowCommands {
  private WorkflowCommands() {}

  /** {@code ::add-mask::VALUE}: the runner replaces VALUE with {@code ***} in every later line. */
  public static String mask(String value) {
    return "::add-mask::" + data(value) + "\n";
  }

  /**
   * {@code # ##[add-mask]VALUE}: the same command in the runner's older form, which it reads
   * anywhere in a line, inside a comment that {@code sh} and dotenv readers skip.
   */
  public static String maskComment(String value) {
    return "# ##[add-mask]" + legacyData(value) + "\n";
  }

  /**
   * Where the runner stops acting on workflow commands, so that lines printed until {@link #resume}
   * (values among them) are only text. Masks must come before: they are commands too.
   */
  public static String stop(String token) {
    return "::stop-commands::" + token + "\n";
  }

  /** Where the runner acts on workflow commands again, after {@link #stop} with the same token. */
  public static String resume(String token) {
    return "::" + token + "::\n";
  }

  /** {@link #stop} as a comment line for {@code sh} and dotenv output, as {@link #maskComment}. */
  public static String stopComment(String token) {
    return "# ##[stop-commands]" + token + "\n";
  }

  /** {@link #resume} as a comment line, as {@link #stopComment}. */
  public static String resumeComment(String token) {
    return "# ##[" + token + "]\n";
  }

  /**
   * A token for {@link #stop}: random, so no value can resume commands early, and checked not to
   * occur in any of {@code values} in any case, since the runner matches it without regard to case.
   */
  public static String stopToken(Collection<String> values) {
    SecureRandom random = new SecureRandom();
    return stopToken(
        values,
        () -> {
          byte[] nonce = new byte[16];
          random.nextBytes(nonce);
          return "kvload-" + HexFormat.of().formatHex(nonce);
        });
  }

  static String stopToken(Collection<String> values, Supplier<String> candidates) {
    while (true) {
      String token = candidates.get();
      if (values.stream().noneMatch(v -> v.toLowerCase(Locale.ROOT).contains(token))) {
        return token;
      }
    }
  }

  /**
   * An annotation: {@code ::error file=F,line=L,col=C,title=T::message}. Title and message quote
   * names from manifests and vaults: each of their lines is shown through {@link Printable#line},
   * since the log view acts on terminal escapes as a terminal does.
   *
   * @param kind {@code error}, {@code warning} or {@code notice}
   * @param file relative to the repository root, or null when the annotation has no place
   */
  public static String annotation(
      String kind, String file, int line, int column, String title, String message) {
    StringBuilder out = new StringBuilder("::").append(kind);
    String separator = " ";
    if (file != null) {
      out.append(separator).append("file=").append(property(file));
      separator = ",";
      if (line > 0) {
        out.append(",line=").append(line);
        if (column > 0) {
          out.append(",col=").append(column);
        }
      }
    }
    if (title != null) {
      out.append(separator).append("title=").append(property(Printable.line(title)));
    }
    String shown = message.lines().map(Printable::line).collect(Collectors.joining("\n"));
    return out.append("::").append(data(shown)).append('\n').toString();
  }

  /** Escapes a command's data so that the runner gets back exactly {@code text}. */
  public static String data(String text) {
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  /**
   * Escapes the data of a command in the older {@code ##[name]data} form, which the runner
   * unescapes with one table for {@code ;}, CR, LF, {@code ]} and {@code %}.
   */
  static String legacyData(String text) {
    return text.replace("%", "%25")
        .replace(";", "%3B")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace("]", "%5D");
  }

  /** Escapes a property value ({@code title=}, {@code file=}). */
  public static String property(String text) {
    return data(text).replace(":", "%3A").replace(",", "%2C");
  }
}
