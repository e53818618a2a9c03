package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate's decisions, on a clock that stands still: {@code tryEnter} never blocks, so each case
 * drives the gate step by step and looks at what it allows.
 */
class VaultGateTest {
  private static final Instant NOW = Instant.parse("2026-12-03T09:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static VaultGate gate(double place, double random) {
    return new VaultGate(8, CLOCK, place, () -> random);
  }

  static Stream<Arguments> waits() {
    return Stream.of(
        Arguments.of("Retry-After 10 s, placed first: as asked", sec(10), 0.0, 0.5, 0, ms(10_000)),
        Arguments.of("Retry-After 10 s, placed last: 2 s more", sec(10), 1.0, 0.5, 0, ms(12_000)),
        Arguments.of("Retry-After 60 s: at most 2 s more", sec(60), 1.0, 0.5, 0, ms(62_000)),
        Arguments.of("Retry-After 4 s, placed mid: 0.5 s more", sec(4), 0.5, 0.5, 0, ms(4_500)),
        Arguments.of("Retry-After 1 s, placed mid: 125 ms more", sec(1), 0.5, 0.5, 0, ms(1_125)),
        Arguments.of("Retry-After 0: spread 250 ms", sec(0), 0.8, 0.5, 0, ms(200)),
        Arguments.of("Retry-After 0, placed first: still 100 ms", sec(0), 0.0, 0.5, 0, ms(100)),
        Arguments.of("no header, first throttling: up to 1 s", null, 0.9, 0.5, 0, ms(500)),
        Arguments.of("no header, third in a row: up to 4 s", null, 0.9, 0.5, 2, ms(2_000)),
        Arguments.of("no header, fifth in a row: up to 16 s", null, 0.9, 1.0, 4, ms(16_000)),
        Arguments.of("no header, tenth in a row: still 16 s", null, 0.9, 1.0, 9, ms(16_000)),
        Arguments.of("no header, full jitter: still 100 ms", null, 0.9, 0.0, 3, ms(100)));
  }

  /**
   * The wait a fresh throttling sets, after {@code before} throttlings in a row: a header's wait is
   * never shortened, kvload's own is full jitter over 1, 2, 4, 8, 16 s.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("waits")
  void waitsAsTheVaultAsksStretchedByThePlace(
      String name, Duration asked, double place, double random, int before, Duration expected) {
    VaultGate gate = gate(place, random);
    for (int i = 0; i < before; i++) {
      Instant at = NOW.plusSeconds(100 * i);
      gate.throttled(gate.tryEnter(at), 429, null, at);
    }
    Instant later = NOW.plusSeconds(100 * before);
    VaultGate.Permit permit = gate.tryEnter(later);
    assertNotNull(permit, "open again after the waits");
    VaultGate.Closed closed = gate.throttled(permit, 429, asked, later);
    assertTrue(closed.fresh());
    assertEquals(expected, closed.waits());
    assertEquals(later.plus(expected), closed.reopens());
    if (asked != null) {
      assertTrue(closed.waits().compareTo(asked) >= 0, "never shorter than asked");
    }
  }

  /** One step: a request enters and comes back with this answer. */
  record Step(String answer, Duration retryAfter) {
    static Step ok() {
      return new Step("ok", null);
    }

    static Step throttled(Duration retryAfter) {
      return new Step("429", retryAfter);
    }
  }

  static Stream<Arguments> limits() {
    return Stream.of(
        Arguments.of("starts at the pool's size", List.of(), 8),
        Arguments.of("a throttling: one request, to probe", List.of(Step.throttled(sec(1))), 1),
        Arguments.of(
            "the probe served: half, plus one", List.of(Step.throttled(sec(1)), Step.ok()), 5),
        Arguments.of(
            "two throttlings, each served: 4+1, then 2+1+1",
            List.of(Step.throttled(sec(1)), Step.ok(), Step.throttled(sec(1)), Step.ok()),
            3),
        Arguments.of(
            "grows by one per success",
            List.of(Step.throttled(sec(1)), Step.ok(), Step.ok(), Step.ok()),
            7),
        Arguments.of(
            "never past the pool's size",
            List.of(
                Step.throttled(sec(1)),
                Step.ok(),
                Step.ok(),
                Step.ok(),
                Step.ok(),
                Step.ok(),
                Step.ok()),
            8),
        Arguments.of(
            "never below one",
            List.of(
                Step.throttled(null),
                Step.throttled(null),
                Step.throttled(null),
                Step.throttled(null),
                Step.throttled(null)),
            1));
  }

