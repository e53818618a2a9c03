package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.TestTls;
import dev.kvload.guard.Guarded;
import dev.kvload.guard.Leaks;
import dev.kvload.guard.Output;
import dev.kvload.guard.TestFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real {@code bin/kvload} as a process against {@link FakeAzure}, with an environment
 * built from nothing: the test runner's own environment never reaches kvload.
 *
 * <p>Every run is checked for secret hygiene: no value the fake holds may appear on stderr, nor on
 * stdout unless the test asked for values there; no token, client secret or assertion anywhere.
 * {@link dev.kvload.guard.SecretGuard} checks all runs again after each test.
 */
public final class Harness implements AutoCloseable, Guarded {
  public static final Path HOME = Path.of(System.getProperty("kvload.home", ".")).toAbsolutePath();
  public static final TestTls TLS = TestTls.in(HOME.resolve("target/test-tls"));

  public final FakeAzure fake = FakeAzure.start(TLS);
  public final Path dir;
  private final List<Output> outputs = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();
  private final List<String> givenValues = new CopyOnWriteArrayList<>();

  public Harness() {
    dir = TestFolder.create(TestFolder.TMP);
    try {
      Files.createDirectories(dir.resolve("home"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The environment every kvload process starts from. */
  public Map<String, String> baseEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", dir.resolve("home").toString());
    // Scripts a test runs (install.sh, the Feature's test) make their temporaries here, not in
    // /tmp, so that removing the test's folder removes them too.
    env.put("TMPDIR", tmp().toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("KVLOAD_JAVA_OPTS", TLS.javaOptions());
    env.putAll(fake.env());
    return env;
  }

  private Path tmp() {
    try {
      return Files.createDirectories(dir.resolve("tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a manifest in the test's folder. */
  public Path manifest(String json) {
    return write("kvload.json", json);
  }

  /** The usual one-secret set-up: {@code value} in the fake vault, mapped to DATABASE_URL. */
  public void oneSecret(String value) {
    fake.put("kvload-test", "db-url", value);
    manifest(
        "{\"vault\": \""
            + fake.vaultUrl("kvload-test")
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
  }

  public Path write(String name, String content) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Values the test hands kvload itself (a dotenv file to import), guarded as the fake's are: they
   * may reach the vault, never an output.
   */
  public void guard(Collection<String> values) {
    givenValues.addAll(values);
  }

  public Run kvload(String... args) {
    return run().args(args).go();
  }

  public Run.Builder run() {
    return new Run.Builder(this);
  }

  /** A loopback port nothing listens on: connections to it are refused at once. */
  public static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the fake and removes the test's folder. */
  @Override
  public void close() {
    fake.close();
    TestFolder.remove(dir);
  }

  /**
   * Checks one process's output for leaked values, tokens and client secrets, and keeps it for the
   * guard's check after the test.
   */
  void record(String label, String stdout, String stderr, boolean valuesOnStdout) {
    Output output = new Output(label, stdout, stderr, valuesOnStdout);
    outputs.add(output);
    Leaks.assertNone(secretValues(), output);
    for (String credential : fake.credentials()) {
      if (stderr.contains(credential) || stdout.contains(credential)) {
        fail("a token, client secret or assertion reached the output of " + label);
      }
    }
  }

  @Override
  public Collection<String> secretValues() {
    List<String> values = new ArrayList<>(fake.allValues());
    values.addAll(givenValues);
    return values;
  }

  @Override
  public List<Output> outputs() {
    return List.copyOf(outputs);
  }

  /** A finished kvload process; {@code pid} is the one it was started as. */
  public record Run(int exit, byte[] stdoutBytes, String stderr, Duration took, long pid) {
    public String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "exit " + exit + " in " + took.toMillis() + " ms\n--- stderr ---\n" + stderr;
    }

    /** Options for one run. */
    public static final class Builder {
      private final Harness harness;
      private final List<String> args = new ArrayList<>();
      private final Map<String, String> env;
      private Path cwd;
      private boolean valuesOnStdout;
      private Duration limit = Duration.ofSeconds(90);
      private final List<String> wrapper = new ArrayList<>();
      private boolean direct;

      Builder(Harness harness) {
        this.harness = harness;
        this.env = harness.baseEnv();
        this.cwd = harness.dir;
      }

      public Builder args(String... more) {
        args.addAll(List.of(more));
        return this;
      }

      public Builder env(String name, String value) {
        if (value == null) {
          env.remove(name);
        } else {
          env.put(name, value);
        }
        return this;
      }

      public Builder env(Map<String, String> more) {
        more.forEach(this::env);
        return this;
      }

      public Builder cwd(Path dir) {
        this.cwd = dir;
        return this;
      }

      /** This run prints values on stdout on purpose ({@code export} without {@code -o}). */
      public Builder valuesOnStdout() {
        this.valuesOnStdout = true;
        return this;
      }

      public Builder limit(Duration limit) {
        this.limit = limit;
        return this;
      }

      /**
       * Starts the process through this command, e.g. {@code sh -c 'exec 3>"$0"; exec "$@"' FILE},
       * which then runs bin/kvload (or the {@link #direct} command) with the arguments.
       */
      public Builder via(String... command) {
        wrapper.addAll(List.of(command));
        return this;
      }

      /** Runs the arguments as a command of their own instead of bin/kvload's arguments. */
      public Builder direct() {
        this.direct = true;
        return this;
      }

      public Run go() {
        Running running = start();
        return running.finish(limit);
      }

      /** Starts kvload and returns at once: for tests that signal it or watch it mid-run. */
      public Running start() {
        List<String> command = new ArrayList<>(wrapper);
        if (!direct) {
          command.add(HOME.resolve("bin/kvload").toString());
        }
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
          Path out = Files.createTempFile(harness.dir, "stdout", ".bin");
          Path err = Files.createTempFile(harness.dir, "stderr", ".txt");
          pb.redirectOutput(out.toFile()).redirectError(err.toFile());
          pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
          Instant start = Instant.now();
          return new Running(this, pb.start(), out, err, start, String.join(" ", args));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** A kvload process still running. */
  public static final class Running {
    private final Run.Builder builder;
    private final Process process;
    private final Path out;
    private final Path err;
    private final Instant start;
    private final String label;

    Running(Run.Builder builder, Process process, Path out, Path err, Instant start, String label) {
      this.builder = builder;
      this.process = process;
      this.out = out;
      this.err = err;
      this.start = start;
      this.label = label;
    }

    /** The JVM's own pid: bin/kvload execs java. */
    public long pid() {
      return process.pid();
    }

    public Process process() {
      return process;
    }

    /** Waits for the end within the builder's limit, then checks the output for leaks. */
    public Run await() {
      return finish(builder.limit);
    }

    /** What kvload has written to stderr so far. */
    public String stderrSoFar() {
      try {
        return Files.readString(err, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Waits until stderr contains {@code text}; fails after {@code limit}. */
    public void awaitStderr(String text, Duration limit) {
      Instant end = Instant.now().plus(limit);
      while (!stderrSoFar().contains(text)) {
        if (!process.isAlive() && !stderrSoFar().contains(text)) {
          fail("kvload ended (exit " + process.exitValue() + ") before printing '" + text + "'");
        }
        if (Instant.now().isAfter(end)) {
          fail("kvload did not print '" + text + "' within " + limit);
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }

    /** Sends a signal by name (INT, TERM, STOP, CONT) with kill(1). */
    public void signal(String name) {
      try {
        Process kill =
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
          fail("kill -" + name + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Waits for the end, then checks the output for leaks. */
    public Run finish(Duration limit) {
      try {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          fail("kvload did not finish within " + limit + ":\n" + stderrSoFar());
        }
        Run run =
            new Run(
                process.exitValue(),
                Files.readAllBytes(out),
                Files.readString(err, StandardCharsets.UTF_8),
                Duration.between(start, Instant.now()),
                process.pid());
        builder.harness.record(
            "process run " + builder.harness.runs.incrementAndGet() + " (" + label + ")",
            run.stdout(),
            run.stderr(),
            builder.valuesOnStdout);
        return run;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
