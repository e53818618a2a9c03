package dev.kvload.guard;

import dev.kvload.Kvload;
import dev.kvload.cli.Context;
import dev.kvload.core.SourceFactory;
import dev.kvload.exec.Launch;
import dev.kvload.manifest.SecretRef;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretSource;
import dev.kvload.vault.SecretValue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs {@link Kvload#run(String[], Context)} in the test's JVM, with an in-memory vault, captured
 * streams and an environment built from nothing; every run is checked by {@link Leaks} at once, and
 * again by {@link SecretGuard} after the test. Tests that run kvload in-process use this (a test of
 * the suite checks that nothing else calls {@code Kvload.run}).
 */
public final class InProcessKvload implements Guarded {
  private final Path cwd;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final List<Output> outputs = new CopyOnWriteArrayList<>();
  private final List<String> otherValues = new CopyOnWriteArrayList<>();
  private SourceFactory sources = (settings, session) -> new MemorySource();
  private Clock clock = Clock.systemUTC();
  private int runs;

  public InProcessKvload(Path cwd) {
    this.cwd = cwd;
    env.put("PATH", "/usr/bin:/bin");
    env.put("HOME", cwd.toString());
  }

  /** Adds a secret to the in-memory vault: {@code vault} is the vault's short name. */
  public InProcessKvload secret(String vault, String name, String value) {
    secrets.put(vault + "/" + name, value);
    return this;
  }

  public InProcessKvload env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /**
   * Fetches from {@code factory} instead of the in-memory vault; {@code values} are the secret
   * values it may hand out, which the guard then looks for in every output.
   */
  public InProcessKvload sources(SourceFactory factory, Collection<String> values) {
    this.sources = factory;
    otherValues.addAll(values);
    return this;
  }

  public InProcessKvload clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /** A finished in-process run. */
  public record Result(int exit, String stdout, String stderr) {
    /** Exit status and stderr only: stdout may hold values. */
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stderr ---\n" + stderr;
    }
  }

  public Result run(String... args) {
    return run(false, args);
  }

  /** A run that prints values on stdout on purpose ({@code export} without {@code -o}). */
  public Result runPrintingValues(String... args) {
    return run(true, args);
  }

  private Result run(boolean valuesOnStdout, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, false, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      Context context = new Context(Map.copyOf(env), cwd, o, e, sources, clock, Launch.NONE);
      exit = Kvload.run(args, context);
    }
    Result result =
        new Result(
            exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    Output output =
        new Output(
            "in-process run " + (++runs) + " (" + String.join(" ", args) + ")",
            result.stdout(),
            result.stderr(),
            valuesOnStdout);
    outputs.add(output);
    Leaks.assertNone(secretValues(), output);
    return result;
  }

  @Override
  public Collection<String> secretValues() {
    List<String> values = new ArrayList<>(secrets.values());
    values.addAll(otherValues);
    return values;
  }

  @Override
  public List<Output> outputs() {
    return List.copyOf(outputs);
  }

  /** The in-memory vault: every known secret is found, the rest are not. */
  private final class MemorySource implements SecretSource {
    @Override
    public Map<SecretRef, Outcome> fetch(Collection<SecretRef> refs, Instant deadline) {
      Map<SecretRef, Outcome> outcomes = new LinkedHashMap<>();
      for (SecretRef ref : refs) {
        String value = secrets.get(ref.vault() + "/" + ref.name());
        outcomes.put(
            ref,
            value == null
                ? new Outcome.NotFound()
                : new Outcome.Found(new SecretValue(value), "1", null, null));
      }
      return outcomes;
    }

    @Override
    public void close() {}
  }
}
