package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kvload.guard.TestFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dev container recipe of the README, run as the container would run it: the example's
 * postCreateCommand (shell hook into ~/.bashrc) and postStartCommand ({@code kvload export -o}),
 * then new terminals that source the hook.
 */
class CodespaceIT {
  static final Path EXAMPLE = Harness.HOME.resolve("examples/devcontainer/.devcontainer");
  static final JsonMapper JSONC =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private final Harness h = new Harness();
  private final Map<String, String> values = new LinkedHashMap<>();
  private Path runtime;
  private Map<String, String> env;
  private JsonNode devcontainer;

  @BeforeEach
  void container() throws IOException {
    // The example's secrets, with values that test the sh format byte for byte.
    values.put("DATABASE_URL", "postgres://app:pa55@db:5432/app?ssl=true&x='1'");
    values.put("STRIPE_KEY", "sk_test_\"quoted\" $HOME `cmd` \\ \nsecond line ✓");
    h.fake.put("kvload-test", "db-connection-string", values.get("DATABASE_URL"));
    h.fake.put("kvload-test", "stripe-key", values.get("STRIPE_KEY"));
    Path workspace = Files.createDirectories(h.dir.resolve("workspace/.devcontainer"));
    try (Stream<Path> files = Files.list(EXAMPLE)) {
      for (Path f : files.toList()) {
        Files.copy(f, workspace.resolve(f.getFileName()));
      }
    }
    devcontainer = JSONC.readTree(EXAMPLE.resolve("devcontainer.json").toFile());
    // A private runtime folder on tmpfs, as a login session has; never the shared /dev/shm path.
    runtime = TestFolder.create(TestFolder.SHM);
    env = h.baseEnv();
    env.put("XDG_RUNTIME_DIR", runtime.toString());
    // The example's manifest names contoso-dev; the vault override points it at the fake.
    env.put("KVLOAD_VAULT", h.fake.vaultUrl("kvload-test"));
  }

  @AfterEach
  void close() throws IOException {
    h.close();
    TestFolder.remove(runtime);
  }

  private Shell.Result lifecycle(String command) {
    String script = devcontainer.get(command).asText();
    return Shell.run(h, env, h.dir.resolve("workspace"), "sh", script);
  }

  @Test
  void postStartWritesTheDefaultFileAndNewTerminalsSourceIt() throws IOException {
    assertEquals("kvload export -o", devcontainer.get("postStartCommand").asText());
    Path bashrc = h.dir.resolve("home/.bashrc");
    Files.writeString(bashrc, "# the user's own lines\n");
    for (int i = 0; i < 2; i++) {
      var create = lifecycle("postCreateCommand");
      assertEquals(0, create.exit(), create::toString);
    }
    assertEquals(
        1,
        Files.readAllLines(bashrc).stream().filter(l -> l.contains("# kvload shell-hook")).count(),
        "the guarded append adds the hook once");
    var start = lifecycle("postStartCommand");
    assertEquals(0, start.exit(), start::toString);
    Path file = runtime.resolve("kvload/env");
    assertTrue(start.stderr().contains("wrote 2 variables to " + file), start::toString);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    assertTrue(start.stderr().contains("FEATURE_X"), "the optional secret is warned about");

    Map<String, String> terminal = terminal("bash", ". \"$HOME/.bashrc\"");
    assertEquals(values.get("DATABASE_URL"), terminal.get("DATABASE_URL"));
    assertEquals(values.get("STRIPE_KEY"), terminal.get("STRIPE_KEY"));
    assertFalse(terminal.containsKey("FEATURE_X"));
    assertFalse(terminal.containsKey("__kvload_env"), "the hook leaves no variable behind");
  }

  /**
   * The README's recipe in a Codespace, which has no managed identity: the first start cannot sign
   * in and says to run {@code kvload login}; after it, once, in a terminal, the start command works
   * silently.
   */
  @Test
  void inACodespaceTheFirstStartAsksForKvloadLoginOnceAndLaterStartsAreSilent() {
    env.remove("IDENTITY_ENDPOINT");
    env.remove("IDENTITY_HEADER");
    env.put("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:" + Harness.closedPort());
    env.put("CODESPACES", "true");
    var first = lifecycle("postStartCommand");
    assertEquals(4, first.exit(), first::toString);
    assertTrue(first.stderr().contains("next step: run 'kvload login'"), first::toString);
    var login = Shell.run(h, env, h.dir.resolve("workspace"), "sh", "kvload login");
    assertEquals(0, login.exit(), login::toString);
    for (int start = 0; start < 2; start++) {
      var again = lifecycle("postStartCommand");
      assertEquals(0, again.exit(), again::toString);
      assertTrue(Files.exists(runtime.resolve("kvload/env")));
    }
    assertEquals(1, h.fake.entra().signIn().deviceCodeRequests());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bash", "zsh"})
  void theHookAppendedTwiceAndSourcedTwiceGivesEachVariableOnce(String shell) {
    assumeTrue(Shell.has(shell), shell + " is not installed here");
    var start = lifecycle("postStartCommand");
    assertEquals(0, start.exit(), start::toString);
    Path rc = h.dir.resolve("home/." + shell + "rc");
    for (int i = 0; i < 2; i++) {
      var hook = Shell.run(h, env, h.dir, "sh", "kvload shell-hook " + shell + " >> " + rc);
      assertEquals(0, hook.exit(), hook::toString);
    }
    Map<String, String> terminal = terminal(shell, ". '" + rc + "'; . '" + rc + "'");
    assertEquals(values.get("DATABASE_URL"), terminal.get("DATABASE_URL"));
    assertEquals(values.get("STRIPE_KEY"), terminal.get("STRIPE_KEY"));
  }

  @Test
  void theHookIsQuietWhenThereIsNoFileYet() {
    Path rc = h.dir.resolve("home/.bashrc");
    var hook = Shell.run(h, env, h.dir, "sh", "kvload shell-hook bash > " + rc);
    assertEquals(0, hook.exit(), hook::toString);
    var terminal =
        Shell.run(h, env, h.dir, "bash", "set -u; . '" + rc + "' && echo sourced; echo $?");
    assertEquals("sourced\n0\n", terminal.stdout(), terminal::toString);
    assertEquals("", terminal.stderr());
  }

  @Test
  void theReadmeShowsTheSameDevcontainerJson() throws IOException {
    String readme = Files.readString(Harness.HOME.resolve("README.md"));
    assertTrue(
        readme.contains(Files.readString(EXAMPLE.resolve("devcontainer.json"))),
        "README's devcontainer.json is examples/devcontainer/.devcontainer/devcontainer.json");
    assertTrue(
        readme.contains(devcontainer.get("postCreateCommand").asText()),
        "README shows the guarded append");
  }

  /**
   * A new terminal: runs {@code setup}, then prints its environment NUL-separated. Each variable
   * must come out once; values are compared by the caller.
   */
  private Map<String, String> terminal(String shell, String setup) {
    var run = Shell.run(h, env, h.dir, shell, setup + "; env -0");
    assertEquals(0, run.exit(), run::toString);
    Map<String, String> seen = new LinkedHashMap<>();
    for (String entry : run.stdout().split("\0")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        String previous = seen.put(entry.substring(0, eq), entry.substring(eq + 1));
        assertEquals(null, previous, "each variable once: " + entry.substring(0, eq));
      }
    }
    return seen;
  }
}
