package dev.kvload.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import dev.kvload.env.Environment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DeferredHandoffTest {
  private static final Environment ENV = Environment.of(Map.of("PATH", "/usr/bin"));

  @Test
  void callsReachTheHandoffOnceItIsMade() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> calls = new ArrayList<>();
    Handoff deferred =
        DeferredHandoff.start(
            () -> {
              release.await();
              return new Handoff() {
                @Override
                public int start(List<String> command, Environment environment) {
                  calls.add("start " + command);
                  return 42;
                }

                @Override
                public void check(List<String> command, Environment environment) {
                  calls.add("check " + command);
                }
              };
            });
    release.countDown();
    deferred.check(List.of("app"), ENV);
    assertEquals(42, deferred.start(List.of("app"), ENV));
    assertEquals(List.of("check [app]", "start [app]"), calls);
  }

  @Test
  void aFailureWhileMakingItIsThrownByTheFirstCall() {
    Failure.Usage refused = new Failure.Usage("KVLOAD_EXEC=exec: execve is not available", "hint");
    Handoff deferred =
        DeferredHandoff.start(
            () -> {
              throw refused;
            });
    assertSame(refused, assertThrows(Failure.Usage.class, () -> deferred.check(List.of(), ENV)));
    assertSame(refused, assertThrows(Failure.Usage.class, () -> deferred.start(List.of(), ENV)));
  }

  @Test
  void anInterruptWhileWaitingIsKeptNotLost() {
    Handoff deferred = DeferredHandoff.start(() -> new ChildlessHandoff());
    Thread.currentThread().interrupt();
    try {
      deferred.check(List.of("app"), ENV);
      assertTrue(Thread.interrupted(), "the interrupt is still set");
    } finally {
      Thread.interrupted();
    }
  }

  private static final class ChildlessHandoff implements Handoff {
    @Override
    public int start(List<String> command, Environment environment) {
      return 0;
    }

    @Override
    public void check(List<String> command, Environment environment) {}
  }
}
