package dev.kvload.env;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Variables that change how programs load code. A manifest comes with a repository someone cloned;
 * the values come from a vault. Neither may decide which code the next program runs, so a manifest
 * may set one of these only when the command line names it ({@code --allow-var NAME}).
 *
 * <p>What is on the list: what the dynamic loader, the C library, a shell or a language runtime
 * reads when a program starts, to load code the variable names or to find where to load it from;
 * where shells and git read their start-up files; and the programs that git, ssh, less and editors
 * start on their own. Git is on it because VS Code and Codespaces run it in the background, and
 * git, unlike a build tool, never runs code from a repository it cloned: a variable is the only way
 * in.
 *
 * <p>What is left off: a build tool's settings ({@code npm_config_*}, {@code GOFLAGS}, {@code
 * RUSTFLAGS}, {@code MAVEN_OPTS}, {@code CC}): a build in a cloned repository runs that
 * repository's code anyway, so refusing them would protect nothing and break real manifests.
 * Settings that send traffic elsewhere without loading code ({@code HTTPS_PROXY}, {@code
 * SSL_CERT_FILE}, {@code NODE_EXTRA_CA_CERTS}) and credentials ({@code AZURE_*}, {@code
 * GITHUB_TOKEN}), which is what people keep in Key Vault. {@code BASH_FUNC_*%%} (exported
 * functions) needs a {@code %} that no manifest variable name may hold.
 *
 * <p>Names are matched without regard to case. On Linux and macOS {@code ld_preload} is another,
 * harmless variable, but on Windows the environment ignores case ({@code Path} is {@code PATH}),
 * and a manifest is shared by everyone who clones the repository; a variable that differs from one
 * of these only in case is odd enough to deserve the same {@code --allow-var}.
 */
public final class CodeLoadingVariables {
  private static final Set<String> NAMES =
      Set.of(
          // C library
          "GCONV_PATH",
          "GLIBC_TUNABLES",
          // shells: start-up files, search paths, and prompts whose $(...) bash runs
          "BASH_ENV",
          "ENV",
          "PATH",
          "IFS",
          "CDPATH",
          "PROMPT_COMMAND",
          "PS0",
          "PS1",
          "PS2",
          "PS3",
          "PS4",
          "SHELLOPTS",
          "BASHOPTS",
          "BASH_LOADABLES_PATH",
          "ZDOTDIR",
          "FPATH",
          "HOME",
          "SHELL",
          "XDG_CONFIG_HOME",
          "XDG_CONFIG_DIRS",
          // readline's key bindings can type commands; bash-completion sources scripts from these
          "INPUTRC",
          "BASH_COMPLETION_USER_DIR",
          "XDG_DATA_HOME",
          "XDG_DATA_DIRS",
          // language runtimes
          "NODE_OPTIONS",
          "NODE_PATH",
          "NODE_REPL_EXTERNAL_MODULE",
          "ELECTRON_RUN_AS_NODE",
          "JAVA_TOOL_OPTIONS",
          "_JAVA_OPTIONS",
          "JDK_JAVA_OPTIONS",
          "CLASSPATH",
          "JAVA_HOME",
          "PYTHONPATH",
          "PYTHONSTARTUP",
          "PYTHONHOME",
          "PYTHONUSERBASE",
          "PYTHONPLATLIBDIR",
          "PYTHONBREAKPOINT",
          "PERL5OPT",
          "PERL5LIB",
          "PERLLIB",
          "PERL5DB",
          "RUBYOPT",
          "RUBYLIB",
          "PHPRC",
          "PHP_INI_SCAN_DIR",
          "DOTNET_STARTUP_HOOKS",
          "DOTNET_ADDITIONAL_DEPS",
          "OPENSSL_CONF",
          "OPENSSL_ENGINES",
          "OPENSSL_MODULES",
          // git and ssh
          "GIT_DIR",
          "GIT_CONFIG",
          "GIT_EXEC_PATH",
          "GIT_TEMPLATE_DIR",
          "GIT_SSH",
          "GIT_SSH_COMMAND",
          "GIT_ASKPASS",
          "SSH_ASKPASS",
          "GIT_PROXY_COMMAND",
          "GIT_EXTERNAL_DIFF",
          "GIT_PAGER",
          "GIT_EDITOR",
          "GIT_SEQUENCE_EDITOR",
          // programs other programs start
          "PAGER",
          "LESSOPEN",
          "LESSCLOSE",
          "EDITOR",
          "VISUAL",
          "BROWSER");

  /**
   * Families: the dynamic loaders (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT; DYLD_INSERT_LIBRARIES),
   * git's configuration by environment (GIT_CONFIG_COUNT, GIT_CONFIG_KEY_0, GIT_CONFIG_PARAMETERS,
   * GIT_CONFIG_GLOBAL: core.fsmonitor runs a program on every git status), .NET's profiler
   * (CORECLR_PROFILER_PATH), and kvload's own settings, which a kvload started by the command would
   * obey (KVLOAD_ALLOW_VAULT_HOSTS, KVLOAD_JAVA_OPTS).
   */
  private static final List<String> PREFIXES =
      List.of("LD_", "DYLD_", "GIT_CONFIG_", "CORECLR_", "KVLOAD_");

  private CodeLoadingVariables() {}

  /** True when setting {@code name} can change which code a program loads or runs. */
  public static boolean contains(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return NAMES.contains(upper) || PREFIXES.stream().anyMatch(upper::startsWith);
  }
}
