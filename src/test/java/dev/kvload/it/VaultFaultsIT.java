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

  private static final Duration DEADLINE_TIME = Duration.ofSeconds(8);

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
    report("429 Retry-After: 1 twice, then the secret", run);
    assertEquals(0, run.exit(), run::toString);
    assertWritten();
    var times = h.fake.secretRequests().stream().filter(r -> r.authorized()).toList();
    assertEquals(3, times.size(), run::toString);
    for (int i = 1; i < times.size(); i++) {
      Duration gap = Duration.between(times.get(i - 1).at(), times.get(i).at());
      assertTrue(gap.toMillis() >= 950, "Retry-After honoured: " + gap);
    }
    assertTrue(
        run.stderr().contains("HTTP 429, retry 1 in 1000 ms (as the vault's Retry-After asks)"),
        run::toString);
    assertShorterThan(Duration.ofSeconds(2).plus(SLACK).plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void throttledUntilTheDeadline() {
    h.fake.behave(VAULT, "db-url", r -> throttled("1"));
    var run = export("--timeout", DEADLINE);
    report("429 Retry-After: 1 forever, --timeout " + DEADLINE, run);
    assertEquals(6, run.exit(), run::toString);
    assertUntouched();
    // Stopped before a retry that could not finish in time, or cut off in the middle of one.
    assertTrue(
        run.stderr()
                .contains(
                    "the vault was still throttling (HTTP 429, Retry-After 1) when the --timeout"
                        + " deadline stopped retries (DATABASE_URL)")
            || run.stderr()
                .contains(
                    "no answer before the --timeout deadline (the last answer was HTTP 429,"
                        + " Retry-After 1) (DATABASE_URL)"),
        run::toString);
    long answered = h.fake.secretRequests().stream().filter(r -> r.authorized()).count();
    assertTrue(answered >= 2, "it retried: " + answered + " GETs");
    assertShorterThan(DEADLINE_TIME.plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void throttledForLongerThanTheTimeoutFailsAtOnce() {
    h.fake.behave(VAULT, "db-url", r -> throttled("120"));
    var run = export("--timeout", "30s");
    report("429 Retry-After: 120, --timeout 30s", run);
    assertEquals(6, run.exit(), run::toString);
    assertUntouched();
    assertTrue(run.stderr().contains("Retry-After 120"), run::toString);
    assertEquals(1, h.fake.secretRequests().stream().filter(r -> r.authorized()).count());
    // It does not sleep through --timeout for an answer it knows will come too late.
    assertShorterThan(Duration.ofSeconds(30), run);
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
    var run = export("--timeout", "30s");
    report("500, then 503, then the secret", run);
    assertEquals(0, run.exit(), run::toString);
    assertWritten();
    assertShorterThan(SLACK.plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void serverErrorsUntilTheDeadline() {
    h.fake.behave(
        VAULT, "db-url", r -> Reply.status(503, FakeAzure.error("ServiceUnavailable", "busy")));
    var run = export("--timeout", DEADLINE);
    report("503 forever, --timeout " + DEADLINE, run);
    assertEquals(6, run.exit(), run::toString);
    assertUntouched();
    assertTrue(
        run.stderr().contains("HTTP 503 from the vault after retrying")
            || run.stderr().contains("(the last answer was HTTP 503)"),
        run::toString);
    assertShorterThan(DEADLINE_TIME.plus(SLACK), run);
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
    report("connection dropped mid-body once, then the secret", run);
    assertEquals(0, run.exit(), run::toString);
    assertWritten();
    assertTrue(run.stderr().contains("request failed ("), run::toString);
    assertShorterThan(SLACK.plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void connectionAlwaysDroppedMidBody() {
    h.fake.behave(VAULT, "db-url", r -> r.authorized() ? h.fake.normal(r).dropAfter(25) : null);
    var run = export("--timeout", DEADLINE);
    report("connection dropped mid-body every time, --timeout " + DEADLINE, run);
    assertEquals(6, run.exit(), run::toString);
    assertUntouched();
    assertTrue(
        run.stderr().contains("connection to kvload-test.vault.azure.net:" + h.fake.port()),
        run::toString);
    assertTrue(h.fake.secretRequests().size() >= 3, "it retried");
    assertShorterThan(DEADLINE_TIME.plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void truncatedJsonBody() {
    // The body ends inside the value: a parser's message would quote the start of it.
    h.fake.behave(VAULT, "db-url", r -> r.authorized() ? h.fake.normal(r).truncated(22) : null);
    var run = export("--timeout", "30s", "-v");
    report("200 with a JSON body cut inside the value", run);
    assertEquals(6, run.exit(), run::toString);
    assertUntouched();
    assertTrue(run.stderr().contains("the vault's answer could not be read"), run::toString);
    assertFalse(run.stderr().contains(VALUE.substring(0, 6)), "no part of the value on stderr");
    assertShorterThan(SLACK.plus(SLACK), run);
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
    var run = export("--timeout", "30s");
    report("200 with an HTML body", run);
    assertEquals(6, run.exit(), run::toString);
    assertUntouched();
    assertTrue(run.stderr().contains("the vault's answer could not be read"), run::toString);
    assertShorterThan(SLACK.plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void getThatNeverAnswers() {
    h.fake.behave(VAULT, "db-url", r -> r.authorized() ? Reply.never() : null);
    var run = export("--timeout", DEADLINE);
    report("secret GET never answered, --timeout " + DEADLINE, run);
    assertEquals(6, run.exit(), run::toString);
    assertUntouched();
    assertTrue(run.stderr().contains("no answer before the --timeout deadline"), run::toString);
    assertShorterThan(DEADLINE_TIME.plus(SLACK), run);
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
    var run = export("--timeout", "30s");
    report("TLS certificate that does not name the vault's host", run);
    assertEquals(6, run.exit(), run::toString);
    assertUntouched();
    assertTrue(
        run.stderr()
            .contains("does not name " + FakeAzure.MISMATCHED_HOST + " (host name mismatch)"),
        run::toString);
    assertTrue(h.fake.requests().isEmpty(), "no request got through: " + h.fake.requests());
    // Not retried: a certificate does not start matching.
    assertShorterThan(SLACK, run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointRefusesConnections() {
    var run =
        h.run()
            .env("IDENTITY_ENDPOINT", "https://127.0.0.1:" + closedPort() + "/msi/token")
            .args("export", "-o", envFile.toString(), "--timeout", "20s")
            .go();
    report("token endpoint down (connection refused), --timeout 20s", run);
    assertEquals(4, run.exit(), run::toString);
    assertUntouched();
    // The credential retries a refused connection for about 6 s, then gives up; on a loaded
    // machine the deadline may come first. Either way: exit 4, saying it was authentication.
    assertTrue(run.stderr().contains("authentication failed (--auth default)"), run::toString);
    assertShorterThan(Duration.ofSeconds(20).plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointFailing() {
    h.fake.behaveForTokens(r -> Reply.status(503, "{\"error\":\"unavailable\"}"));
    var run = export("--timeout", DEADLINE);
    report("token endpoint answers 503, --timeout " + DEADLINE, run);
    assertEquals(4, run.exit(), run::toString);
    assertUntouched();
    assertTrue(run.stderr().contains("no token before the --timeout deadline"), run::toString);
    assertShorterThan(DEADLINE_TIME.plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointSlowButInTime() {
    h.fake.delayTokens(Duration.ofMillis(1500));
    var run = export("--timeout", "30s");
    report("token endpoint answers after 1.5 s, --timeout 30s", run);
    assertEquals(0, run.exit(), run::toString);
    assertWritten();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointTooSlow() {
    h.fake.behaveForTokens(r -> Reply.never());
    var run = export("--timeout", DEADLINE);
    report("token endpoint never answers, --timeout " + DEADLINE, run);
    assertEquals(4, run.exit(), run::toString);
    assertUntouched();
    assertTrue(run.stderr().contains("no token before the --timeout deadline"), run::toString);
    assertShorterThan(DEADLINE_TIME.plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void tokenEndpointAnswersGarbageHoldingAToken() {
    // An access token is a credential: it must not be quoted by whatever fails to parse it.
    h.fake.behaveForTokens(
        r -> Reply.status(200, "{\"access_token\": \"eyJ-leaked-access-token-0123456789\", \"exp"));
    var run = export("--timeout", "30s", "-v");
    report("token endpoint answers 200 with a cut body holding a token", run);
    assertEquals(4, run.exit(), run::toString);
    assertUntouched();
    assertFalse(run.stderr().contains("leaked-access-token"), run::toString);
    assertShorterThan(SLACK.plus(SLACK), run);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void valueWithNulIsRefusedNamingTheVariable() {
    h.fake.put(VAULT, "db-url", "before\0after-the-nul-byte");
    var run = export("--timeout", "30s");
    report("a value holding a NUL byte", run);
    assertEquals(5, run.exit(), run::toString);
    assertUntouched();
    assertTrue(
        run.stderr().contains("kvload: DATABASE_URL: the value of secret 'db-url'"), run::toString);
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
