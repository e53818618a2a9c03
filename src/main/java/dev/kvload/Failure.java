package dev.kvload;

import java.util.List;

/**
 * The few ways a kvload run can fail. Each kind maps to one exit status in {@link ExitStatus}, so
 * callers throw the kind that says what went wrong and never pick a number themselves.
 *
 * <p>Messages are shown to users as they are: one line each, naming variables, secrets, vaults and
 * files, never a secret's value. The last line says what to do next.
 */
public abstract sealed class Failure extends RuntimeException {
  private final List<String> lines;

  private Failure(List<String> lines, Throwable cause) {
    super(String.join("\n", lines), cause, false, true);
    this.lines = List.copyOf(lines);
  }

  /** The message, a line each; printed to stderr with a {@code kvload: } prefix. */
  public List<String> lines() {
    return lines;
  }

  /** Wrong options or arguments on the command line. */
  public static final class Usage extends Failure {
    public Usage(String... lines) {
      super(List.of(lines), null);
    }
  }

  /** The manifest is missing or invalid. */
  public static final class Manifest extends Failure {
    public Manifest(String... lines) {
      super(List.of(lines), null);
    }
  }

  /** No credential could produce a token, or the token was rejected. */
  public static final class Auth extends Failure {
    public Auth(List<String> lines, Throwable cause) {
      super(lines, cause);
    }
  }

  /** A required secret is missing, forbidden, disabled, outside its validity window or unusable. */
  public static final class Secret extends Failure {
    public Secret(List<String> lines) {
      super(lines, null);
    }
  }

  /** The vault could not be reached, timed out, or kept throttling until the deadline. */
  public static final class Vault extends Failure {
    public Vault(List<String> lines, Throwable cause) {
      super(lines, cause);
    }
  }

  /** The output could not be written, or writing it was refused (not tmpfs). */
  public static final class Output extends Failure {
    public Output(String line, Throwable cause) {
      super(List.of(line), cause);
    }
  }

  /** {@code run}: the command could not be started. */
  public static final class Command extends Failure {
    private final boolean found;

    public Command(boolean found, String line) {
      super(List.of(line), null);
      this.found = found;
    }

    /** False when the command does not exist (127); true when it exists but cannot run (126). */
    public boolean found() {
      return found;
    }
  }
}
