package dev.kvload.cli;

import dev.kvload.output.ShellHook;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kvload shell-hook bash|zsh}: the rc-file line that loads {@code export -o}'s file. */
@Command(
    name = "shell-hook",
    mixinStandardHelpOptions = true,
    description = {
      "Print the line for ~/.bashrc or ~/.zshrc that sources the default env file (what"
          + " 'kvload export -o' writes) in new terminals.",
      "Add it once:",
      "  grep -qs 'kvload shell-hook' ~/.bashrc || kvload shell-hook bash >> ~/.bashrc"
    })
public final class ShellHookCommand implements Callable<Integer> {
  private final Context context;

  /** The shells the hook is written for. */
  enum Shell {
    bash,
    zsh
  }

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  public ShellHookCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    context.out().print(ShellHook.line());
    context.out().flush();
    return 0;
  }
}
