package dev.kvload.exec;

import dev.kvload.Failure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the program a command name means, as {@code execvp(3)} and a shell do: a name with a slash
 * is a path; any other is looked up in each {@code PATH} folder in turn. Failures carry the shell's
 * words and statuses: 127 for not found, 126 for found but not runnable.
 */
final class CommandSearch {
  /** What {@code execvp} searches when {@code PATH} is unset (glibc's {@code _CS_PATH}). */
  static final byte[] DEFAULT_PATH = "/bin:/usr/bin".getBytes(StandardCharsets.US_ASCII);

  /** The file system questions the search asks, on paths as bytes. */
  interface Files {
    boolean exists(byte[] path);

    boolean directory(byte[] path);

    boolean executable(byte[] path);
  }

  private CommandSearch() {}

  /**
   * @param shown the command as the user typed it, for messages
   * @param name the same as bytes
   * @param path the value of {@code PATH}, or null when unset
   * @return the program to execute
   * @throws Failure.Command when there is none
   */
  static byte[] find(String shown, byte[] name, byte[] path, Files files) {
    if (name.length == 0) {
      throw new Failure.Command(false, "'': command not found");
    }
    if (ProcessBytes.indexOf(name, (byte) '/') >= 0) {
      if (!files.exists(name)) {
        throw new Failure.Command(false, shown + ": No such file or directory");
      }
      if (files.directory(name)) {
        throw new Failure.Command(true, shown + ": Is a directory");
      }
      if (!files.executable(name)) {
        throw new Failure.Command(true, shown + ": Permission denied");
      }
      return name;
    }
    boolean denied = false;
    for (byte[] folder : folders(path == null ? DEFAULT_PATH : path)) {
      // An empty PATH entry means the current folder, as in execvp.
      byte[] candidate =
          folder.length == 0 ? name : ProcessBytes.concat(folder, new byte[] {'/'}, name);
      if (!files.exists(candidate) || files.directory(candidate)) {
        continue;
      }
      if (files.executable(candidate)) {
        return candidate;
      }
      denied = true;
    }
    throw denied
        ? new Failure.Command(true, shown + ": Permission denied")
        : new Failure.Command(false, shown + ": command not found");
  }

  /**
   * The program was found, but the kernel says ENOENT: what is missing is the interpreter its
   * {@code #!} line names, or the loader it was linked for (126, as a shell says "bad
   * interpreter").
   */
  static Failure.Command missingInterpreter(String shown) {
    return new Failure.Command(
        true, shown + ": No such file or directory (a missing #! interpreter or loader?)");
  }

  private static List<byte[]> folders(byte[] path) {
    List<byte[]> folders = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= path.length; i++) {
      if (i == path.length || path[i] == ':') {
        folders.add(Arrays.copyOfRange(path, start, i));
        start = i + 1;
      }
    }
    return folders;
  }
}
