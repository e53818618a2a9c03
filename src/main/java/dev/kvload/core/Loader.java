package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.env.CodeLoadingVariables;
import dev.kvload.manifest.Binding;
import dev.kvload.manifest.Manifest;
import dev.kvload.manifest.ManifestLocator;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretSource;
import dev.kvload.vault.SecretValue;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pipeline every command shares: manifest, then the secret source, then the secrets of every
 * mapped variable. Nothing is fetched that the manifest does not map.
 */
public final class Loader {
  private final Session session;
  private final Settings settings;
  private final Instant started;
  private final Instant deadline;

  public Loader(Session session, Settings settings) {
    this.session = session;
    this.settings = settings;
    this.started = session.clock().instant();
    this.deadline = started.plus(settings.timeout());
  }

  /**
   * The manifest, once it is valid and sets no variable that changes how programs load code unless
   * the command line allows it by name.
   *
   * @throws Failure.Manifest naming each problem
   */
  public Manifest manifest() {
    Manifest manifest =
        ManifestLocator.load(settings.manifest(), session.env(), session.cwd(), settings.vault());
    refuseCodeLoadingVariables(manifest, settings.allowedVars());
    return manifest;
  }

  /**
   * A manifest comes with a repository, so it may not choose the code later programs load: each
   * such variable must be named on the command line. The manifest has no key to allow one.
   */
  static void refuseCodeLoadingVariables(Manifest manifest, Set<String> allowed) {
    List<String> problems = new ArrayList<>();
    for (Binding b : manifest.bindings()) {
      String variable = b.variable();
      if (CodeLoadingVariables.contains(variable) && !allowed.contains(variable)) {
        problems.add(
            manifest.file()
                + ":"
                + b.line()
                + ":"
                + b.column()
                + ": "
                + variable
                + ": changes how programs load code, so a manifest may not set it; if you trust"
                + " this manifest and its vault, pass --allow-var "
                + variable);
      }
    }
    if (!problems.isEmpty()) {
      throw new Failure.Manifest(problems.toArray(String[]::new));
    }
  }

  /** One binding and what its secret fetch gave. */
  public record Result(Binding binding, Outcome outcome) {}

  /**
   * Fetches every mapped secret once, whatever fails.
   *
   * @throws Failure.Auth when no token can be had
   */
  public List<Result> fetch(Manifest manifest) {
    return fetch(manifest, () -> {});
  }

  /**
   * As {@link #fetch(Manifest)}, running {@code beforeRequests} once the source is open and before
   * any request is sent; what it throws ends the fetch.
   */
  public List<Result> fetch(Manifest manifest, Runnable beforeRequests) {
    List<SecretRef> refs = manifest.bindings().stream().map(Binding::secret).toList();
    Map<SecretRef, Outcome> outcomes;
    try (SecretSource source = session.sources().open(settings, session)) {
      beforeRequests.run();
      outcomes = source.fetch(refs, deadline);
    }
    return manifest.bindings().stream().map(b -> new Result(b, outcomes.get(b.secret()))).toList();
  }

  /**
   * The values of every variable, in manifest order; optional secrets that failed are left out with
   * a warning.
   *
   * @throws Failure.Secret when a required secret is missing, forbidden, disabled, outside its
   *     validity window or holds a NUL byte
   * @throws Failure.Vault when the only failures are vaults that could not be reached in time
   */
  public Map<String, SecretValue> load() {
    return load(() -> {});
  }

  /** As {@link #load()}, running {@code beforeRequests} as {@link #fetch(Manifest, Runnable)}. */
  public Map<String, SecretValue> load(Runnable beforeRequests) {
    Manifest manifest = manifest();
    List<Result> results = fetch(manifest, beforeRequests);
    Instant now = session.clock().instant();
    Map<String, SecretValue> values = new LinkedHashMap<>();
    List<Result> failing = new ArrayList<>();
    for (Result r : results) {
      Binding b = r.binding();
      Status status = Status.of(r.outcome(), now, Duration.ZERO);
      if (status.usable(settings.allowExpired())) {
        values.put(b.variable(), ((Outcome.Found) r.outcome()).value());
        if (status == Status.EXPIRED || status == Status.NOT_YET_VALID) {
          // Allowed, not fine: whoever reads the output should know which values are stale.
          session
              .diagnostics()
              .warn(describe(b, r.outcome(), status) + "; used anyway (--allow-expired)");
        }
      } else if (b.optional()) {
        session
            .diagnostics()
            .warn(
                describe(b, r.outcome(), status)
                    + "; optional, so "
                    + b.variable()
                    + " is left unset");
      } else {
        failing.add(r);
      }
    }
    Failure failure = failure(failing, now, settings.timeout());
    if (failure != null) {
      throw failure;
    }
    long vaults =
        results.stream()
            .filter(r -> values.containsKey(r.binding().variable()))
            .map(r -> r.binding().secret().vault())
            .distinct()
            .count();
    session
        .diagnostics()
        .info(
            "loaded "
                + plural(values.size(), "secret")
                + " from "
                + plural(vaults, "vault")
                + " in "
                + elapsed().toMillis()
                + " ms");
    return values;
  }

