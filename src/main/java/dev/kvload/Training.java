package dev.kvload;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The AOT-cache training workload, run once by the build (never by users): the commands people run,
 * in one JVM, so that the cache covers each of their code paths. The build points the environment
 * at a loopback fake vault; see {@code scripts/train-aot}.
 */
public final class Training {
  private Training() {}

  public static void main(String[] args) {
    PrintStream sink =
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    var env = System.getenv();
    int failures = 0;
    for (String[] command :
        new String[][] {
          {"--version"},
          {"--help"},
          {"validate"},
          {"export"},
          {"export", "--format", "json"},
          {"export", "--format", "dotenv"},
          {"check"},
          {"check", "--json"},
        }) {
      if (Kvload.run(command, env, sink, sink) != 0) {
        failures++;
      }
    }
    // run: everything up to the execve (the native bindings, the command search), without
    // replacing this JVM: a command that does not exist stops it with 127 before any fetch.
    if (Kvload.run(new String[] {"run", "--", "/nonexistent/kvload-training"}, env, sink, sink)
        != ExitStatus.NOT_FOUND) {
      failures++;
    }
    System.exit(failures == 0 ? 0 : 1);
  }
}
