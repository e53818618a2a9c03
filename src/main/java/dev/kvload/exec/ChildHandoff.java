package dev.kvload.exec;

import dev.kvload.Failure;
import dev.kvload.env.Environment;
import dev.kvload.output.EnvFileWriter;
import dev.kvload.output.FileSetWriter;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The fallback where execve is unavailable (or {@code KVLOAD_EXEC=child}): the command runs as a
 * child with kvload's stdin, stdout and stderr; kvload forwards INT, TERM, HUP, USR1 and USR2 to it
 * and exits with its status (128+N when signal N ended it).
 *
 * <p>What a child cannot have, unlike {@link ExecHandoff}: kvload's PID; descriptors beyond 0, 1
 * and 2 (the JDK closes them in the child); SIGPIPE ignored (the JDK resets it in every child);
 * forwarded QUITs: the JVM keeps QUIT for thread dumps, so kvload ignores it instead, that no dump
 * lands in the command's output (a terminal's Ctrl-\ still reaches the command, which is in the
 * same process group; so does its Ctrl-C, which kvload then forwards a second time); and bytes the
 * locale's charset cannot encode, since the JDK encodes a child's arguments and new variables with
 * it: kvload refuses those rather than let them change.
 */
public final class ChildHandoff implements Handoff {
  static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1", "USR2");

  private static final Pattern ENOENT = Pattern.compile("error(=|: )2\\D");

  private final Optional<Posix> posix;
  private final Inherited inherited;
  private final Charset charset;
  private Path privateFolder;
  private Thread removeAtExit;

  private ChildHandoff(Optional<Posix> posix, Inherited inherited, Charset charset) {
    this.posix = posix;
    this.inherited = inherited;
    this.charset = charset;
  }

  static ChildHandoff load(Inherited inherited) {
    if (inherited.coreLimit().isPresent()) {
      CoreDumps.link();
    }
    return new ChildHandoff(Posix.load(), inherited, ExecHandoff.jnuCharset());
  }

  /**
   * The files in a private folder ({@code kvload-run-RANDOM}, 0700) under {@code $XDG_RUNTIME_DIR}
   * or {@code /dev/shm}, removed when the child exits (or kvload is stopped); refused where neither
   * is a memory file system.
   */
  @Override
  public Map<String, String> files(List<File> files, Map<String, String> env) {
    if (files.isEmpty()) {
      return Map.of();
    }
    Path base = memoryFolder(env);
    try {
      privateFolder = Files.createTempDirectory(base, "kvload-run-");
    } catch (IOException e) {
      throw new Failure.Output(
          "cannot make a private folder for the command's files under "
              + base
              + " ("
              + e.getClass().getSimpleName()
              + "); nothing was started",
          e);
    }
    Path made = privateFolder;
    removeAtExit = new Thread(() -> FileSetWriter.deleteTree(made), "kvload-remove-run-files");
    Runtime.getRuntime().addShutdownHook(removeAtExit);
    Map<String, byte[]> contents = new LinkedHashMap<>();
    files.forEach(f -> contents.put(f.path(), f.content()));
    Path folder;
    try {
      folder = FileSetWriter.write(privateFolder.resolve("files"), contents, false, s -> {});
    } catch (Failure e) {
      removeFiles();
      throw e;
    }
    Map<String, String> paths = new LinkedHashMap<>();
    files.stream()
        .filter(f -> f.env() != null)
        .forEach(f -> paths.put(f.env(), folder.resolve(f.path()).toString()));
    return paths;
  }

