package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.Printable;
import dev.kvload.importing.DotenvReader;
import dev.kvload.importing.GitHistory;
import dev.kvload.importing.SecretNames;
import dev.kvload.manifest.Binding;
import dev.kvload.manifest.Manifest;
import dev.kvload.manifest.ManifestEditor;
import dev.kvload.manifest.ManifestFile;
import dev.kvload.manifest.ManifestLocator;
import dev.kvload.manifest.ManifestParser;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.SecretStore;
import dev.kvload.vault.SecretStore.Current;
import dev.kvload.vault.SecretValue;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kvload import FILE}: a dotenv file's values into Key Vault, verified, and its variables
 * into the manifest, in that order, so that a failure at any step leaves what came before it usable
 * and the next import safe to run (a secret that already holds the value is left alone).
 *
 * <ol>
 *   <li>Everything that can be checked offline is checked before a request is sent: the file, the
 *       secret names, the manifest and its entries.
 *   <li>The plan: each secret is new, holds the same value, or holds another one (refused without
 *       {@code --overwrite}, which adds a version and deletes nothing). {@code --dry-run} stops
 *       here.
 *   <li>Writes, then every secret read back and compared; only then the manifest, then ({@code
 *       --remove}) the plaintext file.
 * </ol>
 *
 * <p>Values go from the file to the vault and back for comparison only: never to stdout, stderr or
 * a message.
 */
public final class Importer {
  private Importer() {}

  /**
   * @param names {@code --name VAR=secret}
   * @param remove delete the file once every value is verified in the vault
   */
  public record Request(
      Path file, Map<String, String> names, boolean dryRun, boolean overwrite, boolean remove) {}

  /** What the vault holds for one variable before the import. */
  enum State {
    NEW("new"),
    SAME("holds this value already: left as it is"),
    DIFFERS("holds another value"),
    DISABLED("its latest version is disabled");

    final String shown;

    State(String shown) {
      this.shown = shown;
    }
  }

  /** One variable's way into the vault. */
  private record Item(String variable, String secret, SecretValue value, State state) {}

  public static void run(Session session, Settings settings, Request request, StoreFactory stores) {
    Instant deadline = session.clock().instant().plus(settings.timeout());
    String shown = request.file().toString();
    DotenvReader.Dotenv dotenv = DotenvReader.read(request.file(), session.cwd());
    if (dotenv.entries().isEmpty()) {
      throw new Failure.Usage(shown + ": no variables in it; nothing to import");
    }
    dotenv.warnings().forEach(session.diagnostics()::warn);
    Map<String, String> names =
        SecretNames.assign(dotenv, request.names(), settings.allowedVars(), shown);

    Path manifestPath = ManifestLocator.target(settings.manifest(), session.env(), session.cwd());
    Path manifestFile = session.cwd().resolve(manifestPath);
    Optional<String> manifestText = ManifestFile.read(manifestFile, manifestPath.toString());
    VaultRef vault = vault(settings, manifestText, manifestPath);
    Loader.requireTrusted(vault, settings.allowedVaultHosts());
    ManifestPlan plan = manifestPlan(manifestPath, manifestText, vault, names, request.overwrite());
    String newText = plan.apply();
    check(newText, manifestPath, vault, names);

    Optional<GitHistory.Status> git =
        GitHistory.of(session.cwd().resolve(request.file()), session.env());
    warnIfExposed(session, shown, git);

    List<Item> items;
    try (SecretStore store = stores.open(settings, session, vault, deadline)) {
      items = new ArrayList<>();
      for (DotenvReader.Entry entry : dotenv.entries()) {
        String secret = names.get(entry.variable());
        items.add(
            new Item(entry.variable(), secret, entry.value(), state(store.read(secret), entry)));
      }
      printPlan(session.out(), shown, vault, items, request);
      printManifestPlan(session.out(), plan, request.dryRun());
      if (request.dryRun()) {
        session.out().println("dry run: nothing was written");
        session.out().flush();
        return;
      }
      List<Item> refused =
          items.stream()
              .filter(i -> i.state() == State.DIFFERS || i.state() == State.DISABLED)
              .toList();
      if (!refused.isEmpty() && !request.overwrite()) {
        throw new Failure.Output(
            String.join(
                    ", ",
                    refused.stream().map(i -> i.variable() + " (" + i.secret() + ")").toList())
                + (refused.size() == 1 ? ": its secret holds" : ": their secrets hold")
                + " another value in vault "
                + vault
                + "; nothing was written. --overwrite adds the file's value as a new version"
                + " (older versions are kept), --name VAR=OTHER-NAME imports into another secret",
            null);
      }
      write(session, store, items);
      verify(store, items, shown);
    }

    if (manifestText.isPresent()) {
      ManifestFile.replace(manifestFile, manifestPath.toString(), newText);
    } else {
      ManifestFile.create(manifestFile, manifestPath.toString(), newText);
    }
    Validator.validate(session, settings.withManifest(manifestPath.toString()));

    boolean removed = request.remove() && remove(session, request.file(), shown);
    printDone(session.out(), shown, vault, items, plan, removed, git);
  }

