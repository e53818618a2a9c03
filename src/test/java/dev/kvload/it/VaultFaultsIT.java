package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.FakeAzure.Reply;
import dev.kvload.fake.FakeAzure.Request;
import dev.kvload.fake.TmpfsFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Every way the vault or the token endpoint can misbehave, each against the real CLI through both
 * of its sinks: {@code export -o} and {@code run}, started together against the same fake. For
 * each: the exit status, how long the run took, what it said; after a failure the old env file is
 * exactly as it was, with no temporary file beside it, and {@code run} started nothing; after a
 * fault that passes, the file holds the value and the command got it.
 *
 * <p>Durations are upper bounds with slack for a loaded two-core machine: a run must end at its
 * {@code --timeout}, never minutes later. The tests run three at a time (six processes): each has
 * its own fake and folder, and most of them wait for a deadline.
 */
@Execution(ExecutionMode.SAME_THREAD)
class VaultFaultsIT {
  private static final String VAULT = "kvload-test";
  private static final String VALUE = "s3cret-value-that-must-not-leak-0123456789";
  private static final String OLD = "export DATABASE_URL='the old complete file'\n";

  /**
   * What a run may take beyond its --timeout: JVM start and exit, on a two-core machine that other
   * builds load many times over (12 s was exceeded at load averages of 30 and more). This is not a
   * speed check (bench/ measures speed): it only tells a run that met its deadline from one that
   * waited for a hung answer or a long Retry-After, which would take minutes.
   */
  private static final Duration SLACK = Duration.ofSeconds(40);

  /**
   * For runs that must meet their deadline: long enough that the challenge and the token (a few
   * CPU-seconds in a cold JVM, six JVMs sharing two cores) are done and the fault is what the
   * deadline finds. 8 s was too short once the machine was loaded tenfold: the first request had no
   * answer yet at the deadline, so the vault, not the token endpoint, was rightly blamed.
   */
  private static final String DEADLINE = "15s";

  /** How long a run that meets its deadline may take in all. */
  private static final Duration AT_DEADLINE = Duration.ofSeconds(15).plus(SLACK);

  /** How long a run that meets no deadline may take on a loaded machine (idle: about 2 s). */
  private static final Duration NORMAL = SLACK.plus(SLACK);

  private final Harness h = new Harness();
  private final TmpfsFolder shm = new TmpfsFolder();
  private final Path envFile = shm.resolve("env");
  private final Seen seen = new Seen(h.dir.resolve("started"), "DATABASE_URL");

  /** Answers so far, per kvload process: both sinks ask the same fake. */
  private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();

  VaultFaultsIT() {
    h.fake.put(VAULT, "db-url", VALUE);
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
    write(envFile, OLD);
  }

