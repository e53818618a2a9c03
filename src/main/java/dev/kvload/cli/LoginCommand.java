package dev.kvload.cli;

import dev.kvload.core.SignIn;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code kvload login}: sign in once with the device code flow and keep the login. */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Sign in as yourself with the device code flow: kvload prints an address and a code, you"
          + " enter the code in any browser and sign in, and kvload keeps the login. From then on"
          + " --auth login (and --auth default, after the machine credentials) use it silently;"
          + " only this command ever prompts.",
      "--tenant-id: the tenant to sign in to (default: organizations, any work or school account)."
          + " --client-id: the public client to sign in as (default: the Azure CLI's,"
          + " 04b07795-8ddb-461a-bbee-02f9e1bf7b46, which every tenant knows; sign-in logs and"
          + " Conditional Access then see 'Microsoft Azure CLI'). AZURE_AUTHORITY_HOST names"
          + " another cloud's sign-in host.",
      "The login (MSAL's token cache: a refresh token and the account) is kept in"
          + " $XDG_STATE_HOME/kvload/login.json, else ~/.local/state/kvload/login.json, mode 0600"
          + " in a 0700 folder, never in the workspace. It is NOT encrypted: on Linux without a"
          + " keyring nothing could encrypt it that you could not read too, as with the Azure"
          + " CLI's own token cache. 'kvload logout' removes it."
    })
public final class LoginCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  public LoginCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var settings = parent.common.toSettings(context.env());
    SignIn.login(context.session(settings), settings);
    return 0;
  }
}
