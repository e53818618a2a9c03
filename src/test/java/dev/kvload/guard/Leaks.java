package dev.kvload.guard;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Collection;

/** The one check for leaked secret values, shared by every runner and by {@link SecretGuard}. */
public final class Leaks {
  /**
   * Values shorter than this are too likely to occur by chance ("ok", "1"); test values are longer.
   */
  static final int MIN_LENGTH = 4;

  private Leaks() {}

  /** Fails when a value appears on stderr, or on stdout when the run did not ask for values. */
  public static void assertNone(Collection<String> values, Output output) {
    for (String value : values) {
      String v = value == null ? "" : value.strip();
      if (v.length() < MIN_LENGTH) {
        continue;
      }
      // The message names the run and where, never the value or the output: a failing guard must
      // not leak what it guards (test reports are logs too).
      if (output.stderr().contains(v)) {
        fail(
            "a secret value reached stderr of "
                + output.label()
                + " (a value of length "
                + v.length()
                + ")");
      }
      if (!output.valuesOnStdout() && output.stdout().contains(v)) {
        fail(
            "a secret value reached stdout of "
                + output.label()
                + ", which this test did not ask for (a value of length "
                + v.length()
                + ")");
      }
    }
  }
}
