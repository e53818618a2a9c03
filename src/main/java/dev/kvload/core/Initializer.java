package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.importing.DotenvReader;
import dev.kvload.importing.SecretNames;
import dev.kvload.manifest.ManifestEditor;
import dev.kvload.manifest.ManifestFile;
import dev.kvload.manifest.ManifestLocator;
import dev.kvload.manifest.ManifestParser;
import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.SecretStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code kvload init}: a starter manifest, with {@code $schema}, the vault, and the variables of a
 * dotenv file (its values ignored) or the enabled secrets of the vault. It never replaces a
 * manifest without {@code --force}, never writes through a link, and checks what it wrote as {@code
 * kvload validate} does.
 */
public final class Initializer {
  /**
   * Where editors find the manifest's schema: the file in kvload's repository, whose releases
   * {@code install.sh} installs from.
   */
  public static final String SCHEMA =
      "https://raw.githubusercontent.com/kvload/kvload/main/kvload.schema.json";

  private Initializer() {}

  /** Where the starter manifest's variables come from. */
  public sealed interface From {
    /** No variables yet: an empty {@code "secrets"}. */
    record Nothing() implements From {}

    /** The variables of a dotenv file; its values are never sent anywhere. */
    record EnvFile(Path file) implements From {}

    /** The vault's enabled secrets, names mapped back ({@code database-url} → DATABASE_URL). */
    record Vault() implements From {}
  }

  /**
   * @param schema the {@code "$schema"} to write
   * @param force replace a manifest that is already there
   */
  public record Request(From from, boolean force, String schema) {}

  public static void run(Session session, Settings settings, Request request, StoreFactory stores) {
    VaultRef vault = settings.vault();
    if (vault == null) {
      throw new Failure.Usage(
          "init needs the manifest's vault: --vault NAME|URL (or KVLOAD_VAULT)");
    }
    Loader.requireTrusted(vault, settings.allowedVaultHosts());
    Path target = ManifestLocator.target(settings.manifest(), session.env(), session.cwd());
    Path file = session.cwd().resolve(target);
    boolean exists = existing(file, target, request.force());

    List<ManifestEditor.Entry> entries = new ArrayList<>();
    String source;
    switch (request.from()) {
      case From.Nothing n -> source = "no variables yet";
      case From.EnvFile f -> {
        String shown = f.file().toString();
        DotenvReader.Dotenv dotenv = DotenvReader.read(f.file(), session.cwd());
        Map<String, String> names =
            SecretNames.assign(dotenv, Map.of(), settings.allowedVars(), shown);
        names.forEach(
            (variable, secret) -> entries.add(new ManifestEditor.Entry(variable, secret, null)));
        source = "the variables of " + shown + " (values ignored)";
      }
      case From.Vault v -> {
        List<String> listed;
        try (SecretStore store =
            stores.open(
                settings, session, vault, session.clock().instant().plus(settings.timeout()))) {
          listed = store.enabledNames();
        }
        List<String> skipped = new ArrayList<>();
        SecretNames.fromSecrets(listed, settings.allowedVars(), skipped)
            .forEach(
                (variable, secret) ->
                    entries.add(new ManifestEditor.Entry(variable, secret, null)));
        skipped.forEach(session.diagnostics()::warn);
        source = "the vault's enabled secrets";
      }
    }

    String text =
        ManifestEditor.starter(
            List.of(
                "kvload manifest: each variable and the Key Vault secret that holds its value"
                    + " (kvload run -- CMD).",
                "Written by kvload init; edit freely: comments and trailing commas are allowed."),
            request.schema(),
            vault,
            entries);
    // What kvload writes must read back; a failure here is kvload's bug, and nothing is written.
    ManifestParser.parse(text.getBytes(StandardCharsets.UTF_8), target, null);
    if (exists) {
      ManifestFile.replace(file, target.toString(), text);
    } else {
      ManifestFile.create(file, target.toString(), text);
    }
    Validator.validate(session, settings.withManifest(target.toString()));
    printDone(session.out(), target, vault, entries, source);
  }

  /**
   * Whether a manifest is there to replace: refused without {@code --force}, and always when a link
   * or a special file stands there.
   */
  private static boolean existing(Path file, Path shown, boolean force) {
    if (!ManifestFile.exists(file, shown.toString())) {
      return false;
    }
    if (!force) {
      throw new Failure.Output(
          shown
              + ": a manifest is there already; init leaves it as it is. --force replaces it,"
              + " 'kvload import FILE --vault VAULT' adds a dotenv file's variables to it",
          null);
    }
    return true;
  }

  private static void printDone(
      PrintStream out,
      Path target,
      VaultRef vault,
      List<ManifestEditor.Entry> entries,
      String source) {
    out.println(
        "wrote "
            + target
            + ": vault "
            + vault
            + ", "
            + Loader.plural(entries.size(), "variable")
            + " from "
            + source);
    Columns.of(
            entries.stream().map(e -> List.of(e.variable(), "->", e.secret())).toList(), "  ", "  ")
        .forEach(out::println);
    out.println("next:");
    Columns.of(
            List.of(
                List.of("kvload check", "is every secret there, enabled, in date?"),
                List.of("kvload run -- YOUR-COMMAND", "it gets the variables from Key Vault"),
                List.of(
                    "kvload import .env --vault " + vault,
                    "moves a dotenv file's values into the vault")),
            "  ",
            "    ")
        .forEach(out::println);
    out.flush();
  }
}
