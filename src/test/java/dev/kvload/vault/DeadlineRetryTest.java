package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import dev.kvload.http.BufferedAnswer;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeadlineRetryTest {
  private static final Instant NOW = Instant.parse("2026-01-15T09:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static Stream<Arguments> retryAfterHeaders() {
    return Stream.of(
        Arguments.of("seconds", Map.of("Retry-After", "7"), Duration.ofSeconds(7)),
        Arguments.of("zero seconds", Map.of("Retry-After", "0"), Duration.ZERO),
        Arguments.of(
            "an HTTP date",
            Map.of("Retry-After", "Thu, 15 Jan 2026 09:00:30 GMT"),
            Duration.ofSeconds(30)),
        Arguments.of(
            "an HTTP date in the past",
            Map.of("Retry-After", "Thu, 15 Jan 2026 08:00:00 GMT"),
            Duration.ZERO),
        Arguments.of("retry-after-ms", Map.of("retry-after-ms", "1500"), Duration.ofMillis(1500)),
        Arguments.of(
            "x-ms-retry-after-ms first",
            Map.of("x-ms-retry-after-ms", "250", "Retry-After", "9"),
            Duration.ofMillis(250)),
        Arguments.of("garbage", Map.of("Retry-After", "soon"), null),
        Arguments.of("negative", Map.of("Retry-After", "-3"), null),
        Arguments.of("none", Map.of(), null),
        Arguments.of(
            "a hostile length, read as a day",
            Map.of("Retry-After", Long.toString(Long.MAX_VALUE)),
            Duration.ofDays(1)),
        Arguments.of(
            "a hostile length in ms, read as a day",
            Map.of("retry-after-ms", Long.toString(Long.MAX_VALUE)),
            Duration.ofDays(1)),
        Arguments.of("x-ms-retry-after-ms 0", Map.of("x-ms-retry-after-ms", "0"), Duration.ZERO),
        Arguments.of("retry-after-ms 0", Map.of("retry-after-ms", "0"), Duration.ZERO),
        Arguments.of(
            "x-ms-retry-after-ms 0 beats Retry-After",
            Map.of("x-ms-retry-after-ms", "0", "Retry-After", "30"),
            Duration.ZERO),
        Arguments.of(
            "retry-after-ms 0 beats Retry-After",
            Map.of("retry-after-ms", "0", "Retry-After", "30"),
            Duration.ZERO),
        Arguments.of(
            "x-ms-retry-after-ms beats retry-after-ms",
            Map.of("x-ms-retry-after-ms", "5", "retry-after-ms", "900"),
            Duration.ofMillis(5)),
        Arguments.of(
            "negative x-ms-retry-after-ms: retry-after-ms instead",
            Map.of("x-ms-retry-after-ms", "-1", "retry-after-ms", "700"),
            Duration.ofMillis(700)),
        Arguments.of(
            "negative retry-after-ms: Retry-After instead",
            Map.of("retry-after-ms", "-1", "Retry-After", "3"),
            Duration.ofSeconds(3)),
        Arguments.of(
            "negative x-ms-retry-after-ms alone", Map.of("x-ms-retry-after-ms", "-5"), null),
        Arguments.of(
            "milliseconds with spaces", Map.of("retry-after-ms", " 250 "), Duration.ofMillis(250)),
        Arguments.of("seconds with spaces", Map.of("Retry-After", " 4 "), Duration.ofSeconds(4)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("retryAfterHeaders")
  void readsRetryAfterAsTheSdkDoes(String name, Map<String, String> headers, Duration expected) {
    assertEquals(expected, DeadlineRetry.retryAfter(headers(headers), NOW));
  }

  /** Throttling (429, 503) is the gate's: VaultGateTest. */
  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of("500, Retry-After fits", 500, Map.of("Retry-After", "2"), 10, true),
        Arguments.of(
            "500, Retry-After past the deadline", 500, Map.of("Retry-After", "2"), 2, false),
        Arguments.of("502, Retry-After 120 s", 502, Map.of("Retry-After", "120"), 30, false),
        Arguments.of("500", 500, Map.of(), 10, true),
        Arguments.of("504", 504, Map.of(), 10, true),
        Arguments.of("408", 408, Map.of(), 10, true),
        Arguments.of("501 is not retried", 501, Map.of(), 10, false),
        Arguments.of("404 is not retried", 404, Map.of(), 10, false),
        Arguments.of("403 is not retried", 403, Map.of(), 10, false),
        Arguments.of("500 with no time left", 500, Map.of(), 0, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void retriesAnswersOnlyWhileTheDeadlineAllows(
      String name, int status, Map<String, String> headers, int secondsLeft, boolean retried) {
    List<String> said = new ArrayList<>();
    DeadlineRetry retry = new DeadlineRetry(NOW.plusSeconds(secondsLeft), CLOCK, said::add);
    assertEquals(retried, retry.retryAnswer(answer(status, headers), 0) != null);
    boolean transientStatus = List.of(408, 500, 502, 504).contains(status);
    assertEquals(transientStatus ? 1 : 0, said.size(), "a -v line for each retry decision");
    if (transientStatus) {
      assertTrue(said.getFirst().startsWith("GET vault.test/secrets/db-url: HTTP " + status));
    }
  }

  /**
   * A wait is taken only if it and one more try ({@link DeadlineRetry#MIN_ATTEMPT}, 100 ms) end by
   * the deadline; a vault that asks for no wait is sent the request again at once.
   */
  static Stream<Arguments> waits() {
    return Stream.of(
        Arguments.of(
            "Retry-After 2, its try ends at the deadline",
            Map.of("Retry-After", "2"),
            2100,
            Duration.ofSeconds(2)),
        Arguments.of(
            "Retry-After 2, its try ends 1 ms before the deadline",
            Map.of("Retry-After", "2"),
            2101,
            Duration.ofSeconds(2)),
        Arguments.of(
            "Retry-After 2, its try would end 1 ms past the deadline",
            Map.of("Retry-After", "2"),
            2099,
            null),
        Arguments.of(
            "x-ms-retry-after-ms 0: at once, not after kvload's own wait",
            Map.of("x-ms-retry-after-ms", "0"),
            30_000,
            Duration.ZERO),
        Arguments.of(
            "x-ms-retry-after-ms 0, its try ends at the deadline",
            Map.of("x-ms-retry-after-ms", "0"),
            100,
            Duration.ZERO),
        Arguments.of(
            "x-ms-retry-after-ms 0, its try would end 1 ms past the deadline",
            Map.of("x-ms-retry-after-ms", "0"),
            99,
            null),
        Arguments.of(
            "a negative x-ms-retry-after-ms: kvload's own wait, cut to the time left",
            Map.of("x-ms-retry-after-ms", "-1"),
            250,
            Duration.ofMillis(150)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("waits")
  void waitsOnlyWhenTheWaitAndATryFitBeforeTheDeadline(
      String name, Map<String, String> headers, long msLeft, Duration expected) {
    DeadlineRetry retry = new DeadlineRetry(NOW.plusMillis(msLeft), CLOCK, line -> {});
    assertEquals(expected, retry.retryAnswer(answer(500, headers), 0));
  }

  static Stream<Arguments> failureWaits() {
    return Stream.of(
        Arguments.of("100 ms left: at once, its try ends at the deadline", 100, Duration.ZERO),
        Arguments.of("99 ms left: its try would end 1 ms past the deadline", 99, null));
  }

  /** kvload's own wait is cut to the time left, down to none at all, but a try must still fit. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("failureWaits")
  void aFailureIsRetriedOnlyWhenATryFitsBeforeTheDeadline(
      String name, long msLeft, Duration expected) {
    DeadlineRetry retry = new DeadlineRetry(NOW.plusMillis(msLeft), CLOCK, line -> {});
    assertEquals(
        expected, retry.retryFailure(new UncheckedIOException(new EOFException()), 0, List.of()));
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(
            "connection lost mid-body", new UncheckedIOException(new EOFException()), true),
        Arguments.of(
            "certificate for another host",
            new UncheckedIOException(
                new SSLHandshakeException("No subject alternative DNS name matching x")),
            false),
        Arguments.of(
            "untrusted certificate",
            new RuntimeException(new CertificateException("PKIX path building failed")),
            false),
        Arguments.of(
            "unknown host", new UncheckedIOException(new UnknownHostException("kv.test")), false),
        Arguments.of(
            "no token", new ClientAuthenticationException("token endpoint down", null), false),
        Arguments.of(
            "no token, as the pipeline sees it",
            new TokenFailure(
                new ClientAuthenticationException(
                    "refused", null, new UncheckedIOException(new java.net.ConnectException()))),
            false),
        Arguments.of(
            "a challenge asking for a token kvload will not give",
            new RuntimeException(new ChallengeRefused("asks for https://azure.net")),
            false),
        Arguments.of(
            "a cause of an untrusted certificate, asked about on its own",
            new java.security.cert.CertPathValidatorException("no path to a trusted root"),
            false),
        Arguments.of("a checked I/O failure", new IOException("reset"), true),
        // An Error is a bug or an exhausted JVM, not the vault: retrying until --timeout hides it.
        Arguments.of("out of memory", new OutOfMemoryError("Java heap space"), false),
        Arguments.of("stack overflow", new StackOverflowError(), false),
        Arguments.of("a failed assertion", new AssertionError("a bug"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void retriesOnlyFailuresThatMayPass(String name, Throwable error, boolean retried) {
    DeadlineRetry retry = new DeadlineRetry(NOW.plusSeconds(30), CLOCK, line -> {});
    assertEquals(retried, retry.retryFailure(error, 0, List.of()) != null);
  }

  static Stream<Arguments> connectionTries() {
    // As the JDK client reports a refused connection: the cause has a cause.
    Throwable cause = new java.nio.channels.ClosedChannelException();
    var connect = new java.net.ConnectException("Connection refused");
    connect.initCause(cause);
    Throwable refused = new UncheckedIOException(connect);
    Throwable dropped =
        new UncheckedIOException(new java.io.EOFException("EOF reached while reading"));
    return Stream.of(
        Arguments.of("refused twice before: retried", refused, List.of(refused, refused), true),
        Arguments.of(
            "refused three times before: given up",
            refused,
            List.of(refused, refused, refused),
            false),
        Arguments.of(
            "asked about a cause, refused three times before: given up",
            cause,
            List.of(refused, refused, refused),
            false),
        Arguments.of(
            "answers dropped nine times: still worth it",
            dropped,
            List.of(
                dropped, dropped, dropped, dropped, dropped, dropped, dropped, dropped, dropped),
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("connectionTries")
  void aVaultThatCannotBeReachedIsRetriedOnlyBriefly(
      String name, Throwable error, List<Throwable> previous, boolean retried) {
    DeadlineRetry retry = new DeadlineRetry(NOW.plusSeconds(300), CLOCK, line -> {});
    assertEquals(retried, retry.retryFailure(error, previous.size(), previous) != null);
  }

  static Stream<Arguments> backstop() {
    return Stream.of(
        Arguments.of(
            "an answer, the last retry allowed", true, DeadlineRetry.MAX_RETRIES - 1, true),
        Arguments.of("an answer, one retry too many", true, DeadlineRetry.MAX_RETRIES, false),
        Arguments.of(
            "a failure, the last retry allowed", false, DeadlineRetry.MAX_RETRIES - 1, true),
        Arguments.of("a failure, one retry too many", false, DeadlineRetry.MAX_RETRIES, false));
  }

  /** A vault that keeps failing at once is not asked forever when the deadline is far. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backstop")
  void retriesStopAtTheBackstop(String name, boolean answered, int tryCount, boolean retried) {
    DeadlineRetry retry = new DeadlineRetry(NOW.plusSeconds(300), CLOCK, line -> {});
    Duration wait =
        answered
            ? retry.retryAnswer(answer(500, Map.of()), tryCount)
            : retry.retryFailure(new UncheckedIOException(new EOFException()), tryCount, List.of());
    assertEquals(retried, wait != null);
  }

  static Stream<Arguments> verboseLines() {
    String a = "GET vault.test/secrets/db-url: HTTP ";
    return Stream.of(
        Arguments.of(
            "the vault's wait",
            500,
            Map.of("Retry-After", "2"),
            0,
            30_000,
            a + "500, retry 1 in 2000 ms (as the vault's Retry-After asks)"),
        Arguments.of(
            "kvload's own wait, cut to the time left",
            502,
            Map.of(),
            2,
            300,
            a + "502, retry 3 in 200 ms"),
        Arguments.of(
            "the vault's wait does not fit",
            500,
            Map.of("Retry-After", "120"),
            0,
            30_000,
            a
                + "500, the vault asks to wait 120000 ms; not retrying, the --timeout deadline is too"
                + " close"),
        Arguments.of(
            "no time left for kvload's own wait",
            502,
            Map.of(),
            0,
            50,
            a + "502; not retrying, the --timeout deadline is too close"));
  }

  /** What -v says about each retry decision: the status, the try, the wait and whose it is. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("verboseLines")
  void verboseSaysWhyAndHowLong(
      String name,
      int status,
      Map<String, String> headers,
      int tryCount,
      long msLeft,
      String line) {
    List<String> said = new ArrayList<>();
    DeadlineRetry retry = new DeadlineRetry(NOW.plusMillis(msLeft), CLOCK, said::add);
    retry.retryAnswer(answer(status, headers), tryCount);
    assertEquals(List.of(line), said);
  }

  @Test
  void verboseNamesAFailuresTypeAndTheTry() {
    List<String> said = new ArrayList<>();
    DeadlineRetry retry = new DeadlineRetry(NOW.plusMillis(300), CLOCK, said::add);
    retry.retryFailure(new UncheckedIOException(new EOFException()), 1, List.of());
    assertEquals(List.of("request failed (UncheckedIOException), retry 2 in 200 ms"), said);
  }

  @Test
  void ownWaitsGrowButNeverPassTheDeadline() {
    DeadlineRetry roomy = new DeadlineRetry(NOW.plusSeconds(60), CLOCK, line -> {});
    assertTrue(roomy.delay(0).toMillis() <= 240);
    assertTrue(roomy.delay(3).toMillis() >= 1280);
    assertEquals(Duration.ofSeconds(8), roomy.delay(10));
    DeadlineRetry tight = new DeadlineRetry(NOW.plusMillis(700), CLOCK, line -> {});
    assertEquals(Duration.ofMillis(600), tight.delay(10));
    DeadlineRetry past = new DeadlineRetry(NOW.minusSeconds(1), CLOCK, line -> {});
    assertEquals(Duration.ZERO, past.delay(1));
  }

  private static HttpHeaders headers(Map<String, String> values) {
    HttpHeaders headers = new HttpHeaders();
    values.forEach(headers::set);
    return headers;
  }

  private static HttpResponse answer(int status, Map<String, String> headers) {
    HttpRequest request = new HttpRequest(HttpMethod.GET, "https://vault.test/secrets/db-url");
    return new BufferedAnswer(request, status, headers(headers), new byte[0]);
  }
}
