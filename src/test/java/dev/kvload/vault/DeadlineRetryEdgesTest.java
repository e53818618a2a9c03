package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import dev.kvload.http.BufferedAnswer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The edges of {@link DeadlineRetry} users see: what a request still retrying at the deadline says
 * it last got, the exact point where a wait no longer fits before {@code --timeout}, and which
 * headers and failures count. Kept apart from {@code DeadlineRetryTest} so either can go with the
 * class if it is replaced.
 */
class DeadlineRetryEdgesTest {
  private static final Instant NOW = Instant.parse("2026-01-15T09:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static BufferedAnswer answer(String url, int status, Map<String, String> headers) {
    HttpHeaders h = new HttpHeaders();
    headers.forEach(h::set);
    return new BufferedAnswer(new HttpRequest(HttpMethod.GET, url), status, h, new byte[0]);
  }

  static Stream<Arguments> notes() {
    String db = "https://contoso.vault.azure.net/secrets/db/?api-version=2025-07-01";
    return Stream.of(
        Arguments.of(
            "503", db, 503, Map.of(), "contoso.vault.azure.net:443/secrets/db", "HTTP 503"),
        Arguments.of(
            "429 with Retry-After",
            db,
            429,
            Map.of("Retry-After", "2"),
            "contoso.vault.azure.net:443/secrets/db",
            "HTTP 429, Retry-After 2"),
        Arguments.of(
            "a versioned secret on an emulator's port",
            "https://127.0.0.1:8443/secrets/db/0f1e2d?api-version=2025-07-01",
            500,
            Map.of(),
            "127.0.0.1:8443/secrets/db/0f1e2d",
            "HTTP 500"));
  }

