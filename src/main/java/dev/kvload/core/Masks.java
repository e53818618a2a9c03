package dev.kvload.core;

import dev.kvload.output.GithubMasks;
import java.util.Map;

/**
 * The {@code ::add-mask::} lines of a command that fetched values inside GitHub Actions. They go to
 * stdout, first: values never go to stderr, and on one stream the runner reads every mask before
 * any later line that could hold a value.
 */
final class Masks {
  private Masks() {}

  /** How the masks are written. */
  enum Form {
    /** {@code ::add-mask::LINE}: stdout carries nothing else a program reads. */
    COMMANDS,
    /** {@code # ##[add-mask]LINE}: inside {@code sh} or {@code dotenv} output, as comments. */
    COMMENTS
  }

  /**
   * The masks for {@code values} (variable to value), or "" outside Actions; warns, naming the
   * variable, about each value with lines too short to mask.
   */
  static String of(Session session, Map<String, String> values, Form form) {
    if (!GithubActions.of(session.env()).active()) {
      return "";
    }
    values.forEach(
        (variable, value) -> {
          int unmasked = GithubMasks.unmasked(value);
          if (unmasked > 0) {
            boolean oneLine = value.lines().count() <= 1;
            session
                .diagnostics()
                .warn(
                    variable
                        + ": "
                        + (oneLine
                            ? "its value is"
                            : unmasked == 1
                                ? "a line of its value is"
                                : unmasked + " lines of its value are")
                        + " shorter than "
                        + GithubMasks.MIN_LENGTH
                        + " characters, left unmasked: a mask that short would hide that text"
                        + " in every later line of the job's log");
          }
        });
    return form == Form.COMMANDS
        ? GithubMasks.commands(values.values())
        : GithubMasks.comments(values.values());
  }

  /** Prints {@link #of} as commands on stdout, before anything else the command prints there. */
  static void print(Session session, Map<String, String> values) {
    String masks = of(session, values, Form.COMMANDS);
    if (!masks.isEmpty()) {
      session.out().print(masks);
      session.out().flush();
    }
  }
}
