package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretValue;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a fetched secret amounts to at the edges users meet: the second a secret expires or becomes
 * valid, and the edge of {@code check}'s warning window. {@code run} and {@code export} refuse
 * EXPIRED and NOT_YET_VALID (exit 5) unless {@code --allow-expired}.
 */
class StatusTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Duration WINDOW = Duration.ofDays(14);
  private static final Duration SECOND = Duration.ofSeconds(1);

  private static Outcome found(String value, Instant notBefore, Instant expires) {
    return new Outcome.Found(new SecretValue(value), "v1", notBefore, expires);
  }

  private static Outcome valid(Instant notBefore, Instant expires) {
    return found("value", notBefore, expires);
  }

  static Stream<Arguments> outcomes() {
    return Stream.of(
        Arguments.of("no dates", valid(null, null), Status.OK),
        Arguments.of("expires this second", valid(null, NOW), Status.EXPIRED),
        Arguments.of("expired a second ago", valid(null, NOW.minus(SECOND)), Status.EXPIRED),
        Arguments.of("expires in a second", valid(null, NOW.plus(SECOND)), Status.EXPIRING),
        Arguments.of(
            "expires exactly at the window's end", valid(null, NOW.plus(WINDOW)), Status.OK),
        Arguments.of(
            "expires a second inside the window",
            valid(null, NOW.plus(WINDOW).minus(SECOND)),
            Status.EXPIRING),
        Arguments.of(
            "expires a second after the window",
            valid(null, NOW.plus(WINDOW).plus(SECOND)),
            Status.OK),
        Arguments.of("valid from this second", valid(NOW, null), Status.OK),
        Arguments.of("valid since a second ago", valid(NOW.minus(SECOND), null), Status.OK),
        Arguments.of("valid in a second", valid(NOW.plus(SECOND), null), Status.NOT_YET_VALID),
        Arguments.of(
            "both past exp and before nbf: expired first",
            valid(NOW.plus(SECOND), NOW),
            Status.EXPIRED),
        Arguments.of(
            "before nbf and expiring: not yet valid first",
            valid(NOW.plus(SECOND), NOW.plus(Duration.ofDays(1))),
            Status.NOT_YET_VALID),
        Arguments.of("NUL inside", found("a\0b", null, null), Status.INVALID),
        Arguments.of("NUL first", found("\0ab", null, null), Status.INVALID),
        Arguments.of("NUL last", found("ab\0", null, null), Status.INVALID),
        Arguments.of("only NUL", found("\0", null, null), Status.INVALID),
        Arguments.of("empty value", found("", null, null), Status.OK),
        Arguments.of("NUL beats expiry", found("\0", null, NOW), Status.INVALID),
        Arguments.of("not found", new Outcome.NotFound(), Status.MISSING),
        Arguments.of("forbidden", Outcome.Forbidden.of("ForbiddenByRbac"), Status.FORBIDDEN),
        Arguments.of("disabled", new Outcome.Disabled(), Status.DISABLED),
        Arguments.of("unreachable", new Outcome.Unreachable("HTTP 503"), Status.UNREACHABLE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outcomes")
  void statusAtTheEdges(String name, Outcome outcome, Status expected) {
    assertEquals(expected, Status.of(outcome, NOW, WINDOW));
  }

  static Stream<Arguments> usable() {
    return Stream.of(
        Arguments.of(Status.OK, true, true),
        Arguments.of(Status.EXPIRING, true, true),
        Arguments.of(Status.EXPIRED, false, true),
        Arguments.of(Status.NOT_YET_VALID, false, true),
        Arguments.of(Status.DISABLED, false, false),
        Arguments.of(Status.FORBIDDEN, false, false),
        Arguments.of(Status.MISSING, false, false),
        Arguments.of(Status.UNREACHABLE, false, false),
        Arguments.of(Status.INVALID, false, false));
  }

  /** Only dates give way to --allow-expired; a NUL byte or a refusal never does. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("usable")
  void usableWithAndWithoutAllowExpired(Status status, boolean plain, boolean allowExpired) {
    assertEquals(plain, status.usable(false), "without --allow-expired");
    assertEquals(allowExpired, status.usable(true), "with --allow-expired");
  }
}