  /**
   * {@code --vault} or {@code KVLOAD_VAULT}, never the manifest's default vault: the manifest may
   * have come with a cloned repository, and where the values go is the user's word alone.
   */
  private static VaultRef vault(Settings settings, Optional<String> manifest, Path manifestPath) {
    if (settings.vault() != null) {
      return settings.vault();
    }
    VaultRef named = null;
    try {
      named = manifest.map(ManifestEditor::defaultVault).orElse(null);
    } catch (IllegalArgumentException notAManifest) {
      // Said once the vault is given: this message is about the vault.
    }
    throw new Failure.Usage(
        "import needs the vault to write to: --vault NAME|URL (or KVLOAD_VAULT)"
            + (named == null
                ? ""
                : "; "
                    + manifestPath
                    + " names vault "
                    + Printable.of(named.toString())
                    + ", but values go only to a vault named on the command line (a manifest"
                    + " can come from anyone's repository): add --vault "
                    + Printable.of(named.toString())
                    + " if it is yours"));
  }

  private static State state(Current current, DotenvReader.Entry entry) {
    return switch (current) {
      case Current.Absent a -> State.NEW;
      case Current.Disabled d -> State.DISABLED;
      case Current.Present p ->
          p.value().reveal().equals(entry.value().reveal()) ? State.SAME : State.DIFFERS;
    };
  }

  /**
   * What the manifest gets: an entry per variable, in the vault's own words (a bare name when the
   * vault is the manifest's default, else the vault too).
   *
   * @param text the manifest as it is, or null when there is none yet
   * @param added entries that are new to the manifest
   * @param replaced entries that map a variable to another secret now ({@code --overwrite})
   */
  private record ManifestPlan(
      Path path,
      String text,
      VaultRef vault,
      List<ManifestEditor.Entry> added,
      List<ManifestEditor.Entry> replaced,
      List<String> unchanged) {
    String apply() {
      if (text == null) {
        return ManifestEditor.starter(
            List.of(
                "kvload manifest: each variable and the Key Vault secret that holds its value"
                    + " (kvload run -- CMD).",
                "Written by kvload import; edit freely: comments and trailing commas are allowed."),
            Initializer.SCHEMA,
            vault,
            added);
      }
      List<ManifestEditor.Entry> all = new ArrayList<>(replaced);
      all.addAll(added);
      return ManifestEditor.put(text, all);
    }
  }

  /**
   * Compares the file's variables with the manifest's entries, before any request: a variable the
   * manifest maps to another secret is refused without {@code --overwrite}.
   */
  private static ManifestPlan manifestPlan(
      Path path,
      Optional<String> text,
      VaultRef vault,
      Map<String, String> names,
      boolean overwrite) {
    if (text.isEmpty()) {
      List<ManifestEditor.Entry> added = new ArrayList<>();
      names.forEach(
          (variable, secret) -> added.add(new ManifestEditor.Entry(variable, secret, null)));
      return new ManifestPlan(path, null, vault, added, List.of(), List.of());
    }
    VaultRef own = ownVault(text.get(), path, vault);
    // Entries without a vault of their own need one to be read: the import's stands in when the
    // manifest has none, as --vault would.
    Manifest manifest =
        ManifestParser.parse(
            text.get().getBytes(StandardCharsets.UTF_8), path, own == null ? vault : null);
    Map<String, Binding> bindings = new LinkedHashMap<>();
    manifest.bindings().forEach(b -> bindings.put(b.variable(), b));
    List<ManifestEditor.Entry> added = new ArrayList<>();
    List<ManifestEditor.Entry> replaced = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    names.forEach(
        (variable, secret) -> {
          ManifestEditor.Entry entry =
              new ManifestEditor.Entry(variable, secret, vault.equals(own) ? null : vault);
          Binding b = bindings.get(variable);
          if (b == null) {
            added.add(entry);
          } else if (b.secret().equals(new SecretRef(vault, secret, null))) {
            unchanged.add(variable);
          } else if (overwrite) {
            replaced.add(entry);
          } else {
            conflicts.add(
                path
                    + ":"
                    + b.line()
                    + ":"
                    + b.column()
                    + ": "
                    + variable
                    + " maps to secret "
                    + b.secret().describe()
                    + " in vault "
                    + b.secret().vault()
                    + " already, not to '"
                    + secret
                    + "' in vault "
                    + vault);
          }
        });
    if (!conflicts.isEmpty()) {
      throw new Failure.Output(
          String.join("; ", conflicts)
              + ". Nothing was sent: pass --overwrite to point the entries at the imported"
              + " secrets, or --name VAR=SECRET to import into the secrets they name",
          null);
    }
    return new ManifestPlan(path, text.get(), vault, added, replaced, unchanged);
  }

