package dev.kvload.importing;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one question {@code import} and {@code init} ask before they map a variable: does setting it
 * change which code programs load ({@code LD_PRELOAD}, {@code PATH}, {@code NODE_OPTIONS}, ...)? A
 * manifest may map such a variable only when the command line allows it by name ({@code
 * --allow-var}), so neither command writes one without that either.
 *
 * <p>A short list of the loaders, shells and runtimes that matter most; the manifest's own rule is
 * meant to answer here, so that both always agree.
 */
public final class CodeLoading {
  private static final Set<String> NAMES =
      Set.of(
          "PATH",
          "BASH_ENV",
          "ENV",
          "IFS",
          "PROMPT_COMMAND",
          "NODE_OPTIONS",
          "NODE_PATH",
          "JAVA_TOOL_OPTIONS",
          "_JAVA_OPTIONS",
          "JDK_JAVA_OPTIONS",
          "CLASSPATH",
          "PYTHONPATH",
          "PYTHONSTARTUP",
          "PYTHONHOME",
          "PERL5OPT",
          "PERL5LIB",
          "RUBYOPT",
          "RUBYLIB",
          "GCONV_PATH",
          "GIT_SSH_COMMAND",
          "GIT_EXEC_PATH");

  private static final List<String> PREFIXES = List.of("LD_", "DYLD_", "GIT_CONFIG_", "KVLOAD_");

  private CodeLoading() {}

  /** True when setting {@code variable} can change which code a program loads or runs. */
  public static boolean loadsCode(String variable) {
    String upper = variable.toUpperCase(Locale.ROOT);
    return NAMES.contains(upper) || PREFIXES.stream().anyMatch(upper::startsWith);
  }
}
