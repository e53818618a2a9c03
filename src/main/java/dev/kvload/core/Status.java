package dev.kvload.core;

import dev.kvload.vault.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** What a fetched secret amounts to for a run or a check. */
public enum Status {
  OK,
  /** Usable, but {@code exp} falls inside the warning window. */
  EXPIRING,
  EXPIRED,
  NOT_YET_VALID,
  DISABLED,
  FORBIDDEN,
  MISSING,
  UNREACHABLE,
  /** Fetched, but no environment variable can hold the value (a NUL byte). */
  INVALID;

  /**
   * @param expiryWarning how close to {@code exp} a secret counts as expiring
   */
  public static Status of(Outcome outcome, Instant now, Duration expiryWarning) {
    return switch (outcome) {
      case Outcome.Found f when f.value().hasNul() -> INVALID;
      case Outcome.Found f when f.expires() != null && !now.isBefore(f.expires()) -> EXPIRED;
      case Outcome.Found f when f.notBefore() != null && now.isBefore(f.notBefore()) ->
          NOT_YET_VALID;
      case Outcome.Found f
          when f.expires() != null && now.plus(expiryWarning).isAfter(f.expires()) ->
          EXPIRING;
      case Outcome.Found f -> OK;
      case Outcome.NotFound n -> MISSING;
      case Outcome.Forbidden x -> FORBIDDEN;
      case Outcome.Disabled d -> DISABLED;
      case Outcome.Unreachable u -> UNREACHABLE;
    };
  }

  /** True when {@code run} and {@code export} may use the value. */
  public boolean usable(boolean allowExpired) {
    return switch (this) {
      case OK, EXPIRING -> true;
      case EXPIRED, NOT_YET_VALID -> allowExpired;
      default -> false;
    };
  }

  /** As {@code check} prints it: {@code not-yet-valid}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