  /**
   * AIMD: halved (at least 1) on each throttling, one more per success, the pool's size at most.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("limits")
  void requestsInFlightHalveOnThrottlingAndGrowOnSuccess(
      String name, List<Step> steps, int expected) {
    VaultGate gate = gate(0.5, 0.5);
    Instant now = NOW;
    for (Step step : steps) {
      now = now.plusSeconds(60);
      VaultGate.Permit permit = gate.tryEnter(now);
      assertNotNull(permit, "open at " + now);
      if (step.answer().equals("ok")) {
        gate.left(permit, true);
      } else {
        gate.throttled(permit, 429, step.retryAfter(), now);
      }
    }
    assertEquals(expected, gate.limit());
    assertEquals(expected, enterAll(gate, now.plusSeconds(60)).size(), "as many may enter");
  }

  static Stream<Arguments> inFlight() {
    return Stream.of(
        Arguments.of("a refusal to a request sent before: its wait counts from now", 429, sec(1)),
        Arguments.of("a longer wait counts", 429, sec(5)),
        Arguments.of("a 503 closes the vault too", 503, sec(5)),
        Arguments.of("served: the vault stays closed as it was", 200, null),
        Arguments.of("no header: no longer wait", 429, null));
  }

  /**
   * Four requests in flight; the first is refused with Retry-After 1 s, which closes the vault to
   * every worker. Then another of the four comes back 10 ms later: it was sent before the vault
   * closed, so it neither halves the limit again nor shortens the wait, but its own wait counts.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("inFlight")
  void anAnswerToARequestSentBeforeTheVaultClosed(String name, int status, Duration retryAfter) {
    VaultGate gate = gate(0.0, 0.5);
    List<VaultGate.Permit> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(gate.tryEnter(NOW));
    }
    VaultGate.Closed first = gate.throttled(four.get(0), 429, sec(1), NOW);
    assertTrue(first.fresh());
    assertNull(gate.tryEnter(NOW), "closed to every worker");
    Instant later = NOW.plusMillis(10);
    if (status == 200) {
      gate.left(four.get(1), true);
    } else {
      assertFalse(gate.throttled(four.get(1), status, retryAfter, later).fresh());
    }
    Instant reopens = retryAfter == null ? NOW.plusSeconds(1) : later.plus(retryAfter);
    assertNull(gate.tryEnter(reopens.minusMillis(1)), "closed until the longest wait ends");
    gate.left(four.get(2), false);
    gate.left(four.get(3), false);
    VaultGate.Permit probe = gate.tryEnter(reopens);
    assertNotNull(probe, "open when it ends");
    assertNull(gate.tryEnter(reopens), "one request first");
    gate.left(probe, true);
    assertEquals(8 / 2 + 1, gate.limit(), "halved once, then one more for the probe");
  }

  @Test
  void theProbeRefusedClosesAgainForLonger() {
    VaultGate gate = gate(0.0, 1.0);
    gate.throttled(gate.tryEnter(NOW), 429, null, NOW);
    Instant reopened = NOW.plusSeconds(1);
    assertNull(gate.tryEnter(reopened.minusMillis(1)));
    VaultGate.Closed again = gate.throttled(gate.tryEnter(reopened), 429, null, reopened);
    assertTrue(again.fresh());
    assertEquals(sec(2), again.waits(), "1 s, then 2 s");
  }

  @Test
  void aRequestThatFailedOnTheWayIsNoProofTheVaultServes() {
    VaultGate gate = gate(0.0, 1.0);
    gate.throttled(gate.tryEnter(NOW), 429, sec(1), NOW);
    Instant reopened = NOW.plusSeconds(1);
    gate.left(gate.tryEnter(reopened), false);
    assertEquals(1, gate.limit(), "still one request at a time");
    VaultGate.Permit next = gate.tryEnter(reopened);
    assertNotNull(next, "another may probe");
    gate.left(next, true);
    assertEquals(5, gate.limit());
  }

  static Stream<Arguments> summaries() {
    return Stream.of(
        Arguments.of(
            "Retry-After",
            List.of(sec(9), sec(1), sec(4)),
            "HTTP 429 3 times; the vault asked to wait 1 s to 9 s"),
        Arguments.of("once", List.of(sec(120)), "HTTP 429 once; the vault asked to wait 120 s"),
        Arguments.of(
            "no header",
            java.util.Arrays.asList(null, null),
            "HTTP 429 2 times; the vault named no wait, kvload waited up to 2 s at a time"));
  }

  /** What a run that ends throttled says the vault did: never a body, only counts and waits. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("summaries")
  void summarisesTheWaitsTheVaultGave(String name, List<Duration> asked, String expected) {
    VaultGate gate = gate(0.0, 1.0);
    Instant now = NOW;
    for (Duration wait : asked) {
      gate.throttled(gate.tryEnter(now), 429, wait, now);
      now = now.plusSeconds(200);
    }
    assertEquals(expected, gate.summary());
  }

  @Test
  void aWorkerGivesUpWhenTheVaultOpensOnlyAfterTheDeadline() throws InterruptedException {
    VaultGate gate = gate(0.0, 0.5);
    gate.throttled(gate.tryEnter(NOW), 429, sec(120), NOW);
    assertNull(gate.enter(NOW.plusSeconds(30)), "does not sleep through --timeout");
  }

  private static List<VaultGate.Permit> enterAll(VaultGate gate, Instant now) {
    List<VaultGate.Permit> permits = new ArrayList<>();
    for (VaultGate.Permit p = gate.tryEnter(now); p != null; p = gate.tryEnter(now)) {
      permits.add(p);
    }
    return permits;
  }

  private static Duration sec(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
