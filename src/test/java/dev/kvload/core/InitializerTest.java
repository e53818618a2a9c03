package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import dev.kvload.auth.AuthMode;
import dev.kvload.auth.AuthSettings;
import dev.kvload.env.ConflictPolicy;
import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.SecretStore;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload init}, in-process: the starter manifest it writes (from nothing, a dotenv file's
 * variables, or the vault's listing), where it writes it, what it refuses, and what it prints. The
 * dotenv file's values never reach the manifest, stdout or stderr.
 */
class InitializerTest {
  private static final String VALUE = "s3cr3t-value-never-printed";
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final FakeStore store = new FakeStore();

  /** A vault listing in memory; reading or writing a value is no part of init. */
  private static final class FakeStore implements SecretStore {
    List<String> names = List.of();
    int opened;
    boolean closed;
    Instant deadline;

    @Override
    public Current read(String name) {
      throw new AssertionError("init reads no value");
    }

    @Override
    public String write(String name, SecretValue value) {
      throw new AssertionError("init writes no secret");
    }

    @Override
    public List<String> enabledNames() {
      return names;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private Settings settings(String vault, Set<String> allowedVars, Set<String> allowedHosts) {
    return new Settings(
        null,
        vault == null ? null : VaultRef.parse(vault),
        new AuthSettings(AuthMode.DEFAULT, null, null),
        Duration.ofSeconds(30),
        ConflictPolicy.OVERRIDE,
        false,
        false,
        false,
        allowedVars,
        allowedHosts);
  }

  private void init(Settings settings, Initializer.From from, boolean force) {
    Session session =
        new Session(
            Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString()),
            dir,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false, false),
            (s, sess) -> {
              throw new AssertionError("init fetches no secret");
            },
            Clock.fixed(NOW, ZoneOffset.UTC));
    try {
      Initializer.run(
          session,
          settings,
          new Initializer.Request(from, force, Initializer.SCHEMA),
          (s, sess, vault, deadline) -> {
            store.opened++;
            store.deadline = deadline;
            return store;
          });
    } finally {
      assertFalse(stdout().contains(VALUE), "a value on stdout");
      assertFalse(stderr().contains(VALUE), "a value on stderr");
    }
  }

  private void init(Initializer.From from) {
    init(settings("contoso-dev", Set.of(), Set.of()), from, false);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private String manifest(String path) throws IOException {
    String text = Files.readString(dir.resolve(path));
    assertFalse(text.contains(VALUE), "a value in the manifest");
    return text;
  }

  static Stream<Arguments> starters() {
    return Stream.of(
        Arguments.of(
            "no source: an empty secrets object",
            "nothing",
            List.of(),
            List.of(),
            "wrote kvload.json: vault contoso-dev, 0 variables from no variables yet\n",
            List.of(),
            "kvload: kvload.json is valid: 0 variables from 0 vaults\n"),
        Arguments.of(
            "a dotenv file: its variables, mapped to secret names, values left behind",
            "env",
            List.of(),
            List.of("\"DATABASE_URL\": \"database-url\"", "\"API_KEY\": \"api-key\""),
            "wrote kvload.json: vault contoso-dev, 2 variables from the variables of .env (values"
                + " ignored)\n",
            List.of(),
            "kvload: kvload.json is valid: 2 variables from 1 vault\n"),
        Arguments.of(
            "the vault's listing: names mapped back, sorted, the unusable ones left out with a"
                + " warning",
            "vault",
            List.of("redis-url", "database-url", "1st-key", "ld-preload"),
            List.of("\"DATABASE_URL\": \"database-url\"", "\"REDIS_URL\": \"redis-url\""),
            "wrote kvload.json: vault contoso-dev, 2 variables from the vault's enabled secrets\n",
            List.of(
                "kvload: warning: secret '1st-key' left out: its name gives no variable name",
                "kvload: warning: secret 'ld-preload' left out: LD_PRELOAD changes how programs"
                    + " load code (allow it with --allow-var LD_PRELOAD)"),
            "kvload: kvload.json is valid: 2 variables from 1 vault\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("starters")
  void writesAStarterManifestThatNamesTheVaultAndTheVariables(
      String name,
      String from,
      List<String> listed,
      List<String> entries,
      String firstLine,
      List<String> warnings,
      String validated)
      throws IOException {
    Files.writeString(dir.resolve(".env"), "DATABASE_URL=" + VALUE + "\nAPI_KEY='" + VALUE + "'\n");
    store.names = listed;
    init(
        switch (from) {
          case "env" -> new Initializer.From.EnvFile(Path.of(".env"));
          case "vault" -> new Initializer.From.Vault();
          default -> new Initializer.From.Nothing();
        });
    String text = manifest("kvload.json");
    assertTrue(text.contains("\"$schema\": \"" + Initializer.SCHEMA + "\""), text);
    assertTrue(text.contains("\"vault\": \"contoso-dev\""), text);
    entries.forEach(e -> assertTrue(text.contains(e), () -> e + " not in\n" + text));
    if (entries.isEmpty()) {
      assertTrue(text.replaceAll("\\s", "").contains("\"secrets\":{}"), text);
    } else if (from.equals("vault")) {
      assertTrue(text.indexOf("DATABASE_URL") < text.indexOf("REDIS_URL"), "sorted:\n" + text);
    }
    assertTrue(stdout().startsWith(firstLine), stdout());
    for (String e : entries) {
      String[] pair = e.replace("\"", "").split(": ");
      assertTrue(
          stdout().matches("(?s).*\n  " + pair[0] + " +-> +" + pair[1] + "\n.*"),
          () -> pair[0] + " -> " + pair[1] + " not listed:\n" + stdout());
    }
    assertTrue(stdout().contains("next:\n  kvload check  "), () -> "the next steps:\n" + stdout());
    assertTrue(stdout().contains("kvload import .env --vault contoso-dev"), stdout());
    warnings.forEach(w -> assertTrue(stderr().contains(w), () -> w + " not in\n" + stderr()));
    // Checked as kvload validate checks it, after it was written.
    assertTrue(stderr().endsWith(validated), stderr());
    assertEquals(warnings.size() + 1, stderr().lines().count(), stderr());
    assertEquals(from.equals("vault") ? 1 : 0, store.opened, "the vault is listed only if asked");
    if (from.equals("vault")) {
      assertTrue(store.closed, "the store is closed");
      assertEquals(NOW.plusSeconds(30), store.deadline, "--timeout bounds the listing");
    }
  }

  /** With a {@code .devcontainer} folder the manifest goes there, where the container finds it. */
  @Test
  void writesIntoDevcontainerWhenThatFolderExists() throws IOException {
    Files.createDirectory(dir.resolve(".devcontainer"));
    init(new Initializer.From.Nothing());
    assertTrue(manifest(".devcontainer/kvload.json").contains("\"vault\": \"contoso-dev\""));
    assertFalse(Files.exists(dir.resolve("kvload.json")));
    assertTrue(stdout().startsWith("wrote .devcontainer/kvload.json: "), stdout());
  }

  static Stream<Arguments> existing() {
    return Stream.of(
        Arguments.of("without --force: refused, the manifest untouched", false),
        Arguments.of("with --force: replaced", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("existing")
  void replacesAManifestOnlyWithForce(String name, boolean force) throws IOException {
    String before = "{\"vault\": \"other\", \"secrets\": {\"KEEP_ME\": \"keep-me\"}}";
    Files.writeString(dir.resolve("kvload.json"), before);
    Files.writeString(dir.resolve(".env"), "NEW_ONE=" + VALUE + "\n");
    Settings settings = settings("contoso-dev", Set.of(), Set.of());
    Initializer.From from = new Initializer.From.EnvFile(Path.of(".env"));
    if (force) {
      init(settings, from, true);
      String text = manifest("kvload.json");
      assertTrue(text.contains("\"NEW_ONE\": \"new-one\""), text);
      assertFalse(text.contains("KEEP_ME"), text);
    } else {
      Failure.Output e = assertThrows(Failure.Output.class, () -> init(settings, from, false));
      assertEquals(
          "kvload.json: a manifest is there already; init leaves it as it is. --force replaces it,"
              + " 'kvload import FILE --vault VAULT' adds a dotenv file's variables to it",
          e.lines().getFirst());
      assertEquals(before, Files.readString(dir.resolve("kvload.json")));
      assertEquals("", stdout());
    }
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "no vault",
            null,
            Set.of(),
            "init needs the manifest's vault: --vault NAME|URL (or KVLOAD_VAULT)"),
        Arguments.of(
            "a vault outside Key Vault's domains",
            "https://vault.example.com",
            Set.of(),
            "vault https://vault.example.com is outside Key Vault's domains"));
  }

  /** Refused before the vault is asked anything, and nothing is written. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWithoutATrustedVault(
      String name, String vault, Set<String> allowedHosts, String message) {
    Failure.Usage e =
        assertThrows(
            Failure.Usage.class,
            () ->
                init(settings(vault, Set.of(), allowedHosts), new Initializer.From.Vault(), false));
    assertTrue(e.lines().getFirst().startsWith(message), e.lines()::toString);
    assertEquals(0, store.opened, "the vault was asked");
    assertFalse(Files.exists(dir.resolve("kvload.json")));
  }

  /** A host the command line allows is listed like any vault. */
  @Test
  void anAllowedHostIsListed() throws IOException {
    store.names = List.of("api-key");
    init(
        settings("https://vault.example.com", Set.of(), Set.of("vault.example.com")),
        new Initializer.From.Vault(),
        false);
    assertEquals(1, store.opened);
    assertTrue(manifest("kvload.json").contains("\"API_KEY\": \"api-key\""));
  }

  /** --allow-var lets a code-loading secret from the listing in. */
  @Test
  void allowVarLetsACodeLoadingSecretIn() throws IOException {
    store.names = new ArrayList<>(List.of("ld-preload"));
    init(
        settings("contoso-dev", Set.of("LD_PRELOAD"), Set.of()),
        new Initializer.From.Vault(),
        false);
    assertTrue(manifest("kvload.json").contains("\"LD_PRELOAD\": \"ld-preload\""));
    assertEquals("kvload: kvload.json is valid: 1 variable from 1 vault\n", stderr());
  }
}
