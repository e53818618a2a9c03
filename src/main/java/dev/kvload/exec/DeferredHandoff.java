package dev.kvload.exec;

import dev.kvload.env.Environment;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** A handoff still being made on a thread of its own; the first call waits for it. */
final class DeferredHandoff implements Handoff {
  private final FutureTask<Handoff> making;

  private DeferredHandoff(FutureTask<Handoff> making) {
    this.making = making;
  }

  static Handoff start(Callable<Handoff> make) {
    FutureTask<Handoff> making = new FutureTask<>(make);
    Thread.ofPlatform().daemon().name("kvload-handoff").start(making);
    return new DeferredHandoff(making);
  }

  @Override
  public void check(List<String> command, Environment environment) {
    made().check(command, environment);
  }

  @Override
  public java.util.Map<String, String> files(List<File> files, java.util.Map<String, String> env) {
    return made().files(files, env);
  }

  @Override
  public int start(List<String> command, Environment environment) {
    return made().start(command, environment);
  }

  private Handoff made() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return making.get();
        } catch (InterruptedException e) {
          // Linking ends on its own within milliseconds; the handoff must not be lost to a stray
          // interrupt.
          interrupted = true;
        } catch (ExecutionException e) {
          // Thrown here as it would have been on the calling thread (Failure.Usage for
          // KVLOAD_EXEC=exec where execve is unavailable).
          switch (e.getCause()) {
            case RuntimeException r -> throw r;
            case Error r -> throw r;
            default -> throw new IllegalStateException(e.getCause());
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
