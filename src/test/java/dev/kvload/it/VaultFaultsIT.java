package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.FakeAzure.Reply;
import dev.kvload.fake.TmpfsFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Every way the vault or the token endpoint can misbehave, each against the real CLI: the exit
 * status, how long the run took, what it said, and that a failed {@code export -o} left the old env
 * file exactly as it was, with no temporary file beside it.
 *
 * <p>Durations are upper bounds with slack for a loaded two-core machine: a run must end at its
 * {@code --timeout}, never minutes later. The tests run three at a time: each has its own fake and
 * folder, and most of them wait for a deadline.
 */
@Execution(ExecutionMode.SAME_THREAD)
class VaultFaultsIT {
  private static final String VAULT = "kvload-test";
  private static final String VALUE = "s3cret-value-that-must-not-leak-0123456789";
  private static final String OLD = "export DATABASE_URL='the old complete file'\n";

  /**
   * What a run may take beyond its --timeout: JVM start and exit, on a two-core machine that other
   * builds may load fourfold. A run that waited for a hung answer or a long Retry-After would take
   * minutes instead.
   */
  private static final Duration SLACK = Duration.ofSeconds(12);

  /**
   * For runs that must meet their deadline: long enough that the challenge and the token (a few
   * CPU-seconds in a cold JVM, three JVMs sharing two cores) are done and the fault is what the
   * deadline finds.
   */
  private static final String DEADLINE = "8s";

  /** How long a run that meets its deadline may take in all. */
  private static final Duration AT_DEADLINE = Duration.ofSeconds(8).plus(SLACK);

  /** How long a run that meets no deadline may take on a loaded machine (idle: about 2 s). */
  private static final Duration NORMAL = SLACK.plus(SLACK);

