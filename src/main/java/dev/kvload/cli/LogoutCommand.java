package dev.kvload.cli;

import dev.kvload.core.SignIn;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code kvload logout}: forget the stored login. */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = {
      "Remove the login 'kvload login' kept, and say where it was.",
      "The refresh token is forgotten on this machine, not revoked: to end every session, revoke"
          + " your sessions in Entra ID."
    })
public final class LogoutCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  public LogoutCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var settings = parent.common.toSettings(context.env());
    SignIn.logout(context.session(settings));
    return 0;
  }
}
