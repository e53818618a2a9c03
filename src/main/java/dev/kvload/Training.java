package dev.kvload;

import dev.kvload.exec.Launch;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The AOT-cache training workloads, run by the build (never by users): the commands people run, in
 * one JVM, so that a cache covers each of their code paths. The build points the environment at a
 * loopback fake vault; see {@code scripts/train-aot}.
 *
 * <p>Two caches: {@code full} for the commands that reach a vault, and {@code light} for those that
 * never do ({@code validate}, help, completion). A JVM loads every class of its cache at start, so
 * the light commands start faster without the Azure SDK's classes in theirs.
 */
public final class Training {
  /** Commands that never touch the network or the Azure SDK. */
  static final List<String[]> LIGHT =
      List.of(
          new String[] {"--version"},
          new String[] {"--help"},
          new String[] {"help", "export"},
          new String[] {"validate"},
          new String[] {"validate", "--help"},
          new String[] {"shell-hook", "bash"},
          new String[] {"status"},
          new String[] {"completion", "bash"});

  private Training() {}

  public static void main(String[] args) {
    PrintStream sink =
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    Map<String, String> env = System.getenv();
    // As bin/kvload records it when core dumps were on: run then links the call that gives the
    // command its limit back, and the cache holds that too, whatever this machine's limit is.
    Launch launch = Launch.atStart(ProcessHandle.current().pid() + ";0,1,2;;unlimited");
    boolean light = args.length > 0 && args[0].equals("light");
    int failures = 0;
    for (String[] command : LIGHT) {
      failures += Kvload.run(command, env, launch, sink, sink) == 0 ? 0 : 1;
    }
    if (!light) {
      for (String[] command :
          List.of(
              new String[] {"export"},
              new String[] {"export", "--format", "json"},
              new String[] {"export", "--format", "dotenv"},
              new String[] {"check"},
              new String[] {"check", "--json"},
              // The fake approves a device code sign-in after one poll; the silent sign-in
              // then redeems the refresh token the login kept (under HOME, the training's folder).
              new String[] {"login"},
              new String[] {"export", "--auth", "login"})) {
        failures += Kvload.run(command, env, launch, sink, sink) == 0 ? 0 : 1;
      }
      // run: everything up to the execve (the native bindings, the command search), without
      // replacing this JVM: a command that does not exist stops it with 127 before any fetch.
      String[] run = {"run", "--", "/nonexistent/kvload-training"};
      failures += Kvload.run(run, env, launch, sink, sink) == ExitStatus.NOT_FOUND ? 0 : 1;
    }
    System.exit(failures == 0 ? 0 : 1);
  }
}
