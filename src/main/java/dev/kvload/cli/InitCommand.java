package dev.kvload.cli;

import dev.kvload.Failure;
import dev.kvload.core.Initializer;
import dev.kvload.core.KeyVaultStores;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kvload init}: a starter manifest. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Write a starter manifest: .devcontainer/kvload.json when .devcontainer/ exists, else"
          + " ./kvload.json (or -m FILE), with $schema, the vault (--vault), and the variables of"
          + " a dotenv file (--from-env, values ignored) or the vault's enabled secrets"
          + " (--from-vault: database-url becomes DATABASE_URL). Then checks it as validate does.",
      "An existing manifest is left as it is unless --force."
    })
public final class InitCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  @Option(
      names = "--from-env",
      paramLabel = "FILE",
      description =
          "Map the variables of this dotenv file; its values are not read into the vault.")
  String fromEnv;

  @Option(
      names = "--from-vault",
      description = "Map every enabled secret of the vault (a listing: no value is read).")
  boolean fromVault;

  @Option(names = "--force", description = "Replace a manifest that is there already.")
  boolean force;

  @Option(
      names = "--schema",
      paramLabel = "URL|PATH",
      description = "The manifest's \"$schema\" (default: " + Initializer.SCHEMA + ").")
  String schema = Initializer.SCHEMA;

  public InitCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (fromEnv != null && fromVault) {
      throw new Failure.Usage("give --from-env FILE or --from-vault, not both");
    }
    var settings = parent.common.toSettings(context.env());
    Initializer.From from =
        fromEnv != null
            ? new Initializer.From.EnvFile(Path.of(fromEnv))
            : fromVault ? new Initializer.From.Vault() : new Initializer.From.Nothing();
    Initializer.run(
        context.session(settings),
        settings,
        new Initializer.Request(from, force, schema),
        new KeyVaultStores());
    return 0;
  }
}
