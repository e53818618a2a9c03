package dev.kvload.cli;

import dev.kvload.core.Importer;
import dev.kvload.core.KeyVaultStores;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kvload import FILE}: a dotenv file's values into Key Vault, and into the manifest. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Move a dotenv file's values into Key Vault: one secret per variable (DATABASE_URL becomes"
          + " database-url), each read back and verified, then the manifest gets the variables"
          + " (names only; its comments and other entries are kept). No value is ever printed.",
      "A secret that holds the same value already is left alone; one with another value is"
          + " refused unless --overwrite. Nothing is sent when the file cannot be read, two"
          + " variables would be one secret, or the manifest maps a variable elsewhere.",
      "The vault is the one --vault (or $KVLOAD_VAULT) names, never the manifest's default: a"
          + " manifest can come with anyone's repository. Writing needs the role Key Vault Secrets"
          + " Officer on it (reading needs only Secrets User)."
    },
    footer = {
      "",
      "Exit status: 0 done; 2 the file cannot be read or names collide; 3 the manifest is"
          + " invalid; 4 authentication; 5 the vault refused or a value did not verify; 6 vault"
          + " unreachable; 7 refused without --overwrite, or the manifest could not be written."
    })
public final class ImportCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  @Parameters(paramLabel = "FILE", description = "The dotenv file, e.g. .env.")
  String file;

  @Option(
      names = "--name",
      paramLabel = "VAR=SECRET",
      description = "Import VAR into secret SECRET instead of its usual name; repeat for each.")
  Map<String, String> names = new LinkedHashMap<>();

  @Option(
      names = "--dry-run",
      description = "Print the plan (variable, secret, new/same/differs) and change nothing.")
  boolean dryRun;

  @Option(
      names = "--overwrite",
      description =
          "Write a new version where a secret holds another value (older versions are kept), and"
              + " point manifest entries that name other secrets at the imported ones.")
  boolean overwrite;

  @Option(
      names = "--remove",
      description = "Delete FILE once every value is verified in the vault.")
  boolean remove;

  public ImportCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var settings = parent.common.toSettings(context.env());
    Importer.run(
        context.session(settings),
        settings,
        new Importer.Request(Path.of(file), names, dryRun, overwrite, remove),
        new KeyVaultStores());
    return 0;
  }
}
