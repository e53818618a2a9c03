package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.TestTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code bin/kvload} as a process against {@link FakeAzure}, with an environment
 * built from nothing: the test runner's own environment never reaches kvload.
 *
 * <p>Every run is checked for secret hygiene: no value the fake holds may appear on stderr, nor on
 * stdout unless the test asked for values there; no token, client secret or assertion anywhere.
 */
public final class Harness implements AutoCloseable {
  public static final Path HOME = Path.of(System.getProperty("kvload.home", ".")).toAbsolutePath();
  public static final TestTls TLS = TestTls.in(HOME.resolve("target/test-tls"));

  public final FakeAzure fake = FakeAzure.start(TLS);
  public final Path dir;

  public Harness() {
    try {
      dir = Files.createTempDirectory("kvload-it-");
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
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("KVLOAD_JAVA_OPTS", TLS.javaOptions());
    env.putAll(fake.env());
    return env;
  }

  /** Writes a manifest in the test's folder. */
  public Path manifest(String json) {
    return write("kvload.json", json);
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

  public Run kvload(String... args) {
    return run().args(args).go();
  }

  public Run.Builder run() {
    return new Run.Builder(this);
  }

  @Override
  public void close() {
    fake.close();
  }

  /** A process that has started: signal it, then await it. */
  public record Started(Run.Builder builder, Process process, Instant start, Path out, Path err) {
    public long pid() {
      return process.pid();
    }

    /** Sends a signal by name ({@code TERM}, {@code INT}, ...) to the process. */
    public void signal(String name) {
      try {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid())).start();
        if (kill.waitFor() != 0) {
          fail("kill -s " + name + " " + pid() + " failed");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    public Run await() {
      try {
        if (!process.waitFor(builder.limit.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          fail("kvload did not finish within " + builder.limit + ": " + Files.readString(err));
        }
        Run run =
            new Run(
                process.exitValue(),
                Files.readAllBytes(out),
                Files.readString(err, StandardCharsets.UTF_8),
                Duration.between(start, Instant.now()),
                process.pid());
        builder.checkHygiene(run);
        return run;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
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
        return start().await();
      }

      /** Starts the process without waiting for it, e.g. to send it signals. */
      public Started start() {
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
          return new Started(this, pb.start(), Instant.now(), out, err);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      void checkHygiene(Run run) {
        for (String credential : harness.fake.credentials()) {
          assertFalse(
              run.stderr().contains(credential) || run.stdout().contains(credential),
              () -> "a token, secret or assertion reached the output:\n" + run.stderr());
        }
        for (String value : harness.fake.allValues()) {
          if (value.strip().length() < 4) {
            continue;
          }
          assertFalse(
              run.stderr().contains(value.strip()),
              () -> "a secret value reached stderr:\n" + run.stderr());
          if (!valuesOnStdout) {
            assertFalse(
                run.stdout().contains(value.strip()),
                () -> "a secret value reached stdout, which this test did not ask for");
          }
        }
      }
    }
  }
}
