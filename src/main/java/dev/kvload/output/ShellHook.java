package dev.kvload.output;

/**
 * The line {@code kvload shell-hook} prints for a shell's rc file: it sources the default env file
 * ({@link DefaultEnvFile}) when it is there.
 *
 * <p>The line finds the file by the same rule as kvload, in the shell, each time a terminal starts,
 * rather than holding a path computed once: so one line serves every user when it sits in a
 * system-wide rc file written at image build time (by root), and no JVM starts per terminal.
 * Sourcing it twice sets the same variables to the same values; appending it twice to an rc file
 * only repeats that.
 */
public final class ShellHook {
  /** Found in every hook line, so a script can tell whether an rc file has one already. */
  public static final String MARKER = "# kvload shell-hook";

  private ShellHook() {}

  /** The same line serves bash and zsh: both read it alike, and both set {@code UID}. */
  public static String line() {
    return "__kvload_env=/dev/shm/kvload-${UID:-$(id -u)}/env;"
        + " case ${XDG_RUNTIME_DIR:-} in /*) [ -d \"$XDG_RUNTIME_DIR\" ]"
        + " && __kvload_env=$XDG_RUNTIME_DIR/kvload/env;; esac;"
        + " [ -r \"$__kvload_env\" ] && . \"$__kvload_env\"; unset __kvload_env  "
        + MARKER
        + "\n";
  }
}
