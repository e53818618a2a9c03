package dev.kvload.guard;

/**
 * What one kvload run printed.
 *
 * @param label says which run, in a failure message (never the output itself)
 * @param valuesOnStdout the run printed values on stdout on purpose ({@code export} without {@code
 *     -o})
 */
public record Output(String label, String stdout, String stderr, boolean valuesOnStdout) {
  /** Names only: an output may hold values. */
  @Override
  public String toString() {
    return "Output[" + label + "]";
  }
}