  /**
   * The manifest's own default vault, or null. A manifest that cannot be edited is refused before
   * any request, in the parser's words where it can say what is wrong (line and column).
   */
  private static VaultRef ownVault(String text, Path path, VaultRef vault) {
    try {
      return ManifestEditor.defaultVault(text);
    } catch (IllegalArgumentException notEditable) {
      ManifestParser.parse(text.getBytes(StandardCharsets.UTF_8), path, vault);
      throw new Failure.Manifest(
          path
              + ": kvload cannot add entries to this manifest (it needs a \"secrets\" object):"
              + " fix it, or import into another one with -m FILE");
    }
  }

  /**
   * The edited manifest must read back as a valid one that maps each imported variable to its
   * secret: checked before any request, so that an edit that went wrong (a bug, or a manifest
   * written to mislead a text edit) stops the import before anything is written.
   */
  private static void check(String text, Path path, VaultRef vault, Map<String, String> names) {
    List<String> lines = new ArrayList<>();
    try {
      Manifest manifest =
          ManifestParser.parse(
              text.getBytes(StandardCharsets.UTF_8),
              path,
              ownVault(text, path, vault) == null ? vault : null);
      Map<String, SecretRef> mapped = new LinkedHashMap<>();
      manifest.bindings().forEach(b -> mapped.put(b.variable(), b.secret()));
      names.forEach(
          (variable, secret) -> {
            if (!new SecretRef(vault, secret, null).equals(mapped.get(variable))) {
              lines.add(variable + " would not map to secret '" + secret + "' in vault " + vault);
            }
          });
    } catch (Failure.Manifest invalid) {
      lines.addAll(invalid.lines());
    }
    if (!lines.isEmpty()) {
      lines.addFirst(
          "the manifest kvload made from "
              + path
              + " does not read back as it should (a bug in kvload; please report it): it was not"
              + " written and nothing was sent");
      throw new Failure.Manifest(lines.toArray(String[]::new));
    }
  }

  private static void warnIfExposed(
      Session session, String shown, Optional<GitHistory.Status> git) {
    if (git.isEmpty()) {
      return;
    }
    GitHistory.Status status = git.get();
    if (!status.known()) {
      session
          .diagnostics()
          .error(
              "WARNING: git would not say whether "
                  + shown
                  + " was ever committed; if it was, every value in it is in every clone and"
                  + " must be ROTATED");
      return;
    }
    if (!status.exposed()) {
      return;
    }
    session
        .diagnostics()
        .error(
            "WARNING: "
                + shown
                + (status.tracked()
                    ? " is tracked by git"
                    : " is in this repository's history (git log --all -- " + shown + ")")
                + ": every clone holds its values.");
    session
        .diagnostics()
        .error(
            "WARNING: moving them to Key Vault does not take them back: ROTATE every one (new"
                + " passwords, new keys), then import the new values with --overwrite.");
  }

  private static void printPlan(
      PrintStream out, String shown, VaultRef vault, List<Item> items, Request request) {
    out.println(
        (request.dryRun() ? "plan (dry run) for " : "import ")
            + shown
            + " into vault "
            + vault
            + ":");
    List<List<String>> rows = new ArrayList<>();
    for (Item item : items) {
      String what = item.state().shown;
      if (item.state() == State.DIFFERS || item.state() == State.DISABLED) {
        what +=
            request.overwrite()
                ? ": a new version with the file's value"
                : ": refused without --overwrite";
      }
      rows.add(List.of(item.variable(), "->", item.secret(), what));
    }
    Columns.of(rows, "  ", "  ").forEach(out::println);
  }

  private static void printManifestPlan(PrintStream out, ManifestPlan plan, boolean dryRun) {
    String verb = dryRun ? "would " : "will ";
    if (plan.text() == null) {
      out.println(
          plan.path()
              + ": "
              + verb
              + "be created, mapping "
              + Loader.plural(plan.added().size(), "variable"));
      return;
    }
    List<String> changes = new ArrayList<>();
    if (!plan.added().isEmpty()) {
      changes.add("add " + variables(plan.added()));
    }
    if (!plan.replaced().isEmpty()) {
      changes.add("point " + variables(plan.replaced()) + " at the imported secrets");
    }
    out.println(
        plan.path()
            + ": "
            + (changes.isEmpty()
                ? "maps every variable already"
                : verb + String.join(", ", changes)));
  }