  private static Path memoryFolder(Map<String, String> env) {
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isEmpty() && Path.of(runtime).isAbsolute()) {
      Path dir = Path.of(runtime);
      if (Files.isDirectory(dir)) {
        // Refused before anything is made there, and named: the user pointed kvload at it, so
        // another folder in its place would surprise them.
        EnvFileWriter.persistentFileSystem(dir)
            .ifPresent(
                type -> {
                  throw new Failure.Output(
                      "the manifest has files, and $XDG_RUNTIME_DIR ("
                          + dir
                          + ") is on "
                          + type
                          + ", not a memory file system: nothing was started; point"
                          + " XDG_RUNTIME_DIR at a folder on tmpfs, or unset it to use /dev/shm",
                      null);
                });
        return dir;
      }
    }
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && EnvFileWriter.persistentFileSystem(shm).isEmpty()) {
      return shm;
    }
    throw new Failure.Output(
        "the manifest has files, and this system has no memory file system for them"
            + " ($XDG_RUNTIME_DIR, /dev/shm): nothing was started; use kvload export -o FILE"
            + " --files-dir DIR --allow-persistent if a disk is acceptable",
        null);
  }

  private void removeFiles() {
    if (privateFolder != null) {
      FileSetWriter.deleteTree(privateFolder);
      try {
        Runtime.getRuntime().removeShutdownHook(removeAtExit);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs anyway and finds nothing.
      }
    }
  }

  @Override
  public void check(List<String> command, Environment environment) {
    arguments(command, Handoff.forCommand(environment).asMap());
  }

  @Override
  public int start(List<String> command, Environment environment) {
    Map<String, String> wanted = Handoff.forCommand(environment).asMap();
    List<String> argv = arguments(command, wanted);
    ProcessBuilder builder = new ProcessBuilder(argv).inheritIO();
    copyEnvironment(wanted, builder.environment());
    // The child inherits ignored signals: the ones ignored when kvload started, no more, no less.
    posix.ifPresent(p -> SignalDispositions.restore(p, inherited, false));
    Forwarder forwarder = new Forwarder(posix);
    forwarder.install();
    Process child;
    try {
      // The child inherits the soft core limit kvload was started with. Setting another process's
      // limit (prlimit) would come after the command had started; so kvload has its own back for
      // the few milliseconds of the start, then 0 again.
      inherited.coreLimit().ifPresent(CoreDumps::setSoft);
      child = builder.start();
    } catch (IOException e) {
      removeFiles();
      String reason = String.valueOf(e.getMessage());
      // The JDK says "error=2, ..." or "Exec failed, error: 2 (...)": ENOENT.
      boolean notFound = ENOENT.matcher(reason).find();
      if (notFound && posix.isPresent()) {
        // The search found the file: what is missing is its interpreter.
        throw CommandSearch.missingInterpreter(command.getFirst());
      }
      throw notFound
          ? new Failure.Command(false, command.getFirst() + ": command not found")
          : new Failure.Command(true, command.getFirst() + ": cannot run it (" + reason + ")");
    } finally {
      inherited.coreLimit().ifPresent(soft -> CoreDumps.setSoft(0));
    }
    forwarder.attach(child);
    posix.ifPresent(
        p -> Signals.number("QUIT").ifPresent(quit -> p.setDisposition(quit, Posix.SIG_IGN)));
    try {
      return waitFor(child);
    } finally {
      removeFiles();
    }
  }

  private List<String> arguments(List<String> command, Map<String, String> wanted) {
    List<byte[]> exact =
        ProcessBytes.arguments(command, posix.flatMap(Posix::arguments).orElse(List.of()), charset);
    for (int i = 0; i < command.size(); i++) {
      // The JDK encodes arguments with the locale's charset: refuse any that would come out other
      // than kvload got them (non-ASCII under a C locale, bytes that are not UTF-8 under UTF-8).
      if (!charset.newEncoder().canEncode(command.get(i))
          || !Arrays.equals(exact.get(i), command.get(i).getBytes(charset))) {
        throw new Failure.Command(
            true,
            command.getFirst()
                + ": "
                + (i == 0 ? "its name" : "argument " + i)
                + " cannot be passed to a child process unchanged in this locale's charset ("
                + charset
                + (charset.equals(StandardCharsets.UTF_8)
                    ? "): it is not valid UTF-8"
                    : "); use a UTF-8 locale, e.g. LC_ALL=C.UTF-8"));
      }
    }
    List<String> argv = new ArrayList<>(command);
    posix.ifPresent(
        files -> {
          // Searched in the command's own PATH, as execvp after setting the environment would.
          String path = wanted.get("PATH");
          byte[] program =
              CommandSearch.find(
                  command.getFirst(),
                  command.getFirst().getBytes(charset),
                  path == null ? null : path.getBytes(charset),
                  files);
          argv.set(0, new String(program, charset));
        });
    return argv;
  }

  /**
   * Changes the inherited environment into the wanted one, touching only what differs: the JDK
   * keeps the original bytes of variables left alone, and encodes the others with the locale's
   * charset.
   */
  private void copyEnvironment(Map<String, String> wanted, Map<String, String> child) {
    child.keySet().retainAll(wanted.keySet());
    wanted.forEach(
        (name, value) -> {
          if (value.equals(child.get(name))) {
            return;
          }
          if (!charset.newEncoder().canEncode(name + value)) {
            throw new Failure.Secret(
                List.of(
                    name
                        + ": its value cannot be passed to a child process in this locale's"
                        + " charset ("
                        + charset
                        + ")",
                    "use a UTF-8 locale, e.g. LC_ALL=C.UTF-8"));
          }
          child.put(name, value);
        });
  }

  private static int waitFor(Process child) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return child.waitFor();
        } catch (InterruptedException e) {
          // The command decides when the run ends.
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Passes signals on to the child. A signal that comes before the child exists is kept and
   * delivered once it does, so that none is lost and none ends kvload with the child left running.
   */
  private static final class Forwarder {
    private final Optional<Posix> posix;
    private final List<Integer> pending = new ArrayList<>();
    private final int term = Signals.number("TERM").orElse(-1);
    private Process child;

    Forwarder(Optional<Posix> posix) {
      this.posix = posix;
    }

    void install() {
      for (String name : FORWARDED) {
        boolean ignored =
            Signals.number(name).stream()
                .anyMatch(n -> posix.flatMap(p -> p.disposition(n)).orElse(-1L) == Posix.SIG_IGN);
        // An ignored signal stays ignored, and the child inherits it so, as it should.
        if (!ignored) {
          Signals.handle(name, this::receive);
        }
      }
    }

    synchronized void attach(Process started) {
      child = started;
      pending.forEach(this::deliver);
      pending.clear();
    }

    private synchronized void receive(int signal) {
      if (child == null) {
        pending.add(signal);
      } else {
        deliver(signal);
      }
    }

    private void deliver(int signal) {
      if (posix.isPresent()) {
        posix.get().kill(child.pid(), signal);
      } else if (signal == term) {
        child.destroy();
      }
      // Elsewhere (Windows) the console delivers Ctrl-C to the child itself.
    }
  }
}
