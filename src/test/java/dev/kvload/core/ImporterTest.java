package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import dev.kvload.auth.AuthMode;
import dev.kvload.auth.AuthSettings;
import dev.kvload.env.ConflictPolicy;
import dev.kvload.guard.Leaks;
import dev.kvload.guard.Output;
import dev.kvload.manifest.Binding;
import dev.kvload.manifest.Manifest;
import dev.kvload.manifest.ManifestParser;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.SecretStore;
import dev.kvload.vault.SecretStore.Current;
import dev.kvload.vault.SecretValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload import} in-process, against an in-memory vault: the plan (new, same, another value,
 * refused without {@code --overwrite}), what a dry run leaves alone, what is printed, the
 * manifest's edits, {@code --remove} only once every value is verified, and the failure kind (hence
 * the exit status) of each refusal. git is out of reach here ({@code PATH} is empty, so no process
 * starts): the rotation warnings are {@code ImportIT}'s.
 */
class ImporterTest {
  private static final String A_VALUE = "alpha-s3cr3t-never-printed";
  private static final String B_VALUE = "bravo-s3cr3t-never-printed";
  private static final String OTHER_VALUE = "other-s3cr3t-in-the-vault";
  private static final List<String> VALUES = List.of(A_VALUE, B_VALUE, OTHER_VALUE);
  private static final VaultRef VAULT = VaultRef.parse("contoso-dev");
  private static final Path DOTENV = Path.of(".env");

  @TempDir Path dir;
  private final MemoryStore store = new MemoryStore();
  private String stdout = "";
  private String stderr = "";

  @BeforeEach
  void dotenv() throws IOException {
    Files.writeString(dir.resolve(".env"), "A_KEY=" + A_VALUE + "\nB_KEY=" + B_VALUE + "\n");
  }

  /** Every test: no value on either stream, whatever happened. */
  @AfterEach
  void noValueShown() {
    Leaks.assertNone(VALUES, new Output("import", stdout, stderr, false));
  }

  /** An in-memory vault: what it holds, what was written, and faults to inject. */
  static final class MemoryStore implements SecretStore, StoreFactory {
    final Map<String, Current> held = new LinkedHashMap<>();
    final List<String> writes = new ArrayList<>();
    final List<String> reads = new ArrayList<>();
    int opened;
    boolean closed;
    String failWriting;
    Function<String, Current> afterWrites;

    MemoryStore holds(String name, String value) {
      held.put(name, new Current.Present(new SecretValue(value), "old"));
      return this;
    }

    @Override
    public SecretStore open(Settings settings, Session session, VaultRef vault, Instant deadline) {
      assertEquals(VAULT, vault);
      opened++;
      return this;
    }

    @Override
    public Current read(String name) {
      reads.add(name);
      if (afterWrites != null && !writes.isEmpty()) {
        return afterWrites.apply(name);
      }
      return held.getOrDefault(name, new Current.Absent());
    }

    @Override
    public String write(String name, SecretValue value) {
      if (name.equals(failWriting)) {
        throw new Failure.Vault(List.of("vault contoso-dev did not answer in time"), null);
      }
      writes.add(name);
      String version = "v" + writes.size();
      held.put(name, new Current.Present(value, version));
      return version;
    }

