package dev.kvload.cli;

import dev.kvload.core.Injector;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kvload inject -i TEMPLATE [-o OUT]}: render one template with its secrets. */
@Command(
    name = "inject",
    mixinStandardHelpOptions = true,
    description = {
      "Render TEMPLATE, replacing {{kv:VARIABLE}} (a variable of the manifest) and"
          + " {{kv:https://VAULT.vault.azure.net/secrets/NAME[/VERSION]}} with the secrets' values;"
          + " {{!kv: gives a literal {{kv:.",
      "OUT is written as export writes FILE: atomically, mode 0600, and only on tmpfs unless"
          + " --allow-persistent."
    })
public final class InjectCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "TEMPLATE",
      required = true,
      description = "The template file.")
  Path input;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      description = "File to write instead of stdout; '-' for stdout.")
  Path output;

  @Option(
      names = "--allow-persistent",
      description = "Write OUT even when it is not on tmpfs or ramfs.")
  boolean allowPersistent;

  public InjectCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var settings = parent.common.toSettings(context.env());
    Injector.inject(
        context.session(settings), settings, new Injector.Request(input, output, allowPersistent));
    return 0;
  }
}