  @AfterEach
  void close() {
    h.close();
    shm.close();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void throttledWithRetryAfterThenServed() {
    h.fake.behave(VAULT, "db-url", r -> answer(r) <= 2 ? throttled("1") : null);
    var runs = both("--timeout", "30s", "-v");
    assertServed("429 Retry-After: 1 twice, then the secret", runs, NORMAL.plusSeconds(2));
    for (var times : authorizedGetsPerProcess()) {
      assertEquals(3, times.size(), runs::toString);
      for (int i = 1; i < times.size(); i++) {
        Duration gap = Duration.between(times.get(i - 1).at(), times.get(i).at());
        assertTrue(gap.toMillis() >= 950, "Retry-After honoured: " + gap);
      }
    }
    runs.each(
        run ->
            assertTrue(
                run.stderr().contains("HTTP 429, the vault asks to wait 1000 ms; vault "),
                run::toString));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void throttledUntilTheDeadline() {
    h.fake.behave(VAULT, "db-url", r -> throttled("1"));
    var runs = both("--timeout", DEADLINE);
    // Stopped before a retry that could not finish in time, or cut off in the middle of one.
    assertFailed(
        "429 Retry-After: 1 forever, --timeout " + DEADLINE,
        runs,
        6,
        AT_DEADLINE,
        "throttled: 1 of 1 secret still missing at the --timeout deadline (HTTP 429 ");
    for (var answered : authorizedGetsPerProcess()) {
      assertTrue(answered.size() >= 2, "it retried: " + answered.size() + " GETs");
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void throttledForLongerThanTheTimeoutFailsAtOnce() {
    h.fake.behave(VAULT, "db-url", r -> throttled("120"));
    var runs = both("--timeout", "30s");
    // It does not sleep through --timeout for an answer it knows will come too late.
    assertFailed(
        "429 Retry-After: 120, --timeout 30s",
        runs,
        6,
        Duration.ofSeconds(30),
        "the vault asked to wait 120 s");
    for (var answered : authorizedGetsPerProcess()) {
      assertEquals(1, answered.size(), runs::toString);
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void serverErrorsThenServed() {
    h.fake.behave(
        VAULT,
        "db-url",
        r ->
            switch (answer(r)) {
              case 1 -> Reply.status(500, FakeAzure.error("InternalError", "boom"));
              case 2 -> Reply.status(503, FakeAzure.error("ServiceUnavailable", "busy"));
              default -> null;
            });
    assertServed("500, then 503, then the secret", both("--timeout", "30s"), NORMAL);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void serverErrorsUntilTheDeadline() {
    h.fake.behave(
        VAULT, "db-url", r -> Reply.status(503, FakeAzure.error("ServiceUnavailable", "busy")));
    assertFailed(
        "503 forever, --timeout " + DEADLINE,
        both("--timeout", DEADLINE),
        6,
        AT_DEADLINE,
        "HTTP 503 from the vault after retrying",
        "(the last answer was HTTP 503)");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void connectionDroppedMidBodyThenServed() {
    h.fake.behave(VAULT, "db-url", r -> answer(r) == 1 ? h.fake.normal(r).dropAfter(25) : null);
    var runs = both("--timeout", "30s", "-v");
    assertServed("connection dropped mid-body once, then the secret", runs, NORMAL);
    runs.each(run -> assertTrue(run.stderr().contains("request failed ("), run::toString));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void connectionAlwaysDroppedMidBody() {
    h.fake.behave(VAULT, "db-url", r -> h.fake.normal(r).dropAfter(25));
    assertFailed(
        "connection dropped mid-body every time, --timeout " + DEADLINE,
        both("--timeout", DEADLINE),
        6,
        AT_DEADLINE,
        "connection to kvload-test.vault.azure.net:" + h.fake.port());
    for (var answered : authorizedGetsPerProcess()) {
      assertTrue(answered.size() >= 2, "it retried: " + answered.size() + " GETs");
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void truncatedJsonBody() {
    // The body ends inside the value: a parser's message would quote the start of it.
    h.fake.behave(VAULT, "db-url", r -> h.fake.normal(r).truncated(22));
    var runs = both("--timeout", "30s", "-v");
    assertFailed(
        "200 with a JSON body cut inside the value",
        runs,
        6,
        NORMAL,
        "the vault's answer could not be read");
    runs.each(
        run ->
            assertFalse(
                run.stderr().contains(VALUE.substring(0, 6)), "no part of the value on stderr"));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void nonJsonBody() {
    h.fake.behave(
        VAULT,
        "db-url",
        r ->
            new Reply(
                200,
                Map.of("Content-Type", "text/html"),
                "<html><body>proxy says hello</body></html>".getBytes(),
                Duration.ZERO));
    assertFailed(
        "200 with an HTML body",
        both("--timeout", "30s"),
        6,
        NORMAL,
        "the vault's answer could not be read");
  }

  /**
   * A hostile host that answers with more than any Key Vault answer: kvload stops reading at 1 MiB
   * and says so, instead of filling its memory; nothing of the body reaches stderr.
   */
  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void bodyLargerThanAnyKeyVaultAnswer() {
    String filler = "A-hostile-filler-".repeat(128 * 1024);
    h.fake.behave(
        VAULT, "db-url", r -> Reply.status(200, "{\"value\":\"" + filler + "\",\"id\":\"x\"}"));
    var runs = both("--timeout", "30s", "-v");
    assertFailed("200 with a 2 MiB body", runs, 6, NORMAL, "an answer larger than 1 MiB came from");
    runs.each(run -> assertFalse(run.stderr().contains("A-hostile-filler"), run::toString));
  }

  /**
   * The same without a Content-Length, and without end: kvload stops at 1 MiB at once, long before
   * its deadline (whose message would be another).
   */
  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void bodyWithoutEnd() {
    h.fake.behave(
        VAULT,
        "db-url",
        r -> Reply.status(200, "{\"value\":\"" + "B-endless-filler-".repeat(4096)).endlessly());
    var runs = both("--timeout", "60s", "-v");
    assertFailed(
        "200 with a body without end", runs, 6, NORMAL, "an answer larger than 1 MiB came from");
    runs.each(run -> assertFalse(run.stderr().contains("B-endless-filler"), run::toString));
    assertEquals(
        2,
        h.fake.secretRequests().stream().filter(Request::authorized).count(),
        "not asked again: one GET with a token per process");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void getThatNeverAnswers() {
    h.fake.behave(VAULT, "db-url", r -> Reply.never());
    assertFailed(
        "secret GET never answered, --timeout " + DEADLINE,
        both("--timeout", DEADLINE),
        6,
        AT_DEADLINE,
        "no answer before the --timeout deadline");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void certificateForAnotherHost() {
    h.manifest(
        "{\"vault\": \"https://"
            + FakeAzure.MISMATCHED_HOST
            + ":"
            + h.fake.port()
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
    // Not retried: a certificate does not start matching.
    assertFailed(
        "TLS certificate that does not name the vault's host",
        both("--timeout", "30s", "--allow-vault-host", FakeAzure.MISMATCHED_HOST),
        6,
        SLACK,
        "does not name " + FakeAzure.MISMATCHED_HOST + " (host name mismatch)");
    assertTrue(h.fake.requests().isEmpty(), "no request got through: " + h.fake.requests());
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointRefusesConnections() {
    var runs =
        both(
            Map.of("IDENTITY_ENDPOINT", "https://127.0.0.1:" + Harness.closedPort() + "/msi/token"),
            "--timeout",
            "20s");
    // The credential retries a refused connection for about 6 s, then gives up; on a loaded
    // machine the deadline may come first. Either way: exit 4, saying it was authentication.
    assertFailed(
        "token endpoint down (connection refused), --timeout 20s",
        runs,
        4,
        Duration.ofSeconds(20).plus(SLACK),
        "authentication failed (--auth default)");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointFailing() {
    h.fake.behaveForTokens(r -> Reply.status(503, "{\"error\":\"unavailable\"}"));
    assertFailed(
        "token endpoint answers 503, --timeout " + DEADLINE,
        both("--timeout", DEADLINE),
        4,
        AT_DEADLINE,
        "no token before the --timeout deadline");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointSlowButInTime() {
    h.fake.delayTokens(Duration.ofMillis(1500));
    assertServed(
        "token endpoint answers after 1.5 s, --timeout 30s",
        both("--timeout", "30s"),
        NORMAL.plusSeconds(2));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointTooSlow() {
    h.fake.behaveForTokens(r -> Reply.never());
    var runs = both("--timeout", DEADLINE);
    assertFailed(
        "token endpoint never answers, --timeout " + DEADLINE,
        runs,
        4,
        AT_DEADLINE,
        "no token before the --timeout deadline");
    // Not "run again with -v": there is no exception to see, only a silent endpoint.
    runs.each(
        run ->
            assertTrue(
                run.stderr()
                    .contains(
                        "next step: check that this machine reaches its token endpoint (the"
                            + " managed identity endpoint or Entra ID), or allow more time with"
                            + " --timeout"),
                run::toString));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointAnswersGarbageHoldingAToken() {
    // An access token is a credential: it must not be quoted by whatever fails to parse it.
    h.fake.behaveForTokens(
        r -> Reply.status(200, "{\"access_token\": \"eyJ-leaked-access-token-0123456789\", \"exp"));
    var runs = both("--timeout", "30s", "-v");
    assertFailed(
        "token endpoint answers 200 with a cut body holding a token",
        runs,
        4,
        NORMAL,
        "authentication failed (--auth default)");
    runs.each(run -> assertFalse(run.stderr().contains("leaked-access-token"), run::toString));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void valueWithNulIsRefusedNamingTheVariable() {
    h.fake.put(VAULT, "db-url", "before\0after-the-nul-byte");
    var runs = both("--timeout", "30s");
    assertFailed(
        "a value holding a NUL byte",
        runs,
        5,
        NORMAL,
        "kvload: DATABASE_URL: the value of secret 'db-url'");
    runs.each(run -> assertTrue(run.stderr().contains("contains a NUL byte"), run::toString));
  }

  // --- helpers

  /** One fault met by both sinks, each its own kvload process. */
  private record Runs(Harness.Run export, Harness.Run run) {
    void each(Consumer<Harness.Run> check) {
      check.accept(export);
      check.accept(run);
    }

    @Override
    public String toString() {
      return "--- export: " + export + "\n--- run: " + run;
    }
  }

  private Runs both(String... options) {
    return both(Map.of(), options);
  }

  /**
   * Starts {@code export -o} and {@code run} together with these options, against the same fake,
   * and waits for both.
   */
  private Runs both(Map<String, String> env, String... options) {
    var export =
        h.run()
            .env(env)
            .args("export", "-o", envFile.toString())
            .args(options)
            .limit(Duration.ofSeconds(120))
            .start();
    var run =
        h.run()
            .env(env)
            .args("run")
            .args(options)
            .args("--")
            .args(seen.command())
            .limit(Duration.ofSeconds(120))
            .start();
    return new Runs(export.await(), run.await());
  }

  /** Counts this answer among those to the same kvload process (the run id its requests carry). */
  private int answer(Request request) {
    return answers.computeIfAbsent(request.run(), p -> new AtomicInteger()).incrementAndGet();
  }

  /** The authorized secret GETs, one list per kvload process; both processes got that far. */
  private Collection<List<Request>> authorizedGetsPerProcess() {
    var perProcess =
        h.fake.secretRequests().stream()
            .filter(Request::authorized)
            .collect(Collectors.groupingBy(Request::run));
    assertEquals(2, perProcess.size(), "GETs from both processes: " + perProcess.keySet());
    return perProcess.values();
  }

  private static Reply throttled(String retryAfter) {
    return Reply.status(429, FakeAzure.error("Throttled", "Too many requests"))
        .withHeader("Retry-After", retryAfter);
  }

  /**
   * Both runs failed as they should: this exit status, within {@code limit}, saying one of {@code
   * anyOf}; the old env file untouched, and the command never started.
   */
  private void assertFailed(String fault, Runs runs, int exit, Duration limit, String... anyOf) {
    report(fault, runs);
    runs.each(
        run -> {
          assertEquals(exit, run.exit(), run::toString);
          assertTrue(Stream.of(anyOf).anyMatch(run.stderr()::contains), run::toString);
          assertShorterThan(limit, run);
        });
    assertUntouched();
    seen.assertNotStarted(runs.run());
  }

  /**
   * Both runs got the secret despite the fault, within {@code limit}: export wrote the env file,
   * and run's command got the value.
   */
  private void assertServed(String fault, Runs runs, Duration limit) {
    report(fault, runs);
    runs.each(
        run -> {
          assertEquals(0, run.exit(), run::toString);
          assertShorterThan(limit, run);
        });
    assertWritten();
    seen.assertGot(VALUE);
  }

  private static void report(String fault, Runs runs) {
    System.out.printf(
        "FAULT %-60s export: exit %d in %5d ms; run: exit %d in %5d ms%n",
        fault,
        runs.export().exit(),
        runs.export().took().toMillis(),
        runs.run().exit(),
        runs.run().took().toMillis());
  }

  private static void assertShorterThan(Duration limit, Harness.Run run) {
    assertTrue(
        run.took().compareTo(limit) < 0,
        () -> "took " + run.took().toMillis() + " ms, limit " + limit.toMillis() + " ms: " + run);
  }

  /** The old env file is still there, whole, and nothing else is. */
  private void assertUntouched() {
    assertEquals(List.of("env"), shm.listing(), "no temporary or partial file left");
    assertEquals(OLD, read(envFile));
  }

  private void assertWritten() {
    assertEquals(List.of("env"), shm.listing(), "no temporary file left");
    assertEquals("export DATABASE_URL='" + VALUE + "'\n", read(envFile));
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