    @Override
    public List<String> enabledNames() {
      return List.copyOf(held.keySet());
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static Settings settings(VaultRef vault, boolean quiet, boolean verbose) {
    return new Settings(
        null,
        vault,
        new AuthSettings(AuthMode.DEFAULT, null, null),
        Duration.ofSeconds(30),
        ConflictPolicy.FAIL,
        false,
        quiet,
        verbose,
        Set.of(),
        Set.of());
  }

  private Failure importing(Settings settings, Importer.Request request) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Failure failure = null;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      Session session =
          new Session(
              Map.of(),
              dir,
              o,
              new Diagnostics(e, settings.quiet(), settings.verbose()),
              new InMemorySource(),
              Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC));
      try {
        Importer.run(session, settings, request, store);
      } catch (Failure f) {
        failure = f;
      }
    }
    stdout = out.toString(StandardCharsets.UTF_8);
    stderr = err.toString(StandardCharsets.UTF_8);
    if (failure != null) {
      Leaks.assertNone(VALUES, new Output("failure message", "", failure.getMessage(), false));
    }
    return failure;
  }

  private Failure importing(boolean dryRun, boolean overwrite, boolean remove) {
    return importing(
        settings(VAULT, false, false),
        new Importer.Request(DOTENV, Map.of(), dryRun, overwrite, remove));
  }

  /** stdout with the columns' padding folded to one space, so that lines read as text. */
  private String shown() {
    return stdout.replaceAll(" {2,}", " ");
  }

  private void assertShows(String line) {
    assertTrue(
        shown().lines().map(String::strip).anyMatch(line.strip()::equals),
        () -> "no line '" + line + "' in:\n" + stdout);
  }

  private Manifest manifest() throws IOException {
    Path file = dir.resolve("kvload.json");
    return ManifestParser.parse(Files.readAllBytes(file), file, null);
  }

  private Map<String, SecretRef> mapped() throws IOException {
    Map<String, SecretRef> mapped = new LinkedHashMap<>();
    for (Binding b : manifest().bindings()) {
      mapped.put(b.variable(), b.secret());
    }
    return mapped;
  }

  private static SecretRef ref(String name) {
    return new SecretRef(VAULT, name, null);
  }

  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of(
            "both new: written, a manifest created",
            Map.of(),
            false,
            false,
            null,
            List.of("a-key", "b-key"),
            List.of(
                "import .env into vault contoso-dev:",
                "A_KEY -> a-key new",
                "B_KEY -> b-key new",
                "kvload.json: will be created, mapping 2 variables",
                "imported 2 variables into vault contoso-dev: 2 written, 0 unchanged; every value"
                    + " read back and verified",
                "kvload.json: created (names only: it holds no value)")),
        Arguments.of(
            "one holds the value already: left alone, the other written",
            Map.of("a-key", A_VALUE),
            false,
            false,
            null,
            List.of("b-key"),
            List.of(
                "A_KEY -> a-key holds this value already: left as it is",
                "B_KEY -> b-key new",
                "imported 2 variables into vault contoso-dev: 1 written, 1 unchanged; every value"
                    + " read back and verified")),
        Arguments.of(
            "another value: refused without --overwrite, nothing written",
            Map.of("a-key", OTHER_VALUE),
            false,
            false,
            Failure.Output.class,
            List.of(),
            List.of("A_KEY -> a-key holds another value: refused without --overwrite")),
        Arguments.of(
            "another value with --overwrite: a new version",
            Map.of("a-key", OTHER_VALUE),
            false,
            true,
            null,
            List.of("a-key", "b-key"),
            List.of(
                "A_KEY -> a-key holds another value: a new version with the file's value",
                "imported 2 variables into vault contoso-dev: 2 written, 0 unchanged; every value"
                    + " read back and verified")),
        Arguments.of(
            "dry run: the plan, a refusal shown, nothing written",
            Map.of("a-key", OTHER_VALUE),
            true,
            false,
            null,
            List.of(),
            List.of(
                "plan (dry run) for .env into vault contoso-dev:",
                "A_KEY -> a-key holds another value: refused without --overwrite",
                "B_KEY -> b-key new",
                "kvload.json: would be created, mapping 2 variables",
                "dry run: nothing was written")),
        Arguments.of(
            "dry run with every value there already: nothing written",
            Map.of("a-key", A_VALUE, "b-key", B_VALUE),
            true,
            false,
            null,
            List.of(),
            List.of(
                "A_KEY -> a-key holds this value already: left as it is",
                "B_KEY -> b-key holds this value already: left as it is",
                "dry run: nothing was written")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void thePlanDecidesWhatIsWritten(
      String name,
      Map<String, String> vault,
      boolean dryRun,
      boolean overwrite,
      Class<? extends Failure> failure,
      List<String> written,
      List<String> lines)
      throws IOException {
    vault.forEach(store::holds);
    Failure thrown = importing(dryRun, overwrite, false);
    if (failure == null) {
      assertNull(thrown, () -> name + ": " + thrown);
    } else {
      assertInstanceOf(failure, thrown, name);
    }
    assertEquals(written, store.writes, name);
    lines.forEach(this::assertShows);
    boolean done = failure == null && !dryRun;
    assertEquals(done, Files.exists(dir.resolve("kvload.json")), "manifest written");
    assertTrue(Files.exists(dir.resolve(".env")), ".env left in place without --remove");
    assertTrue(store.closed, "the store is closed");
    if (done) {
      assertEquals(Map.of("A_KEY", ref("a-key"), "B_KEY", ref("b-key")), mapped());
      assertFalse(stdout.contains("dry run"), stdout);
    } else {
      assertFalse(stdout.contains("imported "), stdout);
    }
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            "one secret",
            Map.of("a-key", new Current.Present(new SecretValue(OTHER_VALUE), "old")),
            "A_KEY (a-key): its secret holds another value in vault contoso-dev; nothing was"
                + " written. --overwrite adds the file's value as a new version (older versions are"
                + " kept), --name VAR=OTHER-NAME imports into another secret"),
        Arguments.of(
            "two, one of them disabled",
            Map.of(
                "a-key",
                new Current.Present(new SecretValue(OTHER_VALUE), "old"),
                "b-key",
                new Current.Disabled()),
            "A_KEY (a-key), B_KEY (b-key): their secrets hold another value in vault contoso-dev;"
                + " nothing was written."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void anotherValueIsRefusedByNameWithoutOverwrite(
      String name, Map<String, Current> vault, String message) {
    store.held.putAll(vault);
    Failure thrown = importing(false, false, true);
    assertInstanceOf(Failure.Output.class, thrown, name);
    assertTrue(thrown.getMessage().startsWith(message), thrown::getMessage);
    assertEquals(List.of(), store.writes);
    assertTrue(Files.exists(dir.resolve(".env")), "--remove deletes nothing when refused");
    assertFalse(Files.exists(dir.resolve("kvload.json")));
  }

  @Test
  void aDisabledSecretIsShownAndOverwrittenWithOverwrite() {
    store.held.put("a-key", new Current.Disabled());
    assertNull(importing(false, true, false));
    assertShows(
        "A_KEY -> a-key its latest version is disabled: a new version with the file's value");
    assertEquals(List.of("a-key", "b-key"), store.writes);
  }

  @Test
  void theNextStepsSayWhatToDoWithTheFile() {
    assertNull(importing(false, false, false));
    String next = shown().substring(shown().indexOf("next:\n"));
    assertEquals(
        """
        next:
         kvload run -- YOUR-COMMAND it gets the variables from Key Vault
         git add kvload.json the manifest holds names only: commit it
         rm .env once run works (or import again with --remove)
        """,
        next);
    assertFalse(stdout.contains("deleted"), stdout);
  }

  @Test
  void removeDeletesTheFileOnceEveryValueIsVerified() {
    assertNull(importing(false, false, true));
    assertFalse(Files.exists(dir.resolve(".env")));
    assertTrue(
        stdout.contains(
            "deleted .env. Deleting is not erasing: on copy-on-write and journaled file systems"),
        stdout);
    assertFalse(stdout.contains("rm .env"), stdout);
  }

  @Test
  void removeNeverDeletesThroughALink() throws IOException {
    Path real = dir.resolve("real.env");
    Files.move(dir.resolve(".env"), real);
    Files.createSymbolicLink(dir.resolve(".env"), real);
    assertNull(importing(false, false, true));
    assertTrue(Files.exists(real));
    assertTrue(Files.isSymbolicLink(dir.resolve(".env")));
    assertTrue(
        stderr.contains(
            "kvload: .env is not a regular file (a symbolic link?): not deleted, remove it"
                + " yourself"),
        stderr);
    assertFalse(stdout.contains("deleted"), stdout);
    assertShows(" rm .env once run works (or import again with --remove)");
  }

  static Stream<Arguments> readBacks() {
    return Stream.of(
        Arguments.of(
            "another value",
            new Current.Present(new SecretValue(OTHER_VALUE), "x"),
            "reads back" + " with another value"),
        Arguments.of("gone", new Current.Absent(), "is not there"),
        Arguments.of("disabled", new Current.Disabled(), "is disabled"));
  }

  /** A value that does not read back stops everything after the writes: --remove included. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("readBacks")
  void aValueThatDoesNotVerifyLeavesTheFileAndTheManifest(
      String name, Current readBack, String problem) {
    store.holds("a-key", A_VALUE);
    store.afterWrites = secret -> secret.equals("b-key") ? readBack : store.held.get(secret);
    Failure thrown = importing(false, false, true);
    assertInstanceOf(Failure.Secret.class, thrown, name);
    assertEquals(
        List.of(
            "verification failed after writing:",
            "B_KEY: secret 'b-key' " + problem,
            "the manifest was not changed and .env was left in place; check the vault (is"
                + " something else writing these secrets?) and import again"),
        thrown.lines());
    assertTrue(Files.exists(dir.resolve(".env")));
    assertFalse(Files.exists(dir.resolve("kvload.json")));
    assertTrue(store.closed);
  }

  @Test
  void theUnchangedSecretsAreVerifiedToo() {
    store.holds("a-key", A_VALUE).holds("b-key", B_VALUE);
    store.afterWrites = secret -> new Current.Absent();
    // Nothing is written, so afterWrites never applies: every read answers what the vault holds.
    assertNull(importing(false, false, false));
    assertEquals(List.of("a-key", "b-key", "a-key", "b-key"), store.reads);
  }

  static Stream<Arguments> writeFailures() {
    return Stream.of(
        Arguments.of("the first write fails: nothing to report", "a-key", null),
        Arguments.of(
            "the second fails: the first is named",
            "b-key",
            "kvload: written before the failure: a-key (importing again is safe: a secret that"
                + " holds the value is left alone)\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writeFailures")
  void aFailedWriteSaysWhatWasWrittenBeforeIt(String name, String failing, String said) {
    store.failWriting = failing;
    Failure thrown = importing(false, false, true);
    assertInstanceOf(Failure.Vault.class, thrown, name);
    assertEquals(said == null ? "" : said, stderr);
    assertTrue(Files.exists(dir.resolve(".env")));
    assertFalse(Files.exists(dir.resolve("kvload.json")));
    assertTrue(store.closed);
  }

  @Test
  void verboseNamesEachVersionWrittenAndTheManifestIsValidated() {
    store.holds("a-key", A_VALUE);
    assertNull(importing(settings(VAULT, false, true), request(false)));
    assertEquals(
        "kvload: wrote secret 'b-key' version v1\n"
            + "kvload: kvload.json is valid: 2 variables from 1 vault\n",
        stderr);
  }

  @Test
  void withoutVerboseOnlyTheValidationIsSaid() {
    assertNull(importing(settings(VAULT, false, false), request(false)));
    assertEquals("kvload: kvload.json is valid: 2 variables from 1 vault\n", stderr);
  }

  private static Importer.Request request(boolean overwrite) {
    return new Importer.Request(DOTENV, Map.of(), false, overwrite, false);
  }

  @Test
  void aDotenvWarningIsPassedOn() throws IOException {
    Files.writeString(dir.resolve(".env"), "A_KEY=" + A_VALUE + "$HOME\n");
    assertNull(importing(false, false, false));
    assertTrue(
        stderr.contains(
            "kvload: warning: .env:1: A_KEY holds $NAME or ${...}: docker compose and"
                + " python-dotenv would expand it, kvload imports it as written"),
        stderr);
  }

  @Test
  void nameOverridesChooseTheSecret() throws IOException {
    assertNull(
        importing(
            settings(VAULT, false, false),
            new Importer.Request(DOTENV, Map.of("A_KEY", "shared-a"), false, false, false)));
    assertEquals(List.of("shared-a", "b-key"), store.writes);
    assertEquals(ref("shared-a"), mapped().get("A_KEY"));
  }

  static Stream<Arguments> manifests() {
    return Stream.of(
        Arguments.of(
            "other entries: the new ones added, the old kept",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\n  \"OTHER\": \"other\"\n}}\n",
            false,
            "kvload.json: will add A_KEY, B_KEY",
            "kvload.json: updated (names only: it holds no value)",
            Map.of("OTHER", ref("other"), "A_KEY", ref("a-key"), "B_KEY", ref("b-key"))),
        Arguments.of(
            "every variable mapped already: unchanged",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\n  \"A_KEY\": \"a-key\",\n  \"B_KEY\":"
                + " \"b-key\"\n}}\n",
            false,
            "kvload.json: maps every variable already",
            "kvload.json: unchanged (names only: it holds no value)",
            Map.of("A_KEY", ref("a-key"), "B_KEY", ref("b-key"))),
        Arguments.of(
            "an entry for another secret with --overwrite: pointed at the import",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\n  \"A_KEY\": \"elsewhere\"\n}}\n",
            true,
            "kvload.json: will add B_KEY, point A_KEY at the imported secrets",
            "kvload.json: updated (names only: it holds no value)",
            Map.of("A_KEY", ref("a-key"), "B_KEY", ref("b-key"))),
        Arguments.of(
            "only a replaced entry: updated",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\n  \"A_KEY\": \"elsewhere\",\n"
                + "  \"B_KEY\": \"b-key\"\n}}\n",
            true,
            "kvload.json: will point A_KEY at the imported secrets",
            "kvload.json: updated (names only: it holds no value)",
            Map.of("A_KEY", ref("a-key"), "B_KEY", ref("b-key"))),
        Arguments.of(
            "another default vault: the entries name the import's vault",
            "{\"vault\": \"fabrikam-dev\", \"secrets\": {\n  \"OTHER\": \"other\"\n}}\n",
            false,
            "kvload.json: will add A_KEY, B_KEY",
            "kvload.json: updated (names only: it holds no value)",
            Map.of(
                "OTHER",
                new SecretRef(VaultRef.parse("fabrikam-dev"), "other", null),
                "A_KEY",
                ref("a-key"),
                "B_KEY",
                ref("b-key"))),
        Arguments.of(
            "no default vault: the import's stands in, entries stay bare",
            "{\"secrets\": {\n  \"OTHER\": {\"secret\": \"other\", \"vault\": \"contoso-dev\"}\n}}\n",
            false,
            "kvload.json: will add A_KEY, B_KEY",
            "kvload.json: updated (names only: it holds no value)",
            Map.of("OTHER", ref("other"), "A_KEY", ref("a-key"), "B_KEY", ref("b-key"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifests")
  void theManifestGetsTheImportedVariables(
      String name,
      String before,
      boolean overwrite,
      String plan,
      String done,
      Map<String, SecretRef> after)
      throws IOException {
    Files.writeString(dir.resolve("kvload.json"), before);
    assertNull(
        importing(settings(VAULT, false, false), request(overwrite)), () -> name + ": " + stderr);
    assertShows(plan);
    assertShows(done);
    assertEquals(after, mapped(), name);
    if (done.contains("unchanged")) {
      assertEquals(before, Files.readString(dir.resolve("kvload.json")));
    }
  }

  @Test
  void aManifestEntryForAnotherSecretIsRefusedBeforeAnyRequest() throws IOException {
    String before = "{\"vault\": \"contoso-dev\", \"secrets\": {\n  \"A_KEY\": \"elsewhere\"\n}}\n";
    Files.writeString(dir.resolve("kvload.json"), before);
    Failure thrown = importing(false, false, false);
    assertInstanceOf(Failure.Output.class, thrown);
    assertEquals(
        "kvload.json:2:3: A_KEY maps to secret 'elsewhere' in vault contoso-dev already, not to"
            + " 'a-key' in vault contoso-dev. Nothing was sent: pass --overwrite to point the"
            + " entries at the imported secrets, or --name VAR=SECRET to import into the secrets"
            + " they name",
        thrown.getMessage());
    assertEquals(0, store.opened);
    assertEquals(before, Files.readString(dir.resolve("kvload.json")));
  }

  static Stream<Arguments> refusedBeforeAnyRequest() {
    return Stream.of(
        Arguments.of(
            "no vault given",
            null,
            null,
            "A=" + A_VALUE + "\n",
            Failure.Usage.class,
            "import needs the vault to write to: --vault NAME|URL (or KVLOAD_VAULT)"),
        Arguments.of(
            "no vault given, the manifest names one: not taken",
            null,
            "{\"vault\": \"contoso-dev\", \"secrets\": {}}",
            "A=" + A_VALUE + "\n",
            Failure.Usage.class,
            "import needs the vault to write to: --vault NAME|URL (or KVLOAD_VAULT); kvload.json"
                + " names vault contoso-dev, but values go only to a vault named on the command"
                + " line (a manifest can come from anyone's repository): add --vault contoso-dev"
                + " if it is yours"),
        Arguments.of(
            "no vault given, a manifest that is not one",
            null,
            "[1, 2]",
            "A=" + A_VALUE + "\n",
            Failure.Usage.class,
            "import needs the vault to write to: --vault NAME|URL (or KVLOAD_VAULT)"),
        Arguments.of(
            "a vault outside Key Vault's domains",
            VaultRef.parse("https://vault.example.com"),
            null,
            "A=" + A_VALUE + "\n",
            Failure.Usage.class,
            "vault https://vault.example.com is outside Key Vault's domains"),
        Arguments.of(
            "an empty file",
            VAULT,
            null,
            "# only a comment\n",
            Failure.Usage.class,
            ".env: no variables in it; nothing to import"),
        Arguments.of(
            "two variables, one secret",
            VAULT,
            null,
            "DB_URL=" + A_VALUE + "\ndb_url=" + B_VALUE + "\n",
            Failure.Usage.class,
            ""),
        Arguments.of(
            "a manifest without a secrets object: the parser's words",
            VAULT,
            "{\"vault\": \"contoso-dev\"}",
            "A=" + A_VALUE + "\n",
            Failure.Manifest.class,
            "kvload.json: no \"secrets\" object"),
        Arguments.of(
            "an invalid manifest",
            VAULT,
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"1A\": \"a\"}}",
            "A=" + A_VALUE + "\n",
            Failure.Manifest.class,
            "kvload.json:1:"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedBeforeAnyRequest")
  void refusedBeforeAnyRequest(
      String name,
      VaultRef vault,
      String manifest,
      String dotenv,
      Class<? extends Failure> kind,
      String message)
      throws IOException {
    Files.writeString(dir.resolve(".env"), dotenv);
    if (manifest != null) {
      Files.writeString(dir.resolve("kvload.json"), manifest);
    }
    Failure thrown =
        importing(
            settings(vault, false, false),
            new Importer.Request(DOTENV, Map.of(), false, true, true));
    assertInstanceOf(kind, thrown, () -> name + ": " + thrown);
    assertTrue(thrown.getMessage().startsWith(message), thrown::getMessage);
    assertEquals(0, store.opened, name);
    assertEquals("", stdout);
    assertTrue(Files.exists(dir.resolve(".env")));
    if (manifest != null) {
      assertEquals(manifest, Files.readString(dir.resolve("kvload.json")));
    } else {
      assertFalse(Files.exists(dir.resolve("kvload.json")));
    }
  }
}
