package dev.kvload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.guard.InProcessKvload;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Command lines {@code run} refuses before it loads anything or starts anything. */
class RunCommandTest {
  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.argumentSet(
            "no '--'", Map.of(), List.of("run", "app"), "needs '--' before the command"),
        Arguments.argumentSet(
            "no '--', the command's option taken for kvload's",
            Map.of(),
            List.of("run", "ls", "-la"),
            "put '--' before the command"),
        Arguments.argumentSet(
            "'--' after the command",
            Map.of(),
            List.of("run", "app", "--", "x"),
            "needs '--' before the command"),
        Arguments.argumentSet("no command", Map.of(), List.of("run", "--"), "run needs a command"),
        Arguments.argumentSet("nothing at all", Map.of(), List.of("run"), "run needs a command"),
        Arguments.argumentSet(
            "an unknown KVLOAD_EXEC",
            Map.of("KVLOAD_EXEC", "fork"),
            List.of("run", "--", "app"),
            "KVLOAD_EXEC: 'fork' is not a mode"));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void isAUsageError(Map<String, String> env, List<String> args, String message) {
    AtomicInteger opened = new AtomicInteger();
    InProcessKvload kvload =
        new InProcessKvload(Path.of("."))
            .sources(
                (settings, session) -> {
                  opened.incrementAndGet();
                  throw new AssertionError("nothing may be fetched");
                },
                List.of());
    env.forEach(kvload::env);
    var result = kvload.run(args.toArray(String[]::new));
    String stderr = result.stderr();
    assertEquals(2, result.exit(), stderr);
    assertTrue(stderr.contains(message), stderr);
    assertEquals(0, opened.get());
  }
}
