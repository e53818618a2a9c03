package dev.kvload.vault;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.RequestRetryCondition;
import com.azure.core.http.policy.RetryStrategy;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URL;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Retries what is worth retrying (throttling, 5xx, a dropped connection) for as long as the run's
 * deadline allows, and never past it.
 *
 * <p>The SDK's {@code RetryPolicy} sleeps for whatever a response's {@code Retry-After} (or {@code
 * retry-after-ms}, {@code x-ms-retry-after-ms}) asks, uncapped; it only asks this strategy whether
 * to retry at all. So this strategy reads the same headers and says no when the wait would end past
 * the deadline: the run then reports the throttling at once instead of sleeping through {@code
 * --timeout}. Waits it chooses itself are exponential with jitter and cut to the time left.
 */
final class DeadlineRetry implements RetryStrategy {
  /** A backstop against a vault that keeps asking for no wait; the deadline ends retries first. */
  static final int MAX_RETRIES = 20;

  private static final Duration BASE_DELAY = Duration.ofMillis(200);
  private static final Duration MAX_DELAY = Duration.ofSeconds(8);

  /**
   * A connection that cannot even be opened (refused, no route) is a wrong address or a dead
   * network far more often than a blip: three quick retries (about 1.4 s) cover the blip without
   * making a user wait out the whole --timeout for a typo. A vault that answers (429, 5xx) or drops
   * a started answer is retried until the deadline instead.
   */
  static final int MAX_CONNECT_RETRIES = 3;

  /** A retry needs time for its own request too; one that could only start is not worth it. */
  private static final Duration MIN_ATTEMPT = Duration.ofMillis(100);

  private final Instant deadline;
  private final Clock clock;
  private final Consumer<String> verbose;
  private final BiConsumer<String, String> answered;

  /**
   * @param verbose told about every retry (status or exception type and the wait; never a body)
   * @param answered told each retryable answer: {@link #requestKey} of its request, then what it
   *     was ({@code HTTP 503}), so a request still retrying at the deadline can say what it got
   */
  DeadlineRetry(
      Instant deadline,
      Clock clock,
      Consumer<String> verbose,
      BiConsumer<String, String> answered) {
    this.deadline = deadline;
    this.clock = clock;
    this.verbose = verbose;
    this.answered = answered;
  }

  DeadlineRetry(Instant deadline, Clock clock, Consumer<String> verbose) {
    this(deadline, clock, verbose, (request, answer) -> {});
  }

  /**
   * Host, port (-1 for HTTPS's default) and path, without query and trailing slash: how a secret's
   * GET is recognised.
   */
  static String requestKey(String host, int port, String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return host + ":" + (port == -1 ? 443 : port) + p;
  }

  /** {@link #requestKey(String, int, String)} of a request's URL. */
  static String requestKey(URL url) {
    return requestKey(url.getHost(), url.getPort(), url.getPath());
  }

  @Override
  public int getMaxRetries() {
    return MAX_RETRIES;
  }