  private static String variables(List<ManifestEditor.Entry> entries) {
    return String.join(", ", entries.stream().map(ManifestEditor.Entry::variable).toList());
  }

  private static void write(Session session, SecretStore store, List<Item> items) {
    List<String> written = new ArrayList<>();
    try {
      for (Item item : items) {
        if (item.state() != State.SAME) {
          String version = store.write(item.secret(), item.value());
          written.add(item.secret());
          session
              .diagnostics()
              .verbose("wrote secret '" + item.secret() + "' version " + Printable.of(version));
        }
      }
    } catch (Failure failure) {
      if (!written.isEmpty()) {
        session
            .diagnostics()
            .error(
                "written before the failure: "
                    + String.join(", ", written)
                    + " (importing again is safe: a secret that holds the value is left alone)");
      }
      throw failure;
    }
  }

  /** Every secret read back and compared with the file, the unchanged ones too. */
  private static void verify(SecretStore store, List<Item> items, String shown) {
    List<String> failed = new ArrayList<>();
    for (Item item : items) {
      String problem =
          switch (store.read(item.secret())) {
            case Current.Present p when p.value().reveal().equals(item.value().reveal()) -> null;
            case Current.Present p -> "reads back with another value";
            case Current.Absent a -> "is not there";
            case Current.Disabled d -> "is disabled";
          };
      if (problem != null) {
        failed.add(item.variable() + ": secret '" + item.secret() + "' " + problem);
      }
    }
    if (!failed.isEmpty()) {
      List<String> lines = new ArrayList<>();
      lines.add("verification failed after writing:");
      lines.addAll(failed);
      lines.add(
          "the manifest was not changed and "
              + shown
              + " was left in place; check the vault (is something else writing these secrets?)"
              + " and import again");
      throw new Failure.Secret(lines);
    }
  }

  /**
   * Deletes the plaintext file (only a regular file: a link is left alone) and says what deleting
   * does not do.
   *
   * @return whether it was deleted
   */
  private static boolean remove(Session session, Path file, String shown) {
    Path resolved = session.cwd().resolve(file);
    try {
      if (!Files.isRegularFile(resolved, LinkOption.NOFOLLOW_LINKS)) {
        session
            .diagnostics()
            .error(
                shown
                    + " is not a regular file (a symbolic link?): not deleted, remove it yourself");
        return false;
      }
      Files.delete(resolved);
    } catch (IOException e) {
      session
          .diagnostics()
          .error(
              "could not delete "
                  + shown
                  + " ("
                  + e.getClass().getSimpleName()
                  + "): remove it yourself");
      return false;
    }
    return true;
  }

  private static void printDone(
      PrintStream out,
      String shown,
      VaultRef vault,
      List<Item> items,
      ManifestPlan plan,
      boolean removed,
      Optional<GitHistory.Status> git) {
    long same = items.stream().filter(i -> i.state() == State.SAME).count();
    out.println(
        "imported "
            + Loader.plural(items.size(), "variable")
            + " into vault "
            + vault
            + ": "
            + (items.size() - same)
            + " written, "
            + same
            + " unchanged; every value read back and verified");
    out.println(
        plan.path()
            + (plan.text() == null
                ? ": created"
                : plan.added().isEmpty() && plan.replaced().isEmpty() ? ": unchanged" : ": updated")
            + " (names only: it holds no value)");
    if (removed) {
      out.println(
          "deleted "
              + shown
              + ". Deleting is not erasing: on copy-on-write and journaled file systems (btrfs, ZFS,"
              + " APFS, ext4's journal) and on SSDs its bytes may stay on the disk; a value is safe"
              + " only once it is rotated.");
    }
    List<List<String>> next = new ArrayList<>();
    next.add(List.of("kvload run -- YOUR-COMMAND", "it gets the variables from Key Vault"));
    next.add(List.of("git add " + plan.path(), "the manifest holds names only: commit it"));
    if (!removed) {
      next.add(List.of("rm " + shown, "once run works (or import again with --remove)"));
    }
    git.filter(s -> s.known() && !s.ignored())
        .ifPresent(
            s -> {
              Path folder = Path.of(shown).getParent();
              next.add(
                  List.of(
                      "echo '/"
                          + Path.of(shown).getFileName()
                          + "' >> "
                          + (folder == null ? "" : folder + "/")
                          + ".gitignore",
                      "so that git never takes it again"));
              if (s.tracked()) {
                next.add(List.of("git rm --cached " + shown, "and stop tracking it"));
              }
            });
    out.println("next:");
    Columns.of(next, "  ", "    ").forEach(out::println);
    out.flush();
  }
}
