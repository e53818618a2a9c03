package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.files.Certificates;
import dev.kvload.manifest.Binding;
import dev.kvload.manifest.Manifest;
import dev.kvload.manifest.SecretRef;
import dev.kvload.output.CheckReport;
import dev.kvload.output.CheckReport.Level;
import dev.kvload.output.CheckReport.Row;
import dev.kvload.output.RunnerFile;
import dev.kvload.output.WorkflowCommands;
import dev.kvload.vault.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kvload check}: fetches every mapped secret, keeps the values in memory only, and reports
 * one row per variable. Fails like {@code run} would: exit 5 when a required secret is at fault, 6
 * when the only problems are vaults that could not be reached; optional secrets never fail it.
 */
public final class Checker {
  private Checker() {}

  /**
   * @param expiryWarning secrets expiring within this window are reported as {@code expiring}
   */
  public record Request(boolean json, Duration expiryWarning) {}

  /**
   * @return the rows, once printed
   * @throws Failure.Secret when a required secret cannot be used
   * @throws Failure.Vault when required secrets sit in vaults that could not be reached
   */
  public static List<Row> check(Session session, Settings settings, Request request) {
    GithubActions actions = GithubActions.of(session.env());
    Loader loader = new Loader(session, settings);
    Manifest manifest;
    List<Loader.Result> results;
    try {
      manifest = loader.manifest();
      results = loader.fetch(manifest);
    } catch (Failure failure) {
      if (actions.active()) {
        session
            .diagnostics()
            .machine(
                WorkflowCommands.annotation(
                    "error", null, 0, 0, "kvload check", String.join("\n", failure.lines())));
      }
      throw failure;
    }
    if (!request.json()) {
      // A check prints no value, but the job's later steps may: the runner hides what it knows.
      // Not before --json, which a program reads: masks there would make it invalid JSON.
      Masks.print(session, foundValues(results));
    }
    Instant now = session.clock().instant();
    List<Row> rows = new ArrayList<>();
    List<Loader.Result> failing = new ArrayList<>();
    for (Loader.Result r : results) {
      Row row = row(r, now, request.expiryWarning(), settings.allowExpired());
      rows.add(row);
      if (row.level() == Level.ERROR) {
        failing.add(r);
      }
    }
    session.out().print(request.json() ? CheckReport.json(rows) : CheckReport.table(rows));
    session.out().flush();
    if (session.out().checkError()) {
      throw new Failure.Output("cannot write to stdout", null);
    }
    if (actions.active()) {
      String file = actions.annotationPath(session.cwd().resolve(manifest.file()));
      session.diagnostics().machine(CheckReport.annotations(rows, file));
      if (actions.stepSummary() != null) {
        try {
          RunnerFile.append(
              actions.stepSummary(),
              "$GITHUB_STEP_SUMMARY",
              CheckReport.markdown(rows).getBytes(StandardCharsets.UTF_8));
        } catch (Failure.Output e) {
          // The check itself is the answer the job needs; a missing summary must not change it.
          session.diagnostics().warn(e.lines().getFirst());
        }
      }
    }
    session
        .diagnostics()
        .info(
            "checked "
                + Loader.plural(rows.size(), "variable")
                + " in "
                + loader.elapsed().toMillis()
                + " ms: "
                + CheckReport.counts(rows));
    Failure failure = Loader.failure(failing, now, settings.timeout());
    if (failure != null) {
      throw failure;
    }
    return rows;
  }

  private static Map<String, String> foundValues(List<Loader.Result> results) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Loader.Result r : results) {
      // A value with a NUL byte reaches no variable, and a NUL has no place in a log line.
      if (r.outcome() instanceof Outcome.Found f && !f.value().hasNul()) {
        values.put(r.binding().variable(), f.value().reveal());
      }
    }
    return values;
  }

  /** What one binding's fetch amounts to; the value is looked at for a NUL byte, never kept. */
  static Row row(Loader.Result result, Instant now, Duration window, boolean allowExpired) {
    Binding b = result.binding();
    SecretRef secret = b.secret();
    Outcome outcome = certificateExpiry(result);
    Status status = Loader.status(new Loader.Result(b, outcome), now, window);
    Outcome.Found found = outcome instanceof Outcome.Found f ? f : null;
    Level level =
        switch (status) {
          case OK -> Level.OK;
          case EXPIRING -> Level.WARNING;
          default -> b.optional() || status.usable(allowExpired) ? Level.WARNING : Level.ERROR;
        };
    return new Row(
        b.variable(),
        secret.name(),
        secret.vault(),
        found != null ? found.version() : secret.version(),
        status.label(),
        found == null ? null : found.expires(),
        found == null ? null : found.notBefore(),
        b.optional(),
        level,
        detail(status, outcome, secret, now, allowExpired),
        b.line(),
        b.column());
  }

  /**
   * A file's certificate counts as expiring when its own {@code notAfter} does, where that comes
   * before the secret's {@code exp}: a TLS certificate must warn like a secret.
   */
  private static Outcome certificateExpiry(Loader.Result result) {
    if (result.binding().file()
        && result.outcome() instanceof Outcome.Found f
        && Certificates.isCertificate(f.contentType())) {
      Instant notAfter = Certificates.notAfter(f.value().reveal(), f.contentType()).orElse(null);
      if (notAfter != null && (f.expires() == null || notAfter.isBefore(f.expires()))) {
        return new Outcome.Found(f.value(), f.version(), f.notBefore(), notAfter, f.contentType());
      }
    }
    return result.outcome();
  }

  private static String detail(
      Status status, Outcome outcome, SecretRef secret, Instant now, boolean allowExpired) {
    String allowed = allowExpired ? "; accepted with --allow-expired" : "";
    return switch (status) {
      case OK -> null;
      case EXPIRING ->
          "expires in " + human(Duration.between(now, ((Outcome.Found) outcome).expires()));
      case EXPIRED ->
          "expired "
              + human(Duration.between(((Outcome.Found) outcome).expires(), now))
              + " ago"
              + allowed;
      case NOT_YET_VALID ->
          "not valid before "
              + ((Outcome.Found) outcome).notBefore().truncatedTo(ChronoUnit.SECONDS)
              + allowed;
      case DISABLED -> "disabled in the vault";
      case FORBIDDEN -> "access denied (" + ((Outcome.Forbidden) outcome).detail() + ")";
      case MISSING -> secret.latest() ? "not found" : "version " + secret.version() + " not found";
      case UNREACHABLE -> ((Outcome.Unreachable) outcome).reason();
      case INVALID -> "the value holds a NUL byte, which no environment variable can";
    };
  }

  /** {@code 3 days}, {@code 5 hours}, {@code 1 minute}: rounded down, as a person says it. */
  static String human(Duration d) {
    if (d.toDays() >= 2) {
      return d.toDays() + " days";
    }
    if (d.toHours() >= 1) {
      return Loader.plural(d.toHours(), "hour");
    }
    if (d.toMinutes() >= 1) {
      return Loader.plural(d.toMinutes(), "minute");
    }
    return "less than a minute";
  }
}
