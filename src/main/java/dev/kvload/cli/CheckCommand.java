package dev.kvload.cli;

import dev.kvload.Failure;
import dev.kvload.core.Checker;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kvload check}: report every mapped secret's state, never its value. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch every mapped secret and report one row per variable: ok, expiring, expired,"
          + " not-yet-valid, disabled, forbidden, missing, unreachable or invalid (a NUL byte).",
      "Values stay in memory and are never printed.",
      "Exit 5 when a required secret cannot be used, 6 when the only problems are unreachable"
          + " vaults, 0 otherwise (expiring secrets and optional ones only warn).",
      "Inside GitHub Actions the table is also appended to $GITHUB_STEP_SUMMARY, with an"
          + " ::error:: or ::warning:: annotation per problem (on stderr)."
    })
public final class CheckCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  @Option(names = "--json", description = "Print a JSON array instead of a table.")
  boolean json;

  @Option(
      names = "--expiry-warning",
      paramLabel = "DAYS",
      description = "Report secrets that expire within DAYS days as expiring (default: 14).")
  int expiryWarningDays = 14;

  public CheckCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var settings = parent.common.toSettings(context.env());
    if (expiryWarningDays < 0) {
      throw new Failure.Usage("--expiry-warning: give a number of days, 0 or more");
    }
    Checker.check(
        context.session(settings),
        settings,
        new Checker.Request(json, Duration.ofDays(expiryWarningDays)));
    return 0;
  }
}
