package dev.kvload.exec;

import dev.kvload.Failure;
import dev.kvload.env.Environment;
import java.util.List;
import java.util.Map;

/**
 * How {@code kvload run} hands over to the command: by becoming it ({@link ExecHandoff}, execve),
 * or, where that is impossible, by starting it as a child and standing in for it ({@link
 * ChildHandoff}).
 */
public interface Handoff {
  /** Selects the fallback for tests: {@code child}; {@code exec} insists on execve. */
  String MODE_VARIABLE = "KVLOAD_EXEC";

  /** Variables meant for kvload alone: the command never sees them. */
  List<String> INTERNAL_VARIABLES = List.of(MODE_VARIABLE, Inherited.VARIABLE);

  /**
   * Runs the command with exactly this environment (less {@link #INTERNAL_VARIABLES}).
   *
   * @param command the program and its arguments, as given after {@code --}
   * @return the status kvload exits with; the execve handoff never returns, since the process is
   *     the command from then on
   * @throws Failure.Command when the command is not found (127) or cannot run (126)
   */
  int start(List<String> command, Environment environment);

  /**
   * A file for the command, made from secrets.
   *
   * @param path relative, checked against the manifest's rules
   * @param env the variable that receives where the command finds it, or null
   */
  record File(String path, byte[] content, String env) {
    @Override
    public String toString() {
      return "File[" + path + ", " + content.length + " bytes]";
    }
  }

  /**
   * Puts the files where the command will find them, before {@link #start}: in memory where the
   * system allows it, else in a private tmpfs folder removed when the command ends.
   *
   * @param env kvload's environment, for {@code $XDG_RUNTIME_DIR}
   * @return each {@link File#env()} variable's path
   * @throws dev.kvload.Failure.Output when the files cannot be made (no tmpfs for the fallback)
   */
  default Map<String, String> files(List<File> files, Map<String, String> env) {
    if (!files.isEmpty()) {
      throw new UnsupportedOperationException("this handoff takes no files");
    }
    return Map.of();
  }

  /**
   * Fails as {@link #start} would when the command cannot be found or run, so that a mistyped
   * command fails before anything is fetched. {@link #start} looks again, in the final environment.
   *
   * @throws Failure.Command when the command is not found (127) or cannot run (126)
   */
  void check(List<String> command, Environment environment);

  /**
   * The handoff this system and {@code KVLOAD_EXEC} call for. Its native calls are linked on
   * another thread, while the secrets are fetched: linking execve, sigaction and the rest takes ~60
   * ms, which would otherwise come before the first request.
   *
   * @param launch what main learned at start
   * @throws Failure.Usage when {@code KVLOAD_EXEC} names no mode
   */
  static Handoff forEnvironment(Map<String, String> env, Launch launch) {
    String mode = env.getOrDefault(MODE_VARIABLE, "");
    if (!List.of("", "child", "exec").contains(mode)) {
      throw new Failure.Usage(
          MODE_VARIABLE + ": '" + mode + "' is not a mode: use exec or child, or unset it");
    }
    return DeferredHandoff.start(
        () -> select(mode, Inherited.of(launch, ProcessHandle.current().pid())));
  }

  private static Handoff select(String mode, Inherited inherited) {
    return switch (mode) {
      case "child" -> ChildHandoff.load(inherited);
      case "exec" ->
          ExecHandoff.load(inherited)
              .orElseThrow(
                  () ->
                      new Failure.Usage(
                          MODE_VARIABLE
                              + "=exec: execve is not available on "
                              + System.getProperty("os.name")
                              + "/"
                              + System.getProperty("os.arch"),
                          "unset " + MODE_VARIABLE + " to run the command as a child process"));
      default ->
          ExecHandoff.load(inherited)
              .map(Handoff.class::cast)
              .orElseGet(() -> ChildHandoff.load(inherited));
    };
  }

  /** The environment less the variables meant for kvload alone. */
  static Environment forCommand(Environment environment) {
    Environment result = environment;
    for (String name : INTERNAL_VARIABLES) {
      result = result.unset(name);
    }
    return result;
  }
}
