package dev.kvload.vault;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;

/**
 * One vault as every worker of one run sees it: open, or closed until a time because the vault
 * throttled (HTTP 429, or 503), and how many requests may be in flight.
 *
 * <p>Key Vault counts a vault's requests, not a worker's: once it refuses one, every request this
 * run sends before the wait ends is refused too and only adds to the load. So a refusal closes the
 * vault for the whole run. Requests already in flight are not called back; their answers come, and
 * a throttling one can only make the wait longer.
 *
 * <p>The wait is the vault's ({@code Retry-After} and its millisecond forms), stretched by this
 * run's {@link #place} in the fleet and never shortened; without one, kvload's own exponential
 * backoff from 1 s with full jitter, as Key Vault's throttling guidance asks. After a wait the
 * vault reopens to one request, and only once that is served to more: a fleet coming back at the
 * same moment does not draw a refusal for each request it had in flight. The number in flight is
 * halved on each throttling and grows by one with each success (AIMD), so a throttled run stops
 * adding load.
 *
 * <p>The place is drawn once per run and stretches every wait the vault gives it by the same share:
 * runs that drew early places come back first at every reopening and finish, instead of a throttled
 * fleet's progress being spread so evenly that none finishes by its deadline (bench/throttle.md
 * measures both).
 */
final class VaultGate {
  /** kvload's first own wait; each throttling in a row doubles it, up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  static final Duration MAX_BACKOFF = Duration.ofSeconds(16);

  /**
   * How far the place stretches a wait the vault asks for: a quarter of it, within these bounds.
   * Wide enough that a fleet's runs come back one after another (a few ms apart on a network would
   * do), yet a run placed last waits at most 2 s more than asked: every second of spread is a
   * second of the vault's window that the fleet leaves unused (bench/throttle.md).
   */
  static final Duration MIN_SPREAD = Duration.ofMillis(250);

  static final Duration MAX_SPREAD = Duration.ofSeconds(2);

  /** No wait is shorter: a vault asking for none still gets no request sent back at once. */
  static final Duration MIN_WAIT = Duration.ofMillis(100);

  /** A {@code Retry-After} beyond this is read as this: no run waits that long anyway. */
  static final Duration MAX_ASKED = Duration.ofDays(1);

  /** The statuses that close the vault to the whole run: throttling, and a vault unavailable. */
  static boolean closes(int status) {
    return status == 429 || status == 503;
  }

  /** One worker's leave to send one request, stamped with the gate's state when it was given. */
  record Permit(long epoch) {}

  /**
   * What a throttling answer did.
   *
   * @param reopens when the vault takes a request again
   * @param waits the wait this answer set (zero when an earlier one already reached further)
   * @param fresh whether this answer closed the vault, rather than came to a request sent before it
   *     closed
   * @param limit requests in flight allowed once the vault is open again
   */
  record Closed(Instant reopens, Duration waits, boolean fresh, int limit) {}

  private final int maxInFlight;
  private final Clock clock;
  private final double place;
  private final DoubleSupplier random;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // All below guarded by lock.
  private Instant reopens = Instant.MIN;
  private long epoch;
  private int limit;
  private int inFlight;
  private int level;
  private boolean probing;
  private final TreeSet<Integer> statuses = new TreeSet<>();
  private int refusals;
  private final List<Duration> asked = new ArrayList<>();
  private Duration longestOwn = Duration.ZERO;
  private int ownWaits;

  /**
   * @param maxInFlight requests in flight while the vault does not throttle
   * @param place this run's place in the fleet, in [0, 1): how much of the spread its waits get
   * @param random uniform in [0, 1), for the full jitter of kvload's own waits
   */
  VaultGate(int maxInFlight, Clock clock, double place, DoubleSupplier random) {
    this.maxInFlight = maxInFlight;
    this.limit = maxInFlight;
    this.clock = clock;
    this.place = place;
    this.random = random;
  }

