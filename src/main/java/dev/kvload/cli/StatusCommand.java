package dev.kvload.cli;

import dev.kvload.core.StatusReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kvload status}: who is signed in, which credential default would use, which vaults. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Say who is signed in with 'kvload login' (user, tenant, when the refresh token was last"
          + " used), which credential --auth default would use here and why, and which vaults the"
          + " manifest names.",
      "Asks for no token and shows no secret; exit 0 whether or not anyone is signed in."
    })
public final class StatusCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  public StatusCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var settings = parent.common.toSettings(context.env());
    StatusReport.status(context.session(settings), settings, json);
    return 0;
  }
}
