package dev.kvload.output;

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
   * An annotation: {@code ::error file=F,line=L,col=C,title=T::message}.
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
      out.append(separator).append("title=").append(property(title));
    }
    return out.append("::").append(data(message)).append('\n').toString();
  }

  /** Escapes a command's data so that the runner gets back exactly {@code text}. */
  public static String data(String text) {
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  /** Escapes a property value ({@code title=}, {@code file=}). */
  public static String property(String text) {
    return data(text).replace(":", "%3A").replace(",", "%2C");
  }
}
