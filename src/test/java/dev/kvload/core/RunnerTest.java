package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import dev.kvload.auth.AuthMode;
import dev.kvload.auth.AuthSettings;
import dev.kvload.env.ConflictPolicy;
import dev.kvload.env.Environment;
import dev.kvload.exec.Handoff;
import dev.kvload.manifest.SecretRef;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretSource;
import dev.kvload.vault.SecretValue;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RunnerTest {
  private static final String SECRET = "postgres://app:from-the-vault@db/app";

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final AtomicInteger fetches = new AtomicInteger();

  /** Records what it was asked to start; exits with 42. */
  private static final class Recording implements Handoff {
    List<String> command;
    Environment environment;
    Failure.Command checkFails;
    ByteArrayOutputStream out;
    String stdoutAtStart;
    ByteArrayOutputStream err;
    String stderrAtStart;
    List<Handoff.File> files;

    @Override
    public int start(List<String> command, Environment environment) {
      this.command = command;
      this.environment = environment;
      this.stdoutAtStart = out == null ? null : out.toString(StandardCharsets.UTF_8);
      this.stderrAtStart = err == null ? null : err.toString(StandardCharsets.UTF_8);
      return 42;
    }

    /** Where a memfd handoff would put them. */
    @Override
    public Map<String, String> files(List<Handoff.File> files, Map<String, String> env) {
      this.files = files;
      Map<String, String> paths = new LinkedHashMap<>();
      files.stream()
          .filter(f -> f.env() != null)
          .forEach(f -> paths.put(f.env(), "/proc/self/fd/9/" + f.path()));
      return paths;
    }

    @Override
    public void check(List<String> command, Environment environment) {
      if (checkFails != null) {
        throw checkFails;
      }
    }
  }

  private Session session(Map<String, String> env, Map<String, String> vault) {
    SourceFactory sources =
        (settings, session) -> {
          return new SecretSource() {
            @Override
            public Map<SecretRef, Outcome> fetch(Collection<SecretRef> refs, Instant deadline) {
              fetches.incrementAndGet();
              Map<SecretRef, Outcome> outcomes = new LinkedHashMap<>();
              for (SecretRef ref : refs) {
                String value = vault.get(ref.name());
                outcomes.put(
                    ref,
                    value == null
                        ? new Outcome.NotFound()
                        : new Outcome.Found(new SecretValue(value), "v1", null, null));
              }
              return outcomes;
            }

            @Override
            public void close() {}
          };
        };
    return new Session(
        env,
        dir,
        new PrintStream(out, false, StandardCharsets.UTF_8),
        new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false, false),
        sources,
        Clock.systemUTC());
  }

  private Settings settings(ConflictPolicy policy) throws IOException {
    return settings(policy, false);
  }

  private Settings settings(ConflictPolicy policy, boolean allowExpired) throws IOException {
    Path manifest = dir.resolve("kvload.json");
    Files.writeString(
        manifest,
        """
        {"vault": "contoso-dev", "secrets": {"DATABASE_URL": "db-url", "SAME": "same"}}
        """);
    return new Settings(
        manifest.toString(),
        null,
        new AuthSettings(AuthMode.DEFAULT, null, null),
        Duration.ofSeconds(30),
        policy,
        allowExpired,
        false,
        false,
        Set.of(),
        Set.of());
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static final Map<String, String> VAULT = Map.of("db-url", SECRET, "same", "equal");
  private static final Map<String, String> ENV =
      Map.of("PATH", "/usr/bin", "DATABASE_URL", "postgres://localhost/dev", "SAME", "equal");

  @ParameterizedTest
  @EnumSource(
      value = ConflictPolicy.class,
      names = {"OVERRIDE", "KEEP"})
  void startsTheCommandWithTheMergedEnvironment(ConflictPolicy policy) throws IOException {
    Recording handoff = new Recording();
    int status = Runner.run(session(ENV, VAULT), settings(policy), List.of("app", "-x"), handoff);
    assertEquals(42, status, "the handoff's status is the run's");
    assertEquals(List.of("app", "-x"), handoff.command);
    Map<String, String> env = handoff.environment.asMap();
    assertEquals("/usr/bin", env.get("PATH"));
    assertEquals("equal", env.get("SAME"));
    if (policy == ConflictPolicy.OVERRIDE) {
      assertEquals(SECRET, env.get("DATABASE_URL"));
      assertTrue(stderr().contains("warning: DATABASE_URL was already set"), stderr());
    } else {
      assertEquals("postgres://localhost/dev", env.get("DATABASE_URL"));
      assertFalse(stderr().contains("DATABASE_URL"), stderr());
    }
    assertFalse(stderr().contains("SAME"), "an equal value is no conflict");
    assertFalse(stderr().contains(SECRET), "no value on stderr");
  }

  @Test
  void failPolicyStartsNothingWhenAValueDiffers() throws IOException {
    Recording handoff = new Recording();
    Failure.Output failure =
        assertThrows(
            Failure.Output.class,
            () ->
                Runner.run(
                    session(ENV, VAULT), settings(ConflictPolicy.FAIL), List.of("app"), handoff));
    assertTrue(
        failure.lines().getFirst().contains("DATABASE_URL is already set"), failure::toString);
    assertFalse(failure.lines().getFirst().contains("SAME"));
    assertNull(handoff.command, "nothing started");
  }

  @Test
  void failPolicyStartsTheCommandWhenNothingDiffers() throws IOException {
    Recording handoff = new Recording();
    Map<String, String> env = Map.of("SAME", "equal");
    assertEquals(
        42,
        Runner.run(session(env, VAULT), settings(ConflictPolicy.FAIL), List.of("app"), handoff));
    assertEquals(SECRET, handoff.environment.asMap().get("DATABASE_URL"));
  }

  @Test
  void aMissingSecretStartsNothing() throws IOException {
    Recording handoff = new Recording();
    assertThrows(
        Failure.Secret.class,
        () ->
            Runner.run(
                session(ENV, Map.of("same", "equal")),
                settings(ConflictPolicy.OVERRIDE),
                List.of("app"),
                handoff));
    assertNull(handoff.command, "nothing started");
  }

  @Test
  void aCommandThatCannotBeFoundFailsBeforeAnythingIsFetched() throws IOException {
    Recording handoff = new Recording();
    handoff.checkFails = new Failure.Command(false, "app: command not found");
    assertThrows(
        Failure.Command.class,
        () ->
            Runner.run(
                session(ENV, VAULT), settings(ConflictPolicy.OVERRIDE), List.of("app"), handoff));
    assertEquals(0, fetches.get(), "nothing fetched");
    assertNull(handoff.command);
  }

  /**
   * Inside GitHub Actions the runner learns every value before the command can print one: the masks
   * are on stdout, flushed, when the command starts; a value too short to mask is named.
   */
  @Test
  void insideActionsTheMasksAreOutBeforeTheCommandStarts() throws IOException {
    Recording handoff = new Recording();
    handoff.out = out;
    Map<String, String> env = Map.of("GITHUB_ACTIONS", "true");
    Map<String, String> vault = Map.of("db-url", "line one\nline two", "same", "ok");
    Runner.run(session(env, vault), settings(ConflictPolicy.OVERRIDE), List.of("app"), handoff);
    assertEquals("::add-mask::line one\n::add-mask::line two\n", handoff.stdoutAtStart);
    assertTrue(
        stderr().contains("warning: SAME: its value is shorter than 4 characters"), stderr());
  }

  @Test
  void outsideActionsNothingIsPrinted() throws IOException {
    Recording handoff = new Recording();
    handoff.out = out;
    Runner.run(session(ENV, VAULT), settings(ConflictPolicy.OVERRIDE), List.of("app"), handoff);
    assertEquals("", handoff.stdoutAtStart);
  }

  /** {@code run --allow-expired} names each stale variable it passes on. */
  @Test
  void allowExpiredWarnsNamingTheVariable() throws IOException {
    Recording handoff = new Recording();
    Instant past = Instant.now().minus(Duration.ofDays(3));
    SourceFactory stale =
        (settings, session) ->
            new SecretSource() {
              @Override
              public Map<SecretRef, Outcome> fetch(Collection<SecretRef> refs, Instant deadline) {
                Map<SecretRef, Outcome> outcomes = new LinkedHashMap<>();
                refs.forEach(
                    ref ->
                        outcomes.put(
                            ref,
                            new Outcome.Found(
                                new SecretValue(SECRET),
                                "v1",
                                null,
                                ref.name().equals("same") ? null : past)));
                return outcomes;
              }

              @Override
              public void close() {}
            };
    Session base = session(Map.of(), VAULT);
    Session session =
        new Session(base.env(), dir, base.out(), base.diagnostics(), stale, base.clock());
    Runner.run(session, settings(ConflictPolicy.OVERRIDE, true), List.of("app"), handoff);
    assertTrue(
        stderr().contains("warning: DATABASE_URL: secret 'db-url' in vault contoso-dev expired on"),
        stderr());
    assertTrue(stderr().contains("; used anyway (--allow-expired)"), stderr());
    assertFalse(stderr().contains("SAME"), stderr());
    assertEquals(SECRET, handoff.environment.asMap().get("DATABASE_URL"));
  }

  /**
   * A file made from a template gets the variables' values, and the command learns where the file
   * is from the variable the manifest names; the value stays off stderr.
   */
  @Test
  void filesAreMadeFromTheVariablesAndTheirPathsPassedOn() throws IOException {
    Files.writeString(dir.resolve("npmrc.tmpl"), "//registry/:_authToken={{kv:DATABASE_URL}}\n");
    Path manifest = dir.resolve("kvload.json");
    Settings settings = settings(ConflictPolicy.OVERRIDE);
    Files.writeString(
        manifest,
        """
        {"vault": "contoso-dev", "secrets": {"DATABASE_URL": "db-url"},
         "files": {".npmrc": {"template": "npmrc.tmpl", "env": "NPM_CONFIG_USERCONFIG"}}}
        """);
    Recording handoff = new Recording();
    Runner.run(session(Map.of("PATH", "/usr/bin"), VAULT), settings, List.of("app"), handoff);
    assertEquals(1, handoff.files.size(), handoff.files::toString);
    assertEquals(".npmrc", handoff.files.getFirst().path());
    assertEquals(
        "//registry/:_authToken=" + SECRET + "\n",
        new String(handoff.files.getFirst().content(), StandardCharsets.UTF_8));
    Map<String, String> env = handoff.environment.asMap();
    assertEquals("/proc/self/fd/9/.npmrc", env.get("NPM_CONFIG_USERCONFIG"));
    assertEquals(SECRET, env.get("DATABASE_URL"));
    assertFalse(stderr().contains(SECRET), "no value on stderr");
  }

  /** kvload's own warnings come before anything the command writes to the same stderr. */
  @Test
  void warningsAreOutBeforeTheCommandStarts() throws IOException {
    Recording handoff = new Recording();
    handoff.err = err;
    Session base = session(ENV, VAULT);
    Session session =
        new Session(
            base.env(),
            dir,
            base.out(),
            new Diagnostics(
                new PrintStream(
                    new BufferedOutputStream(err, 1 << 16), false, StandardCharsets.UTF_8),
                false,
                false),
            base.sources(),
            base.clock());
    Runner.run(session, settings(ConflictPolicy.OVERRIDE), List.of("app"), handoff);
    assertTrue(
        handoff.stderrAtStart.contains("warning: DATABASE_URL was already set"),
        handoff.stderrAtStart);
    assertFalse(handoff.stderrAtStart.contains(SECRET), "no value on stderr");
  }
}
