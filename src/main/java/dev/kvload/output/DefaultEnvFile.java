package dev.kvload.output;

import dev.kvload.Failure;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where {@code kvload export -o} (no path) writes and {@code kvload shell-hook} reads: {@code
 * $XDG_RUNTIME_DIR/kvload/env} when that is the user's own private folder, else {@code
 * /dev/shm/kvload-UID/env}. Both are memory file systems; the folder is made 0700 and must stay
 * that way. {@link ShellHook} applies the same rules in the shell.
 */
public final class DefaultEnvFile {
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.complementOf(
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE));

  private DefaultEnvFile() {}

  /**
   * The default file for this user. {@code $XDG_RUNTIME_DIR} counts only when it is an absolute
   * path without a trailing slash naming a folder, not a link, that belongs to {@code uid} and that
   * neither group nor others may write: after {@code su} it may still name the other user's folder,
   * and a folder others can write to lets them plant the file first.
   *
   * @param uid the user's numeric id, for the shared {@code /dev/shm}
   */
  public static Path path(Map<String, String> env, long uid) {
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null
        && runtime.length() > 1
        && runtime.startsWith("/")
        && !runtime.endsWith("/")
        && privateFolder(runtime, uid)) {
      return Path.of(runtime).resolve("kvload").resolve("env");
    }
    return Path.of("/dev/shm", "kvload-" + uid, "env");
  }

  private static boolean privateFolder(String path, long uid) {
    try {
      Path dir = Path.of(path);
      PosixFileAttributes attributes =
          Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isDirectory()
          && owner(dir) == uid
          && !attributes.permissions().contains(PosixFilePermission.GROUP_WRITE)
          && !attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE);
    } catch (IOException | RuntimeException e) {
      return false; // unreadable, not a path, or no POSIX attributes: not a folder to trust
    }
  }

  /**
   * Makes the file's folder (0700) unless it exists, and checks that it belongs to {@code uid} and
   * nobody else may enter it: on the shared {@code /dev/shm} anyone could have made it first.
   *
   * @throws Failure.Output naming the folder and what to do
   */
  public static void prepare(Path file, long uid) {
    Path folder = file.getParent();
    try {
      Files.createDirectory(
          folder,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // Checked below, whoever made it.
    } catch (IOException e) {
      throw new Failure.Output(
          "cannot create "
              + folder
              + " for the default env file ("
              + e.getClass().getSimpleName()
              + "); pass -o FILE with a path on tmpfs",
          e);
    }
    PosixFileAttributes attributes;
    try {
      attributes =
          Files.readAttributes(folder, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new Failure.Output("cannot inspect " + folder + ": " + e.getClass().getSimpleName(), e);
    }
    if (!attributes.isDirectory()) {
      throw new Failure.Output(
          "refusing to write the default env file: "
              + folder
              + " is not a folder (a link or a file); remove it, or pass -o FILE",
          null);
    }
    long owner = owner(folder);
    if (owner != uid) {
      throw new Failure.Output(
          "refusing to write the default env file: "
              + folder
              + " belongs to uid "
              + owner
              + ", not to you (uid "
              + uid
              + "); remove it, or pass -o FILE",
          null);
    }
    Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
    loose.addAll(attributes.permissions());
    loose.retainAll(OTHERS);
    if (!loose.isEmpty()) {
      throw new Failure.Output(
          "refusing to write the default env file: "
              + folder
              + " is open to other users (mode "
              + PosixFilePermissions.toString(attributes.permissions())
              + "); run chmod 700 "
              + folder
              + ", or pass -o FILE",
          null);
    }
  }

  /** The numeric owner: PosixFileAttributes only gives a name, which may not resolve. */
  private static long owner(Path folder) {
    try {
      return ((Number) Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS))
          .longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      throw new Failure.Output("cannot read the owner of " + folder, e);
    }
  }

  /** The current user's numeric id. */
  public static long currentUid() {
    return new com.sun.security.auth.module.UnixSystem().getUid();
  }
}
