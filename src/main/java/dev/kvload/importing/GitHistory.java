package dev.kvload.importing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What git knows about a file: whether it is tracked, whether any commit of any branch or tag ever
 * held it, whether it is ignored. A file of secrets that was ever committed is in every clone: its
 * values must be rotated, and moving them to a vault does not change that.
 *
 * <p>git is optional: when it is not installed, or the file is in no repository, there is nothing
 * to say and nothing fails. It is found on the run's {@code PATH}, absolute folders only (a
 * relative entry such as {@code .} would run a {@code git} that a cloned repository put there), and
 * run so that a repository's own configuration cannot make it start another program: no fsmonitor,
 * no signature checks (which start {@code gpg.program}), no pager, no prompts.
 */
public final class GitHistory {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private GitHistory() {}

  /**
   * @param known false when git was there but would not answer (a repository it refuses, a time
   *     out): then nothing can be said either way
   */
  public record Status(boolean known, boolean tracked, boolean committed, boolean ignored) {
    public boolean exposed() {
      return tracked || committed;
    }
  }

  /**
   * Asks git about {@code file}.
   *
   * @param env the run's environment: {@code PATH} finds git, and git sees the rest ({@code HOME}
   *     and the user's own git settings)
   * @return empty when git is not installed or the file is in no repository
   */
  public static Optional<Status> of(Path file, Map<String, String> env) {
    Optional<Path> git = find(env.get("PATH"));
    Path absolute = file.toAbsolutePath().normalize();
    Path folder = absolute.getParent();
    if (git.isEmpty() || folder == null || !Files.isDirectory(folder)) {
      return Optional.empty();
    }
    String name = absolute.getFileName().toString();
    Answer tracked = run(git.get(), folder, env, "ls-files", "--error-unmatch", "--", name);
    if (tracked.notARepository()) {
      return Optional.empty();
    }
    if (tracked.status() != 0 && tracked.status() != 1) {
      return Optional.of(new Status(false, false, false, false));
    }
    Answer history =
        run(git.get(), folder, env, "log", "--all", "--format=%H", "-n", "1", "--", name);
    Answer ignored = run(git.get(), folder, env, "check-ignore", "-q", "--", name);
    return Optional.of(
        new Status(
            history.status() == 0,
            tracked.status() == 0,
            history.status() == 0 && !history.out().isBlank(),
            ignored.status() == 0));
  }

  /** The first {@code git} in an absolute folder of {@code path}. */
  static Optional<Path> find(String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String folder : path.split(":")) {
      if (folder.isEmpty() || !folder.startsWith("/")) {
        continue;
      }
      Path candidate = Path.of(folder, "git");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * @param status the exit status, or -1 when git did not finish in time or could not start
   */
  private record Answer(int status, String out, String err) {
    boolean notARepository() {
      return status == 128 && err.contains("not a git repository");
    }
  }

  private static Answer run(Path git, Path folder, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(git.toString());
    command.addAll(
        List.of(
            "--no-pager",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "log.showSignature=false",
            "-c",
            "core.pager=cat"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.environment().put("GIT_TERMINAL_PROMPT", "0");
    // Reading the index may refresh it: no lock file left in the user's repository for that.
    builder.environment().put("GIT_OPTIONAL_LOCKS", "0");
    builder.environment().put("LC_ALL", "C");
    try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
      Process process = builder.start();
      process.getOutputStream().close();
      // Both streams are read while git runs, so that it never blocks on a full pipe, and the
      // wait below is what bounds the whole exchange.
      Future<String> out = readers.submit(() -> text(process.getInputStream()));
      Future<String> err = readers.submit(() -> text(process.getErrorStream()));
      if (!process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Answer(-1, "", "");
      }
      return new Answer(process.exitValue(), out.get(), err.get());
    } catch (IOException | ExecutionException e) {
      return new Answer(-1, "", "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, "", "");
    }
  }

  /** At most 64 KiB (git's answers here are a line); the rest is read and dropped. */
  private static String text(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(64 << 10);
    in.transferTo(OutputStream.nullOutputStream());
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
