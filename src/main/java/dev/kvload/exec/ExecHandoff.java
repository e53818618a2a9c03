package dev.kvload.exec;

import dev.kvload.Failure;
import dev.kvload.env.Environment;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Becomes the command through {@code execve(2)}, as a shell's {@code exec} does: same PID, no JVM
 * left beside it, and the process state a shell would have given it.
 *
 * <ul>
 *   <li>Descriptors: exactly those kvload was started with; every one the JVM opened (jars, the
 *       module image, sockets, pipes) is marked close-on-exec first.
 *   <li>The soft core-dump limit kvload was started with, which it kept at 0 for itself.
 *   <li>Signals: an empty mask for the calling thread (JVM threads block some, and execve keeps the
 *       mask); ignored exactly where they were ignored at start. execve itself resets caught
 *       signals to default, but it keeps whatever is ignored, and the JVM takes over signals its
 *       parent had ignored (QUIT, PIPE, XFSZ, USR2).
 * </ul>
 */
public final class ExecHandoff implements Handoff {
  private static final byte[] SHELL = "/bin/sh".getBytes(StandardCharsets.US_ASCII);

  private final Posix posix;
  private final Inherited inherited;
  private final Charset decoder;
  private final List<Integer> memoryFiles = new ArrayList<>();
  private ChildHandoff fallback;

  private ExecHandoff(Posix posix, Inherited inherited) {
    this.posix = posix;
    this.inherited = inherited;
    this.decoder = jnuCharset();
  }

  /** The execve handoff, where this system allows it. */
  static Optional<ExecHandoff> load(Inherited inherited) {
    if (inherited.coreLimit().isPresent()) {
      CoreDumps.link();
    }
    return Posix.load().map(posix -> new ExecHandoff(posix, inherited));
  }

  @Override
  public void check(List<String> command, Environment environment) {
    program(command, arguments(command), environment(environment));
  }

  /**
   * Each file in a memfd left open across execve: the command, which keeps this PID, finds it at
   * {@code /proc/PID/fd/N}, and it goes when the command ends. Without memfds (macOS) the command
   * runs as a child instead, with a private tmpfs folder removed when it exits: after an execve
   * nothing would be left to remove the folder.
   */
  @Override
  public Map<String, String> files(List<File> files, Map<String, String> env) {
    if (files.isEmpty()) {
      return Map.of();
    }
    if (!posix.hasMemoryFiles()) {
      fallback = ChildHandoff.load(inherited);
      return fallback.files(files, env);
    }
    long pid = ProcessHandle.current().pid();
    Map<String, String> paths = new java.util.LinkedHashMap<>();
    for (File file : files) {
      int fd;
      try {
        fd = posix.memoryFile("kvload:" + file.path(), file.content());
      } catch (IllegalStateException e) {
        throw new Failure.Output(
            "cannot make the in-memory file "
                + file.path()
                + " ("
                + e.getMessage()
                + "); nothing was started",
            null);
      }
      memoryFiles.add(fd);
      if (file.env() != null) {
        paths.put(file.env(), "/proc/" + pid + "/fd/" + fd);
      }
    }
    return paths;
  }

  @Override
  public int start(List<String> command, Environment environment) {
    if (fallback != null) {
      return fallback.start(command, environment);
    }
    List<byte[]> envp = environment(environment);
    List<byte[]> argv = arguments(command);
    byte[] program = program(command, argv, envp);
    // From here on the process is being prepared for the command: nothing of kvload's may run.
    SignalDispositions.restore(posix, inherited, true);
    closeOwnDescriptorsOnExec();
    posix.unblockAllSignals();
    // Core dumps come back for the command only now, with nothing of kvload's left to run.
    inherited.coreLimit().ifPresent(CoreDumps::setSoft);
    int errno = posix.execve(program, argv, envp);
    if (errno == Posix.ENOEXEC) {
      // A file without #! is a shell script to execvp and to shells.
      List<byte[]> script = new ArrayList<>();
      script.add(SHELL);
      script.add(program);
      script.addAll(argv.subList(1, argv.size()));
      errno = posix.execve(SHELL, script, envp);
    }
    throw errno == Posix.ENOENT
        ? CommandSearch.missingInterpreter(command.getFirst())
        : new Failure.Command(true, command.getFirst() + ": " + posix.strerror(errno));
  }

  private List<byte[]> environment(Environment environment) {
    Map<String, String> wanted = Handoff.forCommand(environment).asMap();
    return ProcessBytes.environment(posix.environment(), wanted, decoder);
  }

  private List<byte[]> arguments(List<String> command) {
    return ProcessBytes.arguments(command, posix.arguments().orElse(List.of()), decoder);
  }

  private byte[] program(List<String> command, List<byte[]> argv, List<byte[]> envp) {
    return CommandSearch.find(
        command.getFirst(), argv.getFirst(), ProcessBytes.value(envp, "PATH").orElse(null), posix);
  }

  private void closeOwnDescriptorsOnExec() {
    for (int fd : posix.openDescriptors()) {
      if (!inherited.descriptors().contains(fd) && !memoryFiles.contains(fd)) {
        posix.closeOnExec(fd);
      }
    }
  }

  /** The charset the JVM decoded the environment and the arguments with. */
  static Charset jnuCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (IllegalArgumentException e) {
      return Charset.defaultCharset();
    }
  }
}
