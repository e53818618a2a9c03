package dev.kvload.output;

import java.util.Collection;

/**
 * GitHub Actions {@code ::add-mask::} commands, so the runner hides values in every later log line.
 * A multi-line value is masked line by line, since the runner matches each log line on its own.
 */
public final class GithubMasks {
  private GithubMasks() {}

  public static String commands(Collection<String> values) {
    StringBuilder out = new StringBuilder();
    for (String value : values) {
      for (String line : value.split("\r\n|\r|\n")) {
        if (!line.isBlank()) {
          out.append(WorkflowCommands.mask(line));
        }
      }
    }
    return out.toString();
  }
}
