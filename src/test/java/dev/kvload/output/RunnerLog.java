package dev.kvload.output;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the GitHub Actions runner makes of a step's output, written from its rules (actions/runner
 * {@code OutputManager}, {@code ActionCommandManager}, {@code ActionCommand}): each line is first
 * tried as a workflow command, {@code ::name props::data} at the start of the line (after spaces)
 * or the older {@code ##[name props]data} anywhere in it; a command it acts on is not shown; every
 * other line is shown with each registered mask replaced by {@code ***}. {@code
 * ::stop-commands::TOKEN} makes it act on nothing until a command named TOKEN. Stdout and stderr
 * share one such state.
 */
public final class RunnerLog {
  private static final Set<String> COMMANDS =
      Set.of(
          "add-mask",
          "stop-commands",
          "error",
          "warning",
          "notice",
          "debug",
          "group",
          "endgroup",
          "echo",
          "set-output",
          "save-state",
          "add-path",
          "set-env",
          "add-matcher",
          "remove-matcher");

  private final Set<String> registered = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  private final List<String> masks = new ArrayList<>();
  private final List<String> acted = new ArrayList<>();
  private final List<String> shown = new ArrayList<>();
  private String stopToken;

  public RunnerLog() {
    registered.addAll(COMMANDS);
  }

  /** Reads a whole stream's text, line by line. */
  public RunnerLog read(String text) {
    text.lines().forEach(this::line);
    return this;
  }

  /** The masks registered, as the runner holds them. */
  public List<String> masks() {
    return masks;
  }

  /** Each command acted on, as {@code name:data}. */
  public List<String> acted() {
    return acted;
  }

  /** The lines shown in the log, masked. */
  public List<String> shown() {
    return shown;
  }

  /** The names of the commands acted on, in order. */
  public List<String> actedNames() {
    return acted.stream().map(a -> a.substring(0, a.indexOf(':'))).toList();
  }

  private void line(String line) {
    if (line.contains("##[") || line.contains("::")) {
      String[] command = parse(line);
      if (command != null && act(command[0], command[1])) {
        return;
      }
    }
    String masked = line;
    List<String> longestFirst = new ArrayList<>(masks);
    longestFirst.sort(Comparator.comparingInt(String::length).reversed());
    for (String mask : longestFirst) {
      masked = masked.replace(mask, "***");
    }
    shown.add(masked);
  }

  private boolean act(String name, String data) {
    if (stopToken != null) {
      if (name.equalsIgnoreCase(stopToken)) {
        registered.remove(stopToken);
        stopToken = null;
        acted.add("resume:" + name);
        return true;
      }
      return false;
    }
    acted.add(name.toLowerCase(Locale.ROOT) + ":" + data);
    switch (name.toLowerCase(Locale.ROOT)) {
      case "stop-commands" -> {
        stopToken = data;
        registered.add(data);
        if (data.length() > 6) {
          masks.add(data);
        }
      }
      case "add-mask" -> {
        if (!data.isBlank()) {
          masks.add(data);
          for (String part : data.split("[\r\n]")) {
            if (!part.strip().isEmpty()) {
              masks.add(part.strip());
            }
          }
        }
      }
      default -> {}
    }
    return true;
  }

  /** {@code [name, data]}, or null when the line is no command the runner knows. */
  private String[] parse(String line) {
    String trimmed = line.stripLeading();
    if (trimmed.startsWith("::")) {
      int end = trimmed.indexOf("::", 2);
      if (end >= 0) {
        String info = trimmed.substring(2, end);
        int space = info.indexOf(' ');
        String name = space < 0 ? info : info.substring(0, space);
        if (registered.contains(name)) {
          return new String[] {name, unescapeData(trimmed.substring(end + 2))};
        }
      }
    }
    int prefix = line.indexOf("##[");
    if (prefix < 0) {
      return null;
    }
    int bracket = line.indexOf(']', prefix);
    if (bracket < 0) {
      return null;
    }
    String info = line.substring(prefix + 3, bracket);
    int space = info.indexOf(' ');
    String name = space < 0 ? info : info.substring(0, space);
    if (!registered.contains(name)) {
      return null;
    }
    return new String[] {name, unescapeLegacy(line.substring(bracket + 1))};
  }

  private static String unescapeData(String text) {
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%");
  }

  private static String unescapeLegacy(String text) {
    return text.replace("%3B", ";")
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%5D", "]")
        .replace("%25", "%");
  }
}
