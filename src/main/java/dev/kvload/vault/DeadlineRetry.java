package dev.kvload.vault;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpResponse;
import dev.kvload.http.AnswerTooLarge;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
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
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Whether, and when, one request is sent again after a fault that is its own (a 5xx other than 503,
 * a dropped connection), for as long as the run's deadline allows and never past it. Throttling
 * (429, 503) is the whole run's business: {@link VaultGate}.
 *
 * <p>kvload runs its own retry loop ({@link KeyVaultSource}) instead of the SDK's {@code
 * RetryPolicy}, which sleeps inside each request and so could only honour a {@code Retry-After} per
 * worker. Waits are exponential from 200 ms with jitter, cut to the time left; a wait the answer
 * asks for is honoured, or the request is not retried when it would end past the deadline.
 */
final class DeadlineRetry {
  /** A backstop against a vault that keeps failing at once; the deadline ends retries first. */
  static final int MAX_RETRIES = 20;

  private static final Duration BASE_DELAY = Duration.ofMillis(200);
  private static final Duration MAX_DELAY = Duration.ofSeconds(8);

  /**
   * A connection that cannot even be opened (refused, no route) is a wrong address or a dead
   * network far more often than a blip: three quick retries (about 1.4 s) cover the blip without
   * making a user wait out the whole --timeout for a typo. A vault that answers (5xx) or drops a
   * started answer is retried until the deadline instead.
   */
  static final int MAX_CONNECT_RETRIES = 3;

  /** A retry needs time for its own request too; one that could only start is not worth it. */
  static final Duration MIN_ATTEMPT = Duration.ofMillis(100);

  private final Instant deadline;
  private final Clock clock;
  private final Consumer<String> verbose;

  /**
   * @param verbose told about every retry (status or exception type and the wait; never a body)
   */
  DeadlineRetry(Instant deadline, Clock clock, Consumer<String> verbose) {
    this.deadline = deadline;
    this.clock = clock;
    this.verbose = verbose;
  }

  /** The last moment a request is still worth starting. */
  Instant latestStart() {
    return deadline.minus(MIN_ATTEMPT);
  }

  /** Whether a request started at {@code when} still has time for its answer. */
  boolean fits(Instant when) {
    return !when.isAfter(latestStart());
  }

  /** Statuses worth sending again, as azure-core's default retry strategy counts them. */
  static boolean retryable(int status) {
    return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
  }

  /** kvload's wait before the {@code tryCount}-th retry (0 for the first), cut to the time left. */
  Duration delay(int tryCount) {
    long base = BASE_DELAY.toNanos() << Math.min(tryCount, 16);
    long jittered = (long) (base * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
    Duration delay = Duration.ofNanos(Math.min(jittered, MAX_DELAY.toNanos()));
    Duration usable = Duration.between(clock.instant(), latestStart());
    return usable.isNegative() ? Duration.ZERO : (delay.compareTo(usable) > 0 ? usable : delay);
  }

  /**
   * How long to wait before sending again after this answer, the {@code tryCount}-th retry (0 for
   * the first try); null when it is not sent again.
   */
  Duration retryAnswer(HttpResponse response, int tryCount) {
    if (!retryable(response.getStatusCode()) || tryCount >= MAX_RETRIES) {
      return null;
    }
    Duration asked = retryAfter(response.getHeaders(), clock.instant());
    Duration wait = asked != null ? asked : delay(tryCount);
    if (!fits(clock.instant().plus(wait))) {
      verbose.accept(
          describe(response)
              + ": HTTP "
              + response.getStatusCode()
              + (asked != null ? ", the vault asks to wait " + ms(asked) : "")
              + "; not retrying, the --timeout deadline is too close");
      return null;
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
    return wait;
  }

  /**
   * How long to wait before sending again after this failure to get an answer at all; null when it
   * is not sent again.
   *
   * @param previous the failures of this request's earlier tries, one each
   */
  Duration retryFailure(Throwable error, int tryCount, List<Throwable> previous) {
    if (error == null || !worthRetrying(error) || tryCount >= MAX_RETRIES) {
      return null;
    }
    if (previous.size() >= MAX_CONNECT_RETRIES
        && previous.stream().allMatch(DeadlineRetry::cannotConnect)) {
      return null;
    }
    Duration wait = delay(tryCount);
    if (!fits(clock.instant().plus(wait))) {
      return null;
    }
    verbose.accept(
        "request failed ("
            + error.getClass().getSimpleName()
            + "), retry "
            + (tryCount + 1)
            + " in "
            + ms(wait));
    return wait;
  }

  /**
   * A certificate that does not match, a name that does not resolve: retrying gives the same answer
   * and only delays the message. A token failure surfaces here too (the credential is called inside
   * this retry loop), but the credential has retried its own requests already: a {@link
   * TokenFailure} is never retried. A refused challenge ({@link ChallengeRefused}) is refused again
   * on every try, and a host that sent an answer too large to read ({@link AnswerTooLarge}) is not
   * asked again; an {@link Error} is a bug or an exhausted JVM, not a fault of the vault.
   */
  private static boolean worthRetrying(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SSLException
          || t instanceof GeneralSecurityException
          || t instanceof UnknownHostException
          || t instanceof TokenFailure
          || t instanceof ChallengeRefused
          || t instanceof AnswerTooLarge
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

  static String describe(HttpResponse response) {
    var url = response.getRequest().getUrl();
    return response.getRequest().getHttpMethod() + " " + url.getHost() + url.getPath();
  }

  /**
   * The wait a response asks for, read as the SDK's {@code RetryPolicy} reads it: {@code
   * x-ms-retry-after-ms}, then {@code retry-after-ms}, then {@code Retry-After} (seconds or an HTTP
   * date); null when none is usable. A wait longer than a day is read as a day: a hostile value
   * must not overflow the arithmetic that follows.
   */
  static Duration retryAfter(HttpHeaders headers, Instant now) {
    Duration wait = asked(headers, now);
    return wait == null || wait.compareTo(VaultGate.MAX_ASKED) <= 0 ? wait : VaultGate.MAX_ASKED;
  }

  private static Duration asked(HttpHeaders headers, Instant now) {
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

  static String ms(Duration d) {
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
