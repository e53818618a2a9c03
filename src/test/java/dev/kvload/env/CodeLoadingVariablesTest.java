package dev.kvload.env;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which variables a manifest may not set without --allow-var, and which it may. */
class CodeLoadingVariablesTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        // the dynamic loaders
        Arguments.of("preloads a library into every program", "LD_PRELOAD", true),
        Arguments.of("another loader variable", "LD_AUDIT", true),
        Arguments.of("library search path", "LD_LIBRARY_PATH", true),
        Arguments.of("macOS loader", "DYLD_INSERT_LIBRARIES", true),
        Arguments.of("glibc's charset modules", "GCONV_PATH", true),
        Arguments.of("glibc's loader tunables", "GLIBC_TUNABLES", true),
        // shells
        Arguments.of("bash's start-up file", "BASH_ENV", true),
        Arguments.of("sh's start-up file", "ENV", true),
        Arguments.of("where commands are found", "PATH", true),
        Arguments.of("word splitting", "IFS", true),
        Arguments.of("runs before each prompt", "PROMPT_COMMAND", true),
        Arguments.of("expanded by set -x", "PS4", true),
        Arguments.of("expanded at each prompt", "PS1", true),
        Arguments.of("turns on xtrace for every bash", "SHELLOPTS", true),
        Arguments.of("bash's shopt options", "BASHOPTS", true),
        Arguments.of("where shells read rc files", "HOME", true),
        Arguments.of("zsh's rc folder", "ZDOTDIR", true),
        Arguments.of("git's and others' config folder", "XDG_CONFIG_HOME", true),
        Arguments.of("readline binds Enter to a command", "INPUTRC", true),
        Arguments.of("bash-completion sources scripts there", "XDG_DATA_DIRS", true),
        // runtimes
        Arguments.of("node --require", "NODE_OPTIONS", true),
        Arguments.of("node's module path", "NODE_PATH", true),
        Arguments.of("VS Code's own binary as node", "ELECTRON_RUN_AS_NODE", true),
        Arguments.of("-javaagent for every JVM", "JAVA_TOOL_OPTIONS", true),
        Arguments.of("HotSpot's options", "_JAVA_OPTIONS", true),
        Arguments.of("the java launcher's options", "JDK_JAVA_OPTIONS", true),
        Arguments.of("Java's class path", "CLASSPATH", true),
        Arguments.of("python's module path", "PYTHONPATH", true),
        Arguments.of("python's interactive start-up", "PYTHONSTARTUP", true),
        Arguments.of("python's standard library", "PYTHONHOME", true),
        Arguments.of("perl -M", "PERL5OPT", true),
        Arguments.of("perl's module path", "PERL5LIB", true),
        Arguments.of("ruby -r", "RUBYOPT", true),
        Arguments.of("ruby's load path", "RUBYLIB", true),
        Arguments.of(".NET start-up hook", "DOTNET_STARTUP_HOOKS", true),
        Arguments.of(".NET profiler library", "CORECLR_PROFILER_PATH", true),
        Arguments.of("OpenSSL engines by config", "OPENSSL_CONF", true),
        // git, ssh and the programs tools start
        Arguments.of("git over ssh runs it", "GIT_SSH_COMMAND", true),
        Arguments.of("git config by environment", "GIT_CONFIG_COUNT", true),
        Arguments.of("git config key", "GIT_CONFIG_KEY_0", true),
        Arguments.of("git config parameters", "GIT_CONFIG_PARAMETERS", true),
        Arguments.of("a planted git folder's hooks", "GIT_DIR", true),
        Arguments.of("less's input filter", "LESSOPEN", true),
        Arguments.of("git log's pager", "PAGER", true),
        // kvload's own settings
        Arguments.of("trusts another vault host", "KVLOAD_ALLOW_VAULT_HOSTS", true),
        Arguments.of("kvload's JVM options", "KVLOAD_JAVA_OPTS", true),
        // case: the same variable on Windows, and odd enough elsewhere
        Arguments.of("lower case", "ld_preload", true),
        Arguments.of("mixed case, Windows' spelling", "Path", true),
        Arguments.of("mixed case prefix", "Kvload_Vault", true),
        // what a manifest normally sets
        Arguments.of("a database URL", "DATABASE_URL", false),
        Arguments.of("LD without the underscore", "LDAP_URL", false),
        Arguments.of("longer than PATH", "PATHNAME", false),
        Arguments.of("ends in PATH", "UPLOAD_PATH", false),
        Arguments.of("longer than ENV", "ENVIRONMENT", false),
        Arguments.of("node's mode", "NODE_ENV", false),
        Arguments.of("a git token", "GIT_TOKEN", false),
        Arguments.of("a GitHub token", "GITHUB_TOKEN", false),
        Arguments.of("a service principal's secret", "AZURE_CLIENT_SECRET", false),
        Arguments.of("a proxy: traffic, not code", "HTTPS_PROXY", false),
        Arguments.of(
            "npm's settings: a build runs the repository's code anyway", "npm_config_x", false),
        Arguments.of("KVLOAD without the underscore", "KVLOADER", false),
        Arguments.of("no such prompt", "PS5", false));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void contains(String why, String name, boolean refused) {
    assertEquals(refused, CodeLoadingVariables.contains(name));
  }
}