  /**
   * Why required secrets cannot be used, or null when {@code failing} is empty: a {@link
   * Failure.Secret} naming each secret at fault when there is one, else a {@link Failure.Vault}
   * naming each unreachable vault and its variables.
   */
  static Failure failure(List<Result> failing, Instant now, Duration timeout) {
    List<String> secretProblems = new ArrayList<>();
    Map<String, List<String>> unreachable = new LinkedHashMap<>();
    for (Result r : failing) {
      Binding b = r.binding();
      Status status = Status.of(r.outcome(), now, Duration.ZERO);
      if (status == Status.UNREACHABLE) {
        unreachable
            .computeIfAbsent(
                "vault " + b.secret().vault() + ": " + ((Outcome.Unreachable) r.outcome()).reason(),
                k -> new ArrayList<>())
            .add(b.variable());
      } else {
        secretProblems.add(describe(b, r.outcome(), status) + ": " + nextStep(b, status));
      }
    }
    List<String> vaultProblems = new ArrayList<>();
    unreachable.forEach(
        (what, variables) -> vaultProblems.add(what + " (" + String.join(", ", variables) + ")"));
    if (!secretProblems.isEmpty()) {
      List<String> lines = new ArrayList<>(secretProblems);
      lines.addAll(vaultProblems);
      return new Failure.Secret(lines);
    }
    if (!vaultProblems.isEmpty()) {
      List<String> lines = new ArrayList<>(vaultProblems);
      lines.add(
          "check the network and the vault URL, then try again; a slow vault may need a longer"
              + " --timeout (this run's: "
              + Durations.format(timeout)
              + ")");
      return new Failure.Vault(lines, null);
    }
    return null;
  }

  public Duration elapsed() {
    return Duration.between(started, session.clock().instant());
  }

  /** What is wrong with one binding, naming variable, secret and vault. */
  static String describe(Binding b, Outcome outcome, Status status) {
    SecretRef s = b.secret();
    String secret = "secret " + s.describe() + " in vault " + s.vault();
    return b.variable()
        + ": "
        + switch (status) {
          case MISSING -> secret + " not found";
          case FORBIDDEN ->
              "reading " + secret + " was denied (" + ((Outcome.Forbidden) outcome).detail() + ")";
          case DISABLED -> secret + " is disabled";
          case EXPIRED -> secret + " expired on " + day(((Outcome.Found) outcome).expires());
          case NOT_YET_VALID ->
              secret + " is not valid before " + day(((Outcome.Found) outcome).notBefore());
          case INVALID -> "the value of " + secret + " contains a NUL byte";
          case UNREACHABLE -> secret + ": " + ((Outcome.Unreachable) outcome).reason();
          case OK, EXPIRING -> secret + " is fine";
        };
  }

  private static String nextStep(Binding b, Status status) {
    VaultRef vault = b.secret().vault();
    return switch (status) {
      case MISSING ->
          "create it in the vault, fix the name in the manifest, or mark "
              + b.variable()
              + " \"optional\": true";
      case FORBIDDEN -> "grant your identity the 'Key Vault Secrets User' role on vault " + vault;
      case DISABLED -> "enable it in the vault, or map " + b.variable() + " to another secret";
      case EXPIRED, NOT_YET_VALID ->
          "rotate it or fix its dates in the vault, or pass --allow-expired";
      case INVALID -> "no environment variable can hold a NUL byte; store the value encoded";
      default -> "try again";
    };
  }

  private static String day(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