  /**
   * Each retryable answer is noted under its request's key, which is how a secret that runs into
   * the deadline says "(the last answer was HTTP 503)" for itself and not for another secret.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("notes")
  void noteEachRetryableAnswerUnderItsRequest(
      String name, String url, int status, Map<String, String> headers, String key, String note) {
    List<List<String>> noted = new ArrayList<>();
    DeadlineRetry retry =
        new DeadlineRetry(
            NOW.plusSeconds(30), CLOCK, line -> {}, (k, n) -> noted.add(List.of(k, n)));
    retry.retryAnswer(answer(url, status, headers), 0);
    assertEquals(List.of(List.of(key, note)), noted);
  }

  static Stream<Arguments> keys() throws Exception {
    return Stream.of(
        Arguments.of(
            "default port",
            "https://kv.vault.azure.net/secrets/a",
            "kv.vault.azure.net:443/secrets/a"),
        Arguments.of("own port", "https://kv.test:8443/secrets/a", "kv.test:8443/secrets/a"),
        Arguments.of("trailing slash", "https://kv.test/secrets/a/", "kv.test:443/secrets/a"),
        Arguments.of(
            "query", "https://kv.test/secrets/a/v1?api-version=1", "kv.test:443/secrets/a/v1"));
  }

  /** The key of a request's URL matches the key KeyVaultSource derives from the manifest's ref. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void requestKeyIgnoresQueryTrailingSlashAndDefaultPort(String name, String url, String key)
      throws Exception {
    URL parsed = URI.create(url).toURL();
    assertEquals(key, DeadlineRetry.requestKey(parsed));
  }

  static Stream<Arguments> waits() {
    return Stream.of(
        Arguments.of("wait and a 100 ms try end at the deadline", "2", 2100, true),
        Arguments.of("a millisecond short", "2", 2099, false),
        Arguments.of("no wait asked, 100 ms left", "0", 100, true),
        Arguments.of("no wait asked, 99 ms left", "0", 99, false));
  }

  /** A wait is taken only if the wait and one more short try both fit before --timeout. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("waits")
  void aWaitIsTakenOnlyWhenItFitsBeforeTheDeadline(
      String name, String retryAfter, long msLeft, boolean retried) {
    DeadlineRetry retry = new DeadlineRetry(NOW.plusMillis(msLeft), CLOCK, line -> {});
    assertEquals(
        retried,
        retry.retryAnswer(
            answer("https://kv.test/secrets/a", 429, Map.of("Retry-After", retryAfter)), 0));
  }

  static Stream<Arguments> headers() {
    return Stream.of(
        Arguments.of("retry-after-ms 0", Map.of("retry-after-ms", "0"), Duration.ZERO),
        Arguments.of("x-ms-retry-after-ms 0", Map.of("x-ms-retry-after-ms", "0"), Duration.ZERO),
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
            "negative milliseconds: Retry-After instead",
            Map.of("retry-after-ms", "-1", "Retry-After", "3"),
            Duration.ofSeconds(3)),
        Arguments.of(
            "blank milliseconds: Retry-After instead",
            Map.of("retry-after-ms", " ", "Retry-After", "3"),
            Duration.ofSeconds(3)),
        Arguments.of(
            "milliseconds with spaces", Map.of("retry-after-ms", " 250 "), Duration.ofMillis(250)),
        Arguments.of("seconds with spaces", Map.of("Retry-After", " 4 "), Duration.ofSeconds(4)),
        Arguments.of("blank Retry-After", Map.of("Retry-After", " "), null),
        Arguments.of(
            "a date a minute ahead",
            Map.of("Retry-After", "Thu, 15 Jan 2026 09:01:00 GMT"),
            Duration.ofMinutes(1)),
        Arguments.of(
            "a date that has passed: no wait",
            Map.of("Retry-After", "Thu, 15 Jan 2026 08:59:00 GMT"),
            Duration.ZERO));
  }

  /** A vault that asks for no wait is retried at once, as the SDK's own policy would. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("headers")
  void readsZeroAndPrecedenceAsTheSdkDoes(
      String name, Map<String, String> values, Duration expected) {
    HttpHeaders headers = new HttpHeaders();
    values.forEach(headers::set);
    assertEquals(expected, DeadlineRetry.retryAfter(headers, NOW));
  }

  static Stream<Arguments> verboseLines() {
    String a = "GET kv.test/secrets/a: HTTP ";
    return Stream.of(
        Arguments.of(
            "the vault's wait",
            429,
            Map.of("Retry-After", "2"),
            0,
            30_000,
            a + "429, retry 1 in 2000 ms (as the vault's Retry-After asks)"),
        Arguments.of(
            "kvload's own wait, cut to the time left",
            503,
            Map.of(),
            2,
            300,
            a + "503, retry 3 in 200 ms"),
        Arguments.of(
            "the vault's wait does not fit",
            429,
            Map.of("Retry-After", "120"),
            0,
            30_000,
            a
                + "429, the vault asks to wait 120000 ms; not retrying, the --timeout deadline is too"
                + " close"),
        Arguments.of(
            "no time left for kvload's own wait",
            503,
            Map.of(),
            0,
            50,
            a + "503; not retrying, the --timeout deadline is too close"));
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
    retry.retryAnswer(answer("https://kv.test/secrets/a", status, headers), tryCount);
    assertEquals(List.of(line), said);
  }

  @Test
  void verboseNamesAFailuresTypeAndTheTry() {
    List<String> said = new ArrayList<>();
    DeadlineRetry retry = new DeadlineRetry(NOW.plusMillis(300), CLOCK, said::add);
    retry.retryFailure(new UncheckedIOException(new IOException("reset")), 1, List.of());
    assertEquals(List.of("request failed (UncheckedIOException), retry 2 in 200 ms"), said);
  }

  static Stream<Arguments> throwables() {
    return Stream.of(
        Arguments.of("an I/O failure", new UncheckedIOException(new IOException("reset")), true),
        Arguments.of("a checked I/O failure", new IOException("reset"), true),
        Arguments.of("out of memory", new OutOfMemoryError(), false),
        Arguments.of("stack overflow", new StackOverflowError(), false),
        Arguments.of("nothing", null, false));
  }

  /** An Error is the JVM failing, not the network: retrying until --timeout only hides it. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("throwables")
  void onlyExceptionsAreRetried(String name, Throwable error, boolean retried) {
    DeadlineRetry retry = new DeadlineRetry(NOW.plusSeconds(30), CLOCK, line -> {});
    assertEquals(retried, retry.retryFailure(error, 0, List.of()));
  }
}
