package dev.kvload.output;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * GitHub Actions {@code ::add-mask::} commands, so the runner hides values in every later log line.
 * A multi-line value is masked line by line, since the runner matches each log line on its own.
 *
 * <p>What a mask cannot hide: a blank line (nothing to hide; the runner refuses such a mask), and a
 * line shorter than {@link #MIN_LENGTH} characters once trimmed. The runner would take a mask of
 * {@code }} or {@code 1}, and then replace every such character in every later line of the job,
 * which makes its logs unreadable and hides nothing a reader could not guess; so such lines are
 * left unmasked and kvload warns, naming the variable ({@link #unmasked}). The same bound is used
 * by google-github-actions/get-secretmanager-secrets (min_mask_length) and Ansible.
 */
public final class GithubMasks {
  /** Lines shorter than this (trimmed) are not masked. */
  public static final int MIN_LENGTH = 4;

  private GithubMasks() {}

  /** One {@code ::add-mask::LINE} per line that can be masked: for a stream a program reads. */
  public static String commands(Collection<String> values) {
    StringBuilder out = new StringBuilder();
    values.forEach(
        value -> maskable(value).forEach(line -> out.append(WorkflowCommands.mask(line))));
    return out.toString();
  }

  /**
   * The same masks as comment lines ({@code # ##[add-mask]LINE}), for {@code sh} and {@code dotenv}
   * output: its readers skip comments, the runner reads the command anywhere in the line.
   */
  public static String comments(Collection<String> values) {
    StringBuilder out = new StringBuilder();
    values.forEach(
        value -> maskable(value).forEach(line -> out.append(WorkflowCommands.maskComment(line))));
    return out.toString();
  }

  /** How many non-blank lines of {@code value} are too short to be masked. */
  public static int unmasked(String value) {
    int n = 0;
    for (String line : lines(value)) {
      if (!line.isBlank() && !longEnough(line)) {
        n++;
      }
    }
    return n;
  }

  private static List<String> maskable(String value) {
    List<String> out = new ArrayList<>();
    for (String line : lines(value)) {
      if (longEnough(line)) {
        out.add(line);
      }
    }
    return out;
  }

  private static String[] lines(String value) {
    return value.split("\r\n|\r|\n");
  }

  private static boolean longEnough(String line) {
    String trimmed = line.strip();
    return trimmed.codePointCount(0, trimmed.length()) >= MIN_LENGTH;
  }
}