  /**
   * Waits until this worker may send: the vault open and a place free among the requests in flight.
   *
   * @param latest the last moment a request is still worth starting
   * @return null when the vault will not open, or no place come free, before {@code latest}
   */
  Permit enter(Instant latest) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        Instant now = clock.instant();
        Permit permit = tryEnter(now);
        if (permit != null) {
          return permit;
        }
        if (!now.isBefore(latest) || reopens.isAfter(latest)) {
          return null;
        }
        Instant until = now.isBefore(reopens) ? reopens : latest;
        changed.awaitNanos(Math.max(1, Duration.between(now, until).toNanos()));
      }
    } finally {
      lock.unlock();
    }
  }

  /** A permit if a request may go now, else null. */
  Permit tryEnter(Instant now) {
    lock.lock();
    try {
      boolean open = !now.isBefore(reopens) && inFlight < (probing ? Math.min(1, limit) : limit);
      if (!open) {
        return null;
      }
      inFlight++;
      return new Permit(epoch);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The request came back without throttling.
   *
   * @param served whether the vault answered it (any answer but a throttling one), rather than the
   *     request failing on the way
   */
  void left(Permit permit, boolean served) {
    lock.lock();
    try {
      inFlight--;
      // Only a request sent since the vault last closed says it is serving again.
      if (served && permit.epoch() == epoch) {
        probing = false;
        level = 0;
        limit = Math.min(maxInFlight, limit + 1);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The vault throttled this request: closes the vault to the run until the wait ends.
   *
   * @param askedWait the wait the answer asked for ({@code Retry-After}), null when it named none
   */
  Closed throttled(Permit permit, int status, Duration askedWait, Instant now) {
    lock.lock();
    try {
      inFlight--;
      refusals++;
      statuses.add(status);
      if (askedWait != null) {
        asked.add(askedWait);
      }
      boolean fresh = permit.epoch() == epoch;
      Duration wait = Duration.ZERO;
      if (fresh) {
        epoch++;
        probing = true;
        limit = Math.max(1, limit / 2);
        if (askedWait != null) {
          wait = stretched(askedWait);
        } else {
          wait = ownWait(level);
          level++;
          ownWaits++;
          longestOwn = max(longestOwn, wait);
        }
      } else if (askedWait != null) {
        // An answer to a request sent before the vault closed: its wait counts from now.
        wait = stretched(askedWait);
      }
      Instant until = now.plus(wait);
      Duration set = until.isAfter(reopens) ? wait : Duration.ZERO;
      if (until.isAfter(reopens)) {
        reopens = until;
      }
      changed.signalAll();
      return new Closed(reopens, set, fresh, limit);
    } finally {
      lock.unlock();
    }
  }

  /** The vault's wait, never shortened: stretched by this run's place, and at least MIN_WAIT. */
  Duration stretched(Duration askedWait) {
    Duration spread = max(MIN_SPREAD, min(MAX_SPREAD, askedWait.dividedBy(4)));
    return max(MIN_WAIT, askedWait.plus(fraction(spread, place)));
  }

  /**
   * kvload's own wait after {@code level} throttlings in a row: full jitter over 1, 2, 4, 8, 16 s,
   * and at least MIN_WAIT.
   */
  Duration ownWait(int level) {
    Duration cap = FIRST_BACKOFF.multipliedBy(1L << Math.min(level, 8));
    return max(MIN_WAIT, fraction(min(cap, MAX_BACKOFF), random.getAsDouble()));
  }

  /** Whether the vault has throttled this run at all. */
  boolean throttledEver() {
    lock.lock();
    try {
      return refusals > 0;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the vault's last word to this run was HTTP 429 (not only 503s). */
  boolean throttling() {
    lock.lock();
    try {
      return statuses.contains(429);
    } finally {
      lock.unlock();
    }
  }

  /** Requests in flight allowed now. */
  int limit() {
    lock.lock();
    try {
      return probing ? Math.min(1, limit) : limit;
    } finally {
      lock.unlock();
    }
  }

  /**
   * What the vault did to this run, for a message: {@code HTTP 429 12 times; the vault asked to
   * wait 1 s to 9 s}, or how long kvload's own waits grew when it named no wait. Never a body.
   */
  String summary() {
    lock.lock();
    try {
      StringBuilder s = new StringBuilder("HTTP ");
      s.append(String.join(" and ", statuses.stream().map(String::valueOf).toList()));
      s.append(' ').append(refusals == 1 ? "once" : refusals + " times");
      if (!asked.isEmpty()) {
        Duration least = asked.stream().min(Duration::compareTo).orElseThrow();
        Duration most = asked.stream().max(Duration::compareTo).orElseThrow();
        s.append("; the vault asked to wait ")
            .append(least.equals(most) ? seconds(most) : seconds(least) + " to " + seconds(most));
      }
      if (ownWaits > 0) {
        s.append(asked.isEmpty() ? "; the vault named no wait, " : "; where it named none, ")
            .append("kvload waited up to ")
            .append(seconds(longestOwn))
            .append(" at a time");
      }
      return s.toString();
    } finally {
      lock.unlock();
    }
  }

  /** {@code 1 s}, {@code 2.5 s}, {@code 0.1 s}. */
  static String seconds(Duration d) {
    long tenths = Math.round(d.toMillis() / 100.0);
    return (tenths % 10 == 0 ? String.valueOf(tenths / 10) : tenths / 10 + "." + tenths % 10)
        + " s";
  }

  private static Duration fraction(Duration d, double share) {
    return Duration.ofNanos((long) (d.toNanos() * share));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
