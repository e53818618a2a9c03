package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a shell command line as a user would type it, with {@code kvload} on PATH (this checkout's
 * {@code bin/kvload}) and the Harness's environment: for recipes copied from the docs and examples.
 * Its output goes through {@link Harness}'s leak checks and the suite's guard.
 */
final class Shell {
  private Shell() {}

  record Result(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
  }

  /** Runs {@code shell -c script} in {@code cwd}. */
  static Result run(Harness h, Map<String, String> env, Path cwd, String shell, String script) {
    ProcessBuilder pb = new ProcessBuilder(shell, "-c", script).directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().put("PATH", Harness.HOME.resolve("bin") + ":" + env.get("PATH"));
    try {
      Path out = Files.createTempFile(h.dir, "sh-stdout", ".txt");
      Path err = Files.createTempFile(h.dir, "sh-stderr", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process p = pb.start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(shell + " -c '" + script + "' did not finish in 90 s: " + Files.readString(err));
      }
      Result result =
          new Result(
              p.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      // Recipes may print values on stdout on purpose (export to a pipe); stderr never.
      h.record(shell + " -c '" + script + "'", result.stdout(), result.stderr(), true);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code program} is installed here (zsh often is not). */
  static boolean has(String program) {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
