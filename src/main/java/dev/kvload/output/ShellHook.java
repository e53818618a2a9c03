package dev.kvload.output;

/**
 * The line {@code kvload shell-hook} prints for a shell's rc file: it sources the default env file
 * ({@link DefaultEnvFile}) when it is there and nobody but the user could have put it there.
 *
 * <p>The line finds the file by the same rule as kvload, in the shell, each time a terminal starts,
 * rather than holding a path computed once: so one line serves every user when it sits in a
 * system-wide rc file written at image build time (by root), and no JVM starts per terminal.
 * Sourcing it twice sets the same variables to the same values; appending it twice to an rc file
 * only repeats that.
 *
 * <p>Whatever a terminal sources runs as its user, root included, and {@code /dev/shm} is shared:
 * another user may create {@code /dev/shm/kvload-UID/env} before the user's first {@code export
 * -o}. So the line sources only a regular file, not a link, owned by the user, in a folder, not a
 * link, owned by the user, neither of them writable by group or others, in a folder that belongs to
 * the user or root and that others cannot write to unless it is sticky ({@code /dev/shm}). Owners
 * come from the shells' own tests ({@code -O}, {@code -f}, {@code -h}); modes from {@code find
 * -perm}, which GNU and BSD both have. Any output of those {@code find}s (a match, or an error such
 * as find missing) means no.
 */
public final class ShellHook {
  /** Found in every hook line, so a script can tell whether an rc file has one already. */
  public static final String MARKER = "# kvload shell-hook";

  /**
   * One line: the text block's line breaks are escaped. {@code __kvload_d} is the folder: {@code
   * $XDG_RUNTIME_DIR/kvload} only when {@link DefaultEnvFile#path} would pick it, else {@code
   * /dev/shm/kvload-UID}.
   */
  private static final String LINE =
      """
      __kvload_u=${UID:-$(id -u)}; __kvload_d=/dev/shm/kvload-$__kvload_u; \
      case ${XDG_RUNTIME_DIR:-} in /*[!/]) [ -d "$XDG_RUNTIME_DIR" ] \
      && [ ! -h "$XDG_RUNTIME_DIR" ] && [ -O "$XDG_RUNTIME_DIR" ] \
      && [ -z "$(find "$XDG_RUNTIME_DIR" -prune \\( -perm -020 -o -perm -002 \\) 2>&1)" ] \
      && __kvload_d=$XDG_RUNTIME_DIR/kvload;; esac; \
      if [ -f "$__kvload_d/env" ] && [ ! -h "$__kvload_d/env" ] && [ -O "$__kvload_d/env" ] \
      && [ -d "$__kvload_d" ] && [ ! -h "$__kvload_d" ] && [ -O "$__kvload_d" ] \
      && [ -z "$(find "$__kvload_d" "$__kvload_d/env" -prune \\( -perm -020 -o -perm -002 \\) 2>&1; \
      find "${__kvload_d%/*}" -prune \\( ! -user 0 ! -user "$__kvload_u" \
      -o \\( -perm -020 -o -perm -002 \\) ! -perm -1000 \\) 2>&1)" ]; \
      then . "$__kvload_d/env"; \
      elif [ -e "$__kvload_d/env" ] || [ -h "$__kvload_d/env" ]; \
      then echo "kvload: not sourcing $__kvload_d/env: it must be a file of yours in a folder of \
      yours that no one else can write (see ls -ld); remove what is there (as root if it is not \
      yours), then run kvload export -o" >&2; fi; unset __kvload_u __kvload_d  \
      """;

  private ShellHook() {}

  /** The same line serves bash and zsh: both read it alike, and both set {@code UID}. */
  public static String line() {
    return LINE + MARKER + "\n";
  }
}