  private final Harness h = new Harness();
  private final TmpfsFolder shm = new TmpfsFolder();
  private final Path envFile = shm.resolve("env");

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
    AtomicInteger gets = new AtomicInteger();
    h.fake.behave(VAULT, "db-url", r -> gets.incrementAndGet() <= 2 ? throttled("1") : null);
    var run = export("--timeout", "30s", "-v");
    assertServed("429 Retry-After: 1 twice, then the secret", run, NORMAL.plusSeconds(2));
    var times = h.fake.secretRequests().stream().filter(r -> r.authorized()).toList();
    assertEquals(3, times.size(), run::toString);
    for (int i = 1; i < times.size(); i++) {
      Duration gap = Duration.between(times.get(i - 1).at(), times.get(i).at());
      assertTrue(gap.toMillis() >= 950, "Retry-After honoured: " + gap);
    }
    assertTrue(
        run.stderr().contains("HTTP 429, retry 1 in 1000 ms (as the vault's Retry-After asks)"),
        run::toString);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void throttledUntilTheDeadline() {
    h.fake.behave(VAULT, "db-url", r -> throttled("1"));
    var run = export("--timeout", DEADLINE);
    // Stopped before a retry that could not finish in time, or cut off in the middle of one.
    assertFailed(
        "429 Retry-After: 1 forever, --timeout " + DEADLINE,
        run,
        6,
        AT_DEADLINE,
        "the vault was still throttling (HTTP 429, Retry-After 1) when the --timeout deadline"
            + " stopped retries (DATABASE_URL)",
        "no answer before the --timeout deadline (the last answer was HTTP 429, Retry-After 1)"
            + " (DATABASE_URL)");
    long answered = h.fake.secretRequests().stream().filter(r -> r.authorized()).count();
    assertTrue(answered >= 2, "it retried: " + answered + " GETs");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void throttledForLongerThanTheTimeoutFailsAtOnce() {
    h.fake.behave(VAULT, "db-url", r -> throttled("120"));
    var run = export("--timeout", "30s");
    // It does not sleep through --timeout for an answer it knows will come too late.
    assertFailed(
        "429 Retry-After: 120, --timeout 30s", run, 6, Duration.ofSeconds(30), "Retry-After 120");
    assertEquals(1, h.fake.secretRequests().stream().filter(r -> r.authorized()).count());
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void serverErrorsThenServed() {
    AtomicInteger gets = new AtomicInteger();
    h.fake.behave(
        VAULT,
        "db-url",
        r ->
            switch (gets.incrementAndGet()) {
              case 1 -> Reply.status(500, FakeAzure.error("InternalError", "boom"));
              case 2 -> Reply.status(503, FakeAzure.error("ServiceUnavailable", "busy"));
              default -> null;
            });
    assertServed("500, then 503, then the secret", export("--timeout", "30s"), NORMAL);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void serverErrorsUntilTheDeadline() {
    h.fake.behave(
        VAULT, "db-url", r -> Reply.status(503, FakeAzure.error("ServiceUnavailable", "busy")));
    assertFailed(
        "503 forever, --timeout " + DEADLINE,
        export("--timeout", DEADLINE),
        6,
        AT_DEADLINE,
        "HTTP 503 from the vault after retrying",
        "(the last answer was HTTP 503)");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void connectionDroppedMidBodyThenServed() {
    AtomicInteger gets = new AtomicInteger();
    h.fake.behave(
        VAULT,
        "db-url",
        r -> r.authorized() && gets.incrementAndGet() == 1 ? h.fake.normal(r).dropAfter(25) : null);
    var run = export("--timeout", "30s", "-v");
    assertServed("connection dropped mid-body once, then the secret", run, NORMAL);
    assertTrue(run.stderr().contains("request failed ("), run::toString);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void connectionAlwaysDroppedMidBody() {
    h.fake.behave(VAULT, "db-url", r -> r.authorized() ? h.fake.normal(r).dropAfter(25) : null);
    assertFailed(
        "connection dropped mid-body every time, --timeout " + DEADLINE,
        export("--timeout", DEADLINE),
        6,
        AT_DEADLINE,
        "connection to kvload-test.vault.azure.net:" + h.fake.port());
    assertTrue(h.fake.secretRequests().size() >= 3, "it retried");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void truncatedJsonBody() {
    // The body ends inside the value: a parser's message would quote the start of it.
    h.fake.behave(VAULT, "db-url", r -> r.authorized() ? h.fake.normal(r).truncated(22) : null);
    var run = export("--timeout", "30s", "-v");
    assertFailed(
        "200 with a JSON body cut inside the value",
        run,
        6,
        NORMAL,
        "the vault's answer could not be read");
    assertFalse(run.stderr().contains(VALUE.substring(0, 6)), "no part of the value on stderr");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void nonJsonBody() {
    h.fake.behave(
        VAULT,
        "db-url",
        r ->
            r.authorized()
                ? new Reply(
                    200,
                    java.util.Map.of("Content-Type", "text/html"),
                    "<html><body>proxy says hello</body></html>".getBytes(),
                    Duration.ZERO)
                : null);
    assertFailed(
        "200 with an HTML body",
        export("--timeout", "30s"),
        6,
        NORMAL,
        "the vault's answer could not be read");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void getThatNeverAnswers() {
    h.fake.behave(VAULT, "db-url", r -> r.authorized() ? Reply.never() : null);
    assertFailed(
        "secret GET never answered, --timeout " + DEADLINE,
        export("--timeout", DEADLINE),
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
        export("--timeout", "30s"),
        6,
        SLACK,
        "does not name " + FakeAzure.MISMATCHED_HOST + " (host name mismatch)");
    assertTrue(h.fake.requests().isEmpty(), "no request got through: " + h.fake.requests());
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointRefusesConnections() {
    var run =
        h.run()
            .env("IDENTITY_ENDPOINT", "https://127.0.0.1:" + closedPort() + "/msi/token")
            .args("export", "-o", envFile.toString(), "--timeout", "20s")
            .go();
    // The credential retries a refused connection for about 6 s, then gives up; on a loaded
    // machine the deadline may come first. Either way: exit 4, saying it was authentication.
    assertFailed(
        "token endpoint down (connection refused), --timeout 20s",
        run,
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
        export("--timeout", DEADLINE),
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
        export("--timeout", "30s"),
        NORMAL.plusSeconds(2));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointTooSlow() {
    h.fake.behaveForTokens(r -> Reply.never());
    assertFailed(
        "token endpoint never answers, --timeout " + DEADLINE,
        export("--timeout", DEADLINE),
        4,
        AT_DEADLINE,
        "no token before the --timeout deadline");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointAnswersGarbageHoldingAToken() {
    // An access token is a credential: it must not be quoted by whatever fails to parse it.
    h.fake.behaveForTokens(
        r -> Reply.status(200, "{\"access_token\": \"eyJ-leaked-access-token-0123456789\", \"exp"));
    var run = export("--timeout", "30s", "-v");
    assertFailed(
        "token endpoint answers 200 with a cut body holding a token",
        run,
        4,
        NORMAL,
        "authentication failed (--auth default)");
    assertFalse(run.stderr().contains("leaked-access-token"), run::toString);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void valueWithNulIsRefusedNamingTheVariable() {
    h.fake.put(VAULT, "db-url", "before\0after-the-nul-byte");
    var run = export("--timeout", "30s");
    assertFailed(
        "a value holding a NUL byte",
        run,
        5,
        NORMAL,
        "kvload: DATABASE_URL: the value of secret 'db-url'");
    assertTrue(run.stderr().contains("contains a NUL byte"), run::toString);
  }

  // --- helpers

  private Harness.Run export(String... options) {
    return h.run()
        .args("export", "-o", envFile.toString())
        .args(options)
        .limit(Duration.ofSeconds(120))
        .go();
  }

  private static Reply throttled(String retryAfter) {
    return Reply.status(429, FakeAzure.error("Throttled", "Too many requests"))
        .withHeader("Retry-After", retryAfter);
  }

  /**
   * The run failed as it should: this exit status, within {@code limit}, saying one of {@code
   * anyOf}, and the old env file untouched.
   */
  private void assertFailed(
      String fault, Harness.Run run, int exit, Duration limit, String... anyOf) {
    report(fault, run);
    assertEquals(exit, run.exit(), run::toString);
    assertUntouched();
    assertTrue(Stream.of(anyOf).anyMatch(run.stderr()::contains), run::toString);
    assertShorterThan(limit, run);
  }

  /** The run got the secret despite the fault, within {@code limit}, and wrote the env file. */
  private void assertServed(String fault, Harness.Run run, Duration limit) {
    report(fault, run);
    assertEquals(0, run.exit(), run::toString);
    assertWritten();
    assertShorterThan(limit, run);
  }

  private static void report(String fault, Harness.Run run) {
    System.out.printf("FAULT %-60s exit %d in %5d ms%n", fault, run.exit(), run.took().toMillis());
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

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
