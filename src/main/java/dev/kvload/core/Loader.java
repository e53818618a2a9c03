package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.env.CodeLoadingVariables;
import dev.kvload.manifest.Binding;
import dev.kvload.manifest.FileEntry;
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
import java.util.Collection;
import java.util.EnumSet;
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
   * The manifest, once it is valid, sets no variable that changes how programs load code and names
   * no vault outside Key Vault's domains, unless the command line allows each by name.
   *
   * @throws Failure.Manifest naming each problem
   */
  public Manifest manifest() {
    Manifest manifest =
        ManifestLocator.load(settings.manifest(), session.env(), session.cwd(), settings.vault());
    refuseCodeLoadingVariables(manifest, settings.allowedVars());
    requireTrustedVaults(manifest, settings.allowedVaultHosts());
    return manifest;
  }

  /**
   * A vault outside Key Vault's domains (an emulator, Azure Stack, or any host a cloned
   * repository's manifest names) is refused before any request unless the command line or the
   * environment allows its host: it would be sent requests, and given tokens, and believed.
   *
   * @throws Failure.Manifest naming each such vault where the manifest first uses it
   */
  static void requireTrustedVaults(Manifest manifest, Set<String> allowedHosts) {
    Map<VaultRef, Binding> untrusted = new LinkedHashMap<>();
    for (Binding b : manifest.allBindings()) {
      if (!b.secret().vault().trusted(allowedHosts)) {
        untrusted.putIfAbsent(b.secret().vault(), b);
      }
    }
    if (untrusted.isEmpty()) {
      return;
    }
    List<String> lines = new ArrayList<>();
    untrusted.forEach(
        (vault, b) ->
            lines.add(
                where(manifest, b)
                    + ": vault "
                    + vault.baseUrl()
                    + " is outside Key Vault's domains (vault.azure.net and the sovereign clouds')"));
    lines.add(allowHosts(untrusted.keySet()));
    throw new Failure.Manifest(lines.toArray(String[]::new));
  }

  /**
   * A vault that a command writes to or lists ({@code import}, {@code init}) is trusted as a
   * manifest's vaults are: outside Key Vault's domains only when the command line or the
   * environment allows its host.
   *
   * @throws Failure.Usage before any request
   */
  static void requireTrusted(VaultRef vault, Set<String> allowedHosts) {
    if (!vault.trusted(allowedHosts)) {
      throw new Failure.Usage(
          "vault "
              + vault.baseUrl()
              + " is outside Key Vault's domains (vault.azure.net and the sovereign clouds')",
          allowHosts(List.of(vault)));
    }
  }

  /** The next step for vaults outside Key Vault's domains. */
  private static String allowHosts(Collection<VaultRef> vaults) {
    String hosts =
        String.join(",", vaults.stream().map(v -> v.url().getHost()).distinct().toList());
    return "next step: if you trust it (an emulator, Azure Stack), pass --allow-vault-host "
        + hosts.replace(",", " --allow-vault-host ")
        + " or set KVLOAD_ALLOW_VAULT_HOSTS="
        + hosts
        + "; a manifest cannot allow a host itself";
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
            where(manifest, b)
                + ": changes how programs load code, so a manifest may not set it; if you trust"
                + " this manifest and its vault, pass --allow-var "
                + variable);
      }
    }
    for (FileEntry f : manifest.files()) {
      // A path is as good as a value here: LD_PRELOAD pointing at a file the vault fills loads it.
      if (f.env() != null && CodeLoadingVariables.contains(f.env()) && !allowed.contains(f.env())) {
        problems.add(
            manifest.file()
                + ":"
                + f.line()
                + ":"
                + f.column()
                + ": "
                + f.label()
                + ": \"env\": "
                + f.env()
                + " changes how programs load code, so a manifest may not set it; if you trust"
                + " this manifest and its vault, pass --allow-var "
                + f.env());
      }
    }
    if (!problems.isEmpty()) {
      throw new Failure.Manifest(problems.toArray(String[]::new));
    }
  }

  /** {@code FILE:LINE:COLUMN: VARIABLE}, where a manifest problem is. */
  private static String where(Manifest manifest, Binding b) {
    return manifest.file() + ":" + b.line() + ":" + b.column() + ": " + b.variable();
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
    List<Binding> bindings = manifest.allBindings();
    List<SecretRef> refs = bindings.stream().map(Binding::secret).toList();
    Map<SecretRef, Outcome> outcomes;
    try (SecretSource source = session.sources().open(settings, session)) {
      beforeRequests.run();
      outcomes = source.fetch(refs, deadline);
    }
    return bindings.stream().map(b -> new Result(b, outcomes.get(b.secret()))).toList();
  }

  /**
   * What {@link #loadAll} gives: the variables' values, the fetched secrets of the files, and the
   * files to make (an optional one whose secret failed is left out).
   */
  public record Loaded(
      Manifest manifest,
      Map<String, SecretValue> variables,
      Map<Binding, Outcome.Found> sources,
      List<FileEntry> files) {
    /**
     * Every fetched value, for the runner's masks: the variables', then each file secret's under
     * its file's label.
     */
    public Map<String, String> maskable() {
      Map<String, String> all = new LinkedHashMap<>();
      variables.forEach((name, value) -> all.put(name, value.reveal()));
      sources.forEach(
          (b, found) ->
              all.put(b.variable() + " (" + b.secret().name() + ")", found.value().reveal()));
      return all;
    }
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
    return loadAll(beforeRequests).variables();
  }

  /** As {@link #load(Runnable)}, with the manifest's files. */
  public Loaded loadAll(Runnable beforeRequests) {
    return loadAll(manifest(), beforeRequests);
  }

  /** As {@link #loadAll(Runnable)}, for a manifest already read and checked. */
  Loaded loadAll(Manifest manifest, Runnable beforeRequests) {
    List<Result> results = fetch(manifest, beforeRequests);
    Instant now = session.clock().instant();
    Map<String, SecretValue> values = new LinkedHashMap<>();
    Map<Binding, Outcome.Found> sources = new LinkedHashMap<>();
    Map<Binding, FileEntry> fileBySource = new LinkedHashMap<>();
    manifest.files().forEach(f -> f.sources().forEach(b -> fileBySource.put(b, f)));
    java.util.Set<FileEntry> skipped = new java.util.HashSet<>();
    List<Result> failing = new ArrayList<>();
    for (Result r : results) {
      Binding b = r.binding();
      FileEntry file = b.file() ? fileBySource.get(b) : null;
      boolean optional = file != null ? file.optional() : b.optional();
      Status status = status(r, now, Duration.ZERO);
      if (status.usable(settings.allowExpired())) {
        if (file != null) {
          sources.put(b, (Outcome.Found) r.outcome());
        } else {
          values.put(b.variable(), ((Outcome.Found) r.outcome()).value());
        }
        if (status == Status.EXPIRED || status == Status.NOT_YET_VALID) {
          // Allowed, not fine: whoever reads the output should know which values are stale.
          session
              .diagnostics()
              .warn(describe(b, r.outcome(), status) + "; used anyway (--allow-expired)");
        }
      } else if (optional) {
        if (file != null) {
          skipped.add(file);
        }
        session
            .diagnostics()
            .warn(
                describe(b, r.outcome(), status)
                    + "; optional, so "
                    + b.variable()
                    + (file != null ? " is not written" : " is left unset"));
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
    List<FileEntry> files = manifest.files().stream().filter(f -> !skipped.contains(f)).toList();
    return new Loaded(manifest, values, sources, files);
  }

  /**
   * {@link Status#of}, where a file's secret may hold any byte: NUL cannot be in a variable, but it
   * can be in a file.
   */
  static Status status(Result r, Instant now, Duration expiryWarning) {
    Status status = Status.of(r.outcome(), now, expiryWarning);
    if (status == Status.INVALID && r.binding().file()) {
      Outcome.Found f = (Outcome.Found) r.outcome();
      return Status.of(
          new Outcome.Found(new SecretValue(""), f.version(), f.notBefore(), f.expires()),
          now,
          expiryWarning);
    }
    return status;
  }

  /**
   * Why required secrets cannot be used, or null when {@code failing} is empty: a {@link
   * Failure.Secret} naming each secret at fault when there is one, else a {@link Failure.Vault}
   * naming each unreachable vault and its variables.
   */
  static Failure failure(List<Result> failing, Instant now, Duration timeout) {
    List<String> secretProblems = new ArrayList<>();
    Map<String, List<String>> unreachable = new LinkedHashMap<>();
    Set<Outcome.Why> why = EnumSet.noneOf(Outcome.Why.class);
    for (Result r : failing) {
      Binding b = r.binding();
      Status status = status(r, now, Duration.ZERO);
      if (status == Status.UNREACHABLE) {
        Outcome.Unreachable u = (Outcome.Unreachable) r.outcome();
        why.add(u.kind());
        unreachable
            .computeIfAbsent(
                "vault " + b.secret().vault() + ": " + u.reason(), k -> new ArrayList<>())
            .add(b.variable());
      } else {
        secretProblems.add(
            describe(b, r.outcome(), status) + ": " + nextStep(b, r.outcome(), status));
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
      why.forEach(w -> lines.add(advice(w, timeout)));
      return new Failure.Vault(lines, null);
    }
    return null;
  }

  /** What to do about a vault that gave no usable answer, for each reason it can have. */
  static String advice(Outcome.Why why, Duration timeout) {
    String longer =
        "allow more time with --timeout (this run's: " + Durations.format(timeout) + ")";
    return switch (why) {
      case THROTTLED ->
          "the vault is throttling: Key Vault serves each vault a limited number of reads (4,000"
              + " secret GETs per 10 s), shared by every machine and job that reads it, and kvload"
              + " waited between tries as Key Vault asks; "
              + longer
              + ", or stagger the starts of machines that load secrets at the same moment";
      case SERVER_ERROR -> "the vault answered with server errors: try again later, or " + longer;
      case NOT_KEY_VAULT ->
          "check the vault URL in the manifest: the host that answered is not Azure Key Vault";
      case NETWORK -> "check the network and the vault URL, then try again";
      case TIMEOUT -> "the vault did not answer in time: check the network, or " + longer;
    };
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

  /** What to grant, or change, for the defence the vault's answer names. */
  static String forbidden(VaultRef vault, Outcome.Refusal refusal) {
    String role = "grant your identity the 'Key Vault Secrets User' role on vault " + vault;
    String policy =
        "give your identity an access policy with Get on secrets (az keyvault set-policy --name "
            + vault.name()
            + " --secret-permissions get --object-id <its object ID>)";
    return switch (refusal) {
      case RBAC -> "the vault uses Azure RBAC: " + role;
      case ACCESS_POLICY -> "the vault uses access policies, where roles do nothing: " + policy;
      case FIREWALL ->
          "the vault's firewall refuses this machine's address: add it to the vault's networking"
              + " rules, or run from an allowed network";
      case PRIVATE_LINK ->
          "the vault accepts only its private endpoints: run from a network that reaches one";
      case UNKNOWN ->
          role + " (a vault using Azure RBAC), or " + policy + " (one using access policies)";
    };
  }

  private static String nextStep(Binding b, Outcome outcome, Status status) {
    VaultRef vault = b.secret().vault();
    return switch (status) {
      case MISSING ->
          "create it in the vault (or, if it was deleted recently, recover it: az keyvault secret"
              + " recover --vault-name "
              + vault.name()
              + " --name "
              + b.secret().name()
              + "), fix the name in the manifest, or mark "
              + b.variable()
              + " \"optional\": true";
      case FORBIDDEN -> forbidden(vault, ((Outcome.Forbidden) outcome).refusal());
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
