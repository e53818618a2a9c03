package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.ThrottleReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fleet started at once against a vault that throttles as Key Vault does ({@link
 * dev.kvload.fake.FakeAzure#throttle}), looked at from the vault's side: what each process sent,
 * and when. Kept small for the suite (two cores, shared); bench/fleet.sh runs the 12 × 20 fleet of
 * issue 18 and measures what finishes by a deadline.
 */
class ThrottleIT {
  private static final String VAULT = "kvload-test";
  private static final int PROCESSES = 2;

  /** More than a run's workers (8): each worker fetches several, one after another. */
  private static final int SECRETS = 12;

  /** Half a run's secrets per window: every run meets refusals, in more than one window. */
  private static final int LIMIT = 6;

  private static final Duration WINDOW = Duration.ofSeconds(3);

  /**
   * How long after a refused GET reached the vault another GET of that process may still have been
   * in flight rather than sent during the wait: a 429's round trip, and a worker that had its leave
   * to send before the refusal came back but got the CPU only later, on a machine loaded tenfold.
   */
  private static final Duration IN_FLIGHT = Duration.ofSeconds(1);

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  static Stream<Arguments> fleets() {
    return Stream.of(
        Arguments.of("429 with Retry-After", true), Arguments.of("429 without Retry-After", false));
  }

  /**
   * Two processes need 24 GETs from a vault that serves 6 per 3 s: both are refused, in several
   * windows. All finish; none sends a GET during a wait the vault gave it (the gate closes the
   * vault to every worker of the process, and never shortens the wait: with each worker honouring
   * only its own Retry-After, a worker served at a window's start went on while the others still
   * waited). Without Retry-After, kvload's own backoff keeps the refusals near one per GET needed
   * (from 200 ms, eight workers each retrying on its own drew 1.5 to 2.7 on this fleet; the
   * schedule itself is VaultGateTest's, the 12-process figures bench/fleet.sh's).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fleets")
  void aThrottledFleetWaitsAsItIsToldAndFinishes(String name, boolean retryAfter) {
    StringBuilder secrets = new StringBuilder();
    for (int i = 0; i < SECRETS; i++) {
      h.fake.put(VAULT, "secret-" + i, "fleet-value-" + i + "-0123456789");
      secrets.append(i == 0 ? "" : ", ").append("\"S_" + i + "\": \"secret-" + i + "\"");
    }
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {" + secrets + "}}");
    h.fake.throttle(LIMIT, WINDOW, retryAfter);

    List<Harness.Running> fleet = new ArrayList<>();
    for (int i = 0; i < PROCESSES; i++) {
      fleet.add(
          h.run()
              .args("run", "--timeout", "120s", "--", "printenv", "S_0", "S_" + (SECRETS - 1))
              .valuesOnStdout()
              .limit(Duration.ofSeconds(180))
              .start());
    }
    for (Harness.Running running : fleet) {
      Harness.Run run = running.await();
      assertEquals(0, run.exit(), run::toString);
      assertEquals(
          "fleet-value-0-0123456789\nfleet-value-" + (SECRETS - 1) + "-0123456789\n", run.stdout());
    }

    ThrottleReport seen = ThrottleReport.of(h.fake, IN_FLIGHT);
    int needed = PROCESSES * SECRETS;
    String figures = name + ": " + seen + " for " + needed + " GETs needed";
    System.out.println("THROTTLE " + figures);
    assertTrue(seen.refusals() > 0, "the vault throttled the fleet: " + figures);
    assertEquals(needed + seen.refusals(), seen.gets(), "each GET served once: " + figures);
    assertEquals(0, seen.duringWait(), "no GET during a wait the vault gave: " + figures);
    if (!retryAfter) {
      assertTrue(seen.refusalsPerNeeded(needed) <= 1.5, figures);
    }
  }

  static Stream<Arguments> endings() {
    return Stream.of(
        Arguments.of(
            "Retry-After past the deadline: it fails at once", true, "the vault asked to wait "),
        Arguments.of(
            "no Retry-After: kvload backs off until the deadline",
            false,
            "the vault named no wait, kvload waited up to"));
  }

  /**
   * A run the vault still throttles at its deadline says so: the vault, how many secrets were still
   * missing, the waits it was given; it suggests --timeout and staggering, and does not send users
   * to check their network. The vault serves 2 GETs per minute, the run needs 4.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("endings")
  void aRunThatEndsThrottledSaysSo(String name, boolean retryAfter, String waits) {
    h.fake.put(VAULT, "a", "throttled-value-a-0123456789");
    h.fake.put(VAULT, "b", "throttled-value-b-0123456789");
    h.fake.put(VAULT, "c", "throttled-value-c-0123456789");
    h.fake.put(VAULT, "d", "throttled-value-d-0123456789");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"A\": \"a\", \"B\": \"b\", \"C\": \"c\", \"D\": \"d\"}}");
    h.fake.throttle(2, Duration.ofSeconds(60), retryAfter);

    Harness.Run run =
        h.run().args("run", "--timeout", "6s", "--", "true").limit(Duration.ofSeconds(60)).go();

    assertEquals(6, run.exit(), run::toString);
    String said = run.stderr();
    assertTrue(said.contains("vault " + h.fake.vaultUrl(VAULT)), said);
    assertTrue(
        said.contains("throttled: 2 of 4 secrets still missing at the --timeout deadline"), said);
    assertTrue(said.contains(waits), said);
    assertTrue(said.contains("--timeout (this run's: 6s)"), said);
    assertTrue(said.contains("stagger the starts"), said);
    assertFalse(said.toLowerCase(Locale.ROOT).contains("network"), said);
  }

  /** The fake's throttle counts served GETs only: a challenge (no token) is never refused. */
  @Test
  void theThrottleServesWithinItsLimit() {
    h.fake.put(VAULT, "a", "throttled-value-a-0123456789");
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {\"A\": \"a\"}}");
    h.fake.throttle(1, Duration.ofSeconds(60), true);
    assertEquals(0, h.kvload("run", "--", "true").exit());
    assertEquals(List.of(), h.fake.refusals());
  }
}
