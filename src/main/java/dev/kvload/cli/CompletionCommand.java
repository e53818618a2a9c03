package dev.kvload.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kvload completion bash|zsh}: a completion script for every command and option. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a completion script for bash or zsh.",
      "bash: source <(kvload completion bash) in ~/.bashrc",
      "zsh:  source <(kvload completion zsh) in ~/.zshrc (it loads zsh's bashcompinit)"
    })
public final class CompletionCommand implements Callable<Integer> {
  private final Context context;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  ShellHookCommand.Shell shell;

  public CompletionCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    // picocli's script serves both: under zsh it enables bashcompinit and registers itself.
    String script = AutoComplete.bash("kvload", spec.root().commandLine());
    context.out().print(script);
    context.out().flush();
    return 0;
  }
}
