package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvload.manifest.Binding;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import dev.kvload.output.CheckReport.Level;
import dev.kvload.output.CheckReport.Row;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretValue;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckerTest {
  static final Instant NOW = Instant.parse("2026-01-10T00:00:00Z");
  static final Duration WINDOW = Duration.ofDays(14);
  static final VaultRef VAULT = VaultRef.parse("contoso-dev");

  static Outcome found(Instant nbf, Instant exp) {
    return new Outcome.Found(new SecretValue("value-never-shown"), "v1", nbf, exp);
  }

  /** Case: outcome, optional, --allow-expired -> status, level, detail. */
  static Stream<Arguments> rows() {
    Instant in3days = NOW.plus(Duration.ofDays(3));
    Instant in30days = NOW.plus(Duration.ofDays(30));
    Instant ago2days = NOW.minus(Duration.ofDays(2));
    return Stream.of(
        Arguments.of("ok", found(null, null), false, false, "ok", Level.OK, null),
        Arguments.of(
            "ok, expiry outside the window",
            found(null, in30days),
            false,
            false,
            "ok",
            Level.OK,
            null),
        Arguments.of(
            "expiring",
            found(null, in3days),
            false,
            false,
            "expiring",
            Level.WARNING,
            "expires in 3 days"),
        Arguments.of(
            "expiring within hours",
            found(null, NOW.plus(Duration.ofHours(5))),
            false,
            false,
            "expiring",
            Level.WARNING,
            "expires in 5 hours"),
        Arguments.of(
            "expired",
            found(null, ago2days),
            false,
            false,
            "expired",
            Level.ERROR,
            "expired 2 days ago"),
        Arguments.of(
            "expired, --allow-expired",
            found(null, ago2days),
            false,
            true,
            "expired",
            Level.WARNING,
            "expired 2 days ago; accepted with --allow-expired"),
        Arguments.of(
            "expired, optional",
            found(null, ago2days),
            true,
            false,
            "expired",
            Level.WARNING,
            "expired 2 days ago"),
        Arguments.of(
            "not yet valid",
            found(in3days, null),
            false,
            false,
            "not-yet-valid",
            Level.ERROR,
            "not valid before 2026-01-13T00:00:00Z"),
        Arguments.of(
            "disabled",
            new Outcome.Disabled(),
            false,
            false,
            "disabled",
            Level.ERROR,
            "disabled in the vault"),
        Arguments.of(
            "disabled, --allow-expired changes nothing",
            new Outcome.Disabled(),
            false,
            true,
            "disabled",
            Level.ERROR,
            "disabled in the vault"),
        Arguments.of(
            "forbidden",
            new Outcome.Forbidden("HTTP 403"),
            false,
            false,
            "forbidden",
            Level.ERROR,
            "access denied (HTTP 403)"),
        Arguments.of(
            "missing", new Outcome.NotFound(), false, false, "missing", Level.ERROR, "not found"),
        Arguments.of(
            "missing, optional",
            new Outcome.NotFound(),
            true,
            false,
            "missing",
            Level.WARNING,
            "not found"),
        Arguments.of(
            "unreachable",
            new Outcome.Unreachable("connection refused"),
            false,
            false,
            "unreachable",
            Level.ERROR,
            "connection refused"),
        Arguments.of(
            "NUL byte",
            new Outcome.Found(new SecretValue("a\0b"), "v1", null, null),
            false,
            false,
            "invalid",
            Level.ERROR,
            "the value holds a NUL byte, which no environment variable can"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void row(
      String name,
      Outcome outcome,
      boolean optional,
      boolean allowExpired,
      String status,
      Level level,
      String detail) {
    Binding binding =
        new Binding("DATABASE_URL", new SecretRef(VAULT, "db-url", null), optional, 3, 5);
    Row row = Checker.row(new Loader.Result(binding, outcome), NOW, WINDOW, allowExpired);
    assertEquals(status, row.status());
    assertEquals(level, row.level());
    assertEquals(detail, row.detail());
    assertEquals(optional, row.optional());
    assertEquals(3, row.line());
  }

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("seconds", Duration.ofSeconds(59), "less than a minute"),
        Arguments.of("one minute", Duration.ofSeconds(61), "1 minute"),
        Arguments.of("one hour", Duration.ofMinutes(60), "1 hour"),
        Arguments.of("a day and a half", Duration.ofHours(36), "36 hours"),
        Arguments.of("two days", Duration.ofHours(48), "2 days"),
        Arguments.of("rounded down", Duration.ofHours(24 * 13 + 23), "13 days"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("durations")
  void human(String name, Duration d, String expected) {
    assertEquals(expected, Checker.human(d));
  }

  @org.junit.jupiter.api.Test
  void aPinnedVersionThatIsMissingSaysWhich() {
    Binding binding = new Binding("X", new SecretRef(VAULT, "db-url", "abc123"), false, 1, 1);
    Row row = Checker.row(new Loader.Result(binding, new Outcome.NotFound()), NOW, WINDOW, false);
    assertEquals("version abc123 not found", row.detail());
    assertEquals("abc123", row.version());
  }
}
