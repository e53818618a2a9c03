package dev.kvload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvload.cli.Context;
import dev.kvload.core.InMemorySource;
import dev.kvload.exec.Launch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KvloadTest {
  /** Every command but completion and help, which walk the whole tree. */
  private static final List<String> COMMANDS =
      List.of(
          "run",
          "export",
          "check",
          "validate",
          "inject",
          "shell-hook",
          "login",
          "logout",
          "status",
          "init",
          "import");

  static Stream<Arguments> commandLines() {
    return Stream.of(
        Arguments.argumentSet("run", new String[] {"run", "--", "./app"}, true),
        Arguments.argumentSet(
            "export to a file", new String[] {"export", "-o", "/dev/shm/x"}, true),
        Arguments.argumentSet("check", new String[] {"check", "--json"}, true),
        Arguments.argumentSet("options first", new String[] {"-q", "export"}, true),
        Arguments.argumentSet("login signs in over TLS", new String[] {"login"}, true),
        Arguments.argumentSet("status asks no server", new String[] {"status"}, false),
        Arguments.argumentSet("validate", new String[] {"validate"}, false),
        Arguments.argumentSet("import", new String[] {"import", ".env", "--vault", "v"}, true),
        Arguments.argumentSet("init", new String[] {"init", "--vault", "v"}, false),
        Arguments.argumentSet("nothing", new String[] {}, false),
        Arguments.argumentSet("help for run", new String[] {"help", "run"}, false),
        Arguments.argumentSet("run --help", new String[] {"run", "--help"}, false),
        Arguments.argumentSet("--version", new String[] {"--version"}, false),
        Arguments.argumentSet(
            "the command's own --help", new String[] {"run", "--", "app", "--help"}, true),
        Arguments.argumentSet(
            "'export' only as the command's argument",
            new String[] {"validate", "--", "export"},
            false));
  }

  /** Only a guess (TLS set-up starts early for these), but a wrong one should be rare. */
  @ParameterizedTest
  @MethodSource("commandLines")
  void guessesWhetherVaultsAreReached(String[] args, boolean expected) {
    assertEquals(expected, Kvload.reachesVaults(args));
  }

  private static Context context() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream());
    return new Context(
        Map.of(), Path.of(""), sink, sink, new InMemorySource(), Clock.systemUTC(), Launch.NONE);
  }

  @Test
  void theWholeTreeWhenNoCommandComesFirst() {
    for (String[] args :
        List.of(
            new String[] {},
            new String[] {"-q", "run"},
            new String[] {"help", "run"},
            new String[] {"completion"})) {
      Set<String> all = new java.util.HashSet<>(COMMANDS);
      all.addAll(List.of("completion", "help"));
      assertEquals(
          all,
          Kvload.commandLine(context(), args).getSubcommands().keySet(),
          String.join(" ", args));
    }
  }

  /** Also checks the names the lazy branch spells out against the commands' own. */
  @Test
  void onlyTheCommandThatComesFirst() {
    for (String name : COMMANDS) {
      assertEquals(
          Set.of(name),
          Kvload.commandLine(context(), new String[] {name, "--help"}).getSubcommands().keySet());
    }
  }
}