  @Override
  public Duration calculateRetryDelay(int retryAttempts) {
    long base = BASE_DELAY.toNanos() << Math.min(retryAttempts, 16);
    long jittered = (long) (base * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
    Duration delay = Duration.ofNanos(Math.min(jittered, MAX_DELAY.toNanos()));
    Duration usable = timeLeft().minus(MIN_ATTEMPT);
    return usable.isNegative() ? Duration.ZERO : (delay.compareTo(usable) > 0 ? usable : delay);
  }

  @Override
  public boolean shouldRetryCondition(RequestRetryCondition condition) {
    if (Thread.currentThread().isInterrupted()) {
      return false;
    }
    return condition.getResponse() != null
        ? retryAnswer(condition.getResponse(), condition.getTryCount())
        : retryFailure(
            condition.getThrowable(), condition.getTryCount(), condition.getRetriedThrowables());
  }

  /** Whether to retry after this answer, the {@code tryCount}-th retry (0 for the first try). */
  boolean retryAnswer(HttpResponse response, int tryCount) {
    if (!shouldRetry(response)) {
      return false;
    }
    Duration asked = retryAfter(response.getHeaders(), clock.instant());
    answered.accept(
        requestKey(response.getRequest().getUrl()),
        "HTTP "
            + response.getStatusCode()
            + (asked != null
                ? ", Retry-After " + response.getHeaders().getValue(HttpHeaderName.RETRY_AFTER)
                : ""));
    Duration wait = asked != null ? asked : calculateRetryDelay(tryCount);
    if (!fits(wait)) {
      verbose.accept(
          describe(response)
              + ": HTTP "
              + response.getStatusCode()
              + (asked != null ? ", the vault asks to wait " + ms(asked) : "")
              + "; not retrying, the --timeout deadline is too close");
      return false;
    }
    verbose.accept(
        describe(response)
            + ": HTTP "
            + response.getStatusCode()
            + ", retry "
            + (tryCount + 1)
            + " in "
            + ms(wait)
            + (asked != null ? " (as the vault's Retry-After asks)" : ""));
    return true;
  }

  /**
   * Whether to retry after this failure to get an answer at all.
   *
   * @param previous the failures of this request's earlier tries, one each
   */
  boolean retryFailure(Throwable error, int tryCount, List<Throwable> previous) {
    if (error == null || !worthRetrying(error)) {
      return false;
    }
    // The SDK asks once per cause of the failure, so the question may be about a cause that says
    // nothing of connecting (ClosedChannelException): the earlier tries tell what is going on.
    if (previous != null
        && previous.size() >= MAX_CONNECT_RETRIES
        && previous.stream().allMatch(DeadlineRetry::cannotConnect)) {
      return false;
    }
    Duration wait = calculateRetryDelay(tryCount);
    if (!fits(wait)) {
      return false;
    }
    verbose.accept(
        "request failed ("
            + error.getClass().getSimpleName()
            + "), retry "
            + (tryCount + 1)
            + " in "
            + ms(wait));
    return true;
  }

  private boolean fits(Duration wait) {
    return wait.plus(MIN_ATTEMPT).compareTo(timeLeft()) <= 0;
  }

  private Duration timeLeft() {
    return Duration.between(clock.instant(), deadline);
  }

  /**
   * A certificate that does not match, a name that does not resolve: retrying gives the same answer
   * and only delays the message. A token failure surfaces here too (the credential is called inside
   * this retry loop), but the credential has retried its own requests already.
   *
   * <p>The SDK asks again for each cause of a failure and retries if any answer is yes, so every
   * cause of a permanent failure must be refused too: certificate path problems are {@link
   * GeneralSecurityException}s, and a {@link TokenFailure} has no cause to ask about. A refused
   * challenge ({@link ChallengeRefused}) is refused again on every try.
   */
  private static boolean worthRetrying(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SSLException
          || t instanceof GeneralSecurityException
          || t instanceof UnknownHostException
          || t instanceof TokenFailure
          || t instanceof ChallengeRefused
          || t instanceof ClientAuthenticationException
          || t instanceof InterruptedException) {
        return false;
      }
    }
    return error instanceof Exception;
  }

  private static boolean cannotConnect(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return true;
      }
    }
    return false;
  }

  private static String describe(HttpResponse response) {
    var url = response.getRequest().getUrl();
    return response.getRequest().getHttpMethod() + " " + url.getHost() + url.getPath();
  }

  /**
   * The wait a response asks for, read as the SDK's {@code RetryPolicy} reads it: {@code
   * x-ms-retry-after-ms}, then {@code retry-after-ms}, then {@code Retry-After} (seconds or an HTTP
   * date); null when none is usable.
   */
  static Duration retryAfter(HttpHeaders headers, Instant now) {
    Duration ms = millis(headers.getValue(HttpHeaderName.X_MS_RETRY_AFTER_MS));
    if (ms != null) {
      return ms;
    }
    ms = millis(headers.getValue(HttpHeaderName.RETRY_AFTER_MS));
    if (ms != null) {
      return ms;
    }
    String value = headers.getValue(HttpHeaderName.RETRY_AFTER);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at =
            ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(now, at);
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  private static String ms(Duration d) {
    return d.toMillis() + " ms";
  }

  private static Duration millis(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      long ms = Long.parseLong(value.strip());
      return ms < 0 ? null : Duration.ofMillis(ms);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
