package dev.kvload.output;

import com.sun.security.auth.module.UnixSystem;
import dev.kvload.Failure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Writes a file of secrets so that no reader ever sees a partial file, nothing lands on a
 * persistent disk by accident, and no other user of the machine can redirect or replace it.
 *
 * <ul>
 *   <li>The folder (and every folder above it) must be owned by the user or root and not writable
 *       by others unless sticky, as OpenSSH demands of {@code ~/.ssh}: otherwise another user could
 *       swap the file, or the folder, between the write and the next {@code . FILE}. A missing
 *       folder is created with mode 0700.
 *   <li>The folder's real path is resolved once and used for everything after the checks, so a
 *       symbolic link on the way cannot be re-pointed in between.
 *   <li>Only a regular file (or a link, which is replaced) may be at the target: a device, FIFO,
 *       socket or folder there, or a link to one, is refused with nothing written.
 *   <li>The secrets go into a temporary file with a random name, created with {@code
 *       O_CREAT|O_EXCL} and {@code O_NOFOLLOW}, mode 0600 from the start, then renamed over the
 *       target. A link planted at the target is replaced, never followed; one planted at a
 *       temporary name makes the creation fail and another name is tried.
 *   <li>A shutdown hook removes the temporary file if SIGINT or SIGTERM ends the JVM mid-write, so
 *       the target is always the old complete file or the new complete file.
 * </ul>
 */
public final class EnvFileWriter {
  private static final Set<String> MEMORY_FILESYSTEMS = Set.of("tmpfs", "ramfs");
  private static final int STICKY = 01000;
  private static final int S_IFMT = 0170000;
  private static final int GROUP_OR_OTHER_WRITE = 0022;
  private static final int TEMPORARY_ATTEMPTS = 5;

  private EnvFileWriter() {}

  /** Where the hook that removes an unfinished temporary file goes: the JVM's, or a test's. */
  interface ShutdownHooks {
    /**
     * @throws IllegalStateException when the JVM is already shutting down
     */
    void add(Thread hook);

    void remove(Thread hook);

    ShutdownHooks JVM =
        new ShutdownHooks() {
          @Override
          public void add(Thread hook) {
            Runtime.getRuntime().addShutdownHook(hook);
          }

          @Override
          public void remove(Thread hook) {
            Runtime.getRuntime().removeShutdownHook(hook);
          }
        };
  }

  /**
   * Writes {@code content} to {@code target}.
   *
   * @param allowPersistent write even when the folder is not on a memory file system
   * @param verbose told the temporary file's name once it exists, for {@code -v}
   * @throws Failure.Output when refused or when writing fails; nothing is left behind then
   */
  public static void write(
      Path target, byte[] content, boolean allowPersistent, Consumer<String> verbose) {
    write(target, content, allowPersistent, verbose, EnvFileWriter::nonce);
  }

  static void write(
      Path target,
      byte[] content,
      boolean allowPersistent,
      Consumer<String> verbose,
      Supplier<String> nonces) {
    write(target, content, allowPersistent, verbose, nonces, ShutdownHooks.JVM);
  }

  static void write(
      Path target,
      byte[] content,
      boolean allowPersistent,
      Consumer<String> verbose,
      Supplier<String> nonces,
      ShutdownHooks hooks) {
    Path requested = target.toAbsolutePath();
    Path name = requested.getFileName();
    Path parent = requested.getParent();
    if (parent == null || name == null || name.toString().equals("..")) {
      throw new Failure.Output(target + ": not a file path", null);
    }
    Path folder = safeFolder(parent, target, allowPersistent);
    Path file = folder.resolve(name);
    refuseUnlessRegular(file, target);
    Path temporary = null;
    Thread cleanup = null;
    try {
      for (int attempt = 1; temporary == null; attempt++) {
        Path candidate = folder.resolve("." + name + "." + nonces.get() + ".tmp");
        try (FileChannel channel = create(candidate)) {
          temporary = candidate;
          cleanup = deleteOnShutdown(temporary, hooks);
          verbose.accept("writing " + file + " through " + temporary.getFileName());
          writeAll(channel, content);
        } catch (FileAlreadyExistsException e) {
          // Someone made a file (or a link) of that random name first: never reuse it.
          if (attempt == TEMPORARY_ATTEMPTS) {
            throw e;
          }
        }
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw new Failure.Output(
          target + ": the temporary file names kvload picked kept existing; try again", e);
    } catch (AtomicMoveNotSupportedException e) {
      deleteQuietly(temporary);
      throw new Failure.Output(target + ": cannot be replaced atomically on this file system", e);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temporary);
      throw new Failure.Output(target + ": cannot write: " + reason(e), e);
    } finally {
      cancel(cleanup, hooks);
    }
  }

  /**
   * Makes {@code parent} (0700) unless it exists, and returns its real path once it passed every
   * check: owned by this user or root all the way up, and on tmpfs unless {@code allowPersistent}.
   *
   * @param target named in messages
   * @throws Failure.Output when refused; a refusal for a persistent disk creates nothing
   */
  static Path safeFolder(Path parent, Path target, boolean allowPersistent) {
    if (!allowPersistent && !Files.isDirectory(parent)) {
      // Folders not made yet would be on their nearest existing ancestor's file system: refuse
      // before making them, so that a refusal leaves nothing behind on disk.
      refuseUnlessInMemory(nearestExisting(parent), target);
    }
    createFolder(parent, target);
    Path folder = realFolder(parent, target);
    checkOwnership(folder, target);
    if (!allowPersistent) {
      refuseUnlessInMemory(folder, target);
    }
    return folder;
  }

  /**
   * The rename replaces whatever is at the target: only a regular file may be there, or a link to a
   * regular file or to nothing (the link is replaced, never followed). A device, FIFO, socket or
   * folder, or a link to one ({@code /dev/stdout}), is refused before anything is written: as root,
   * {@code export -o /dev/null} once replaced the machine's {@code /dev/null} with a file of
   * secrets. Nobody else can swap the entry afterwards: its folder passed {@link #checkOwnership}.
   */
  private static void refuseUnlessRegular(Path file, Path target) {
    Kind kind = kind(file, LinkOption.NOFOLLOW_LINKS);
    String words = kind.words;
    if (kind == Kind.LINK) {
      kind = kind(file);
      words = "a link to " + kind.words;
    }
    switch (kind) {
      case FILE, NOTHING -> {}
      case FOLDER ->
          throw new Failure.Output(
              target + ": is " + words + "; give a file path such as " + target.resolve("env"),
              null);
      default ->
          throw new Failure.Output(
              target
                  + ": is "
                  + words
                  + ", not a regular file, and writing would replace it; give the path of a file,"
                  + " such as one under $XDG_RUNTIME_DIR",
              null);
    }
  }

  /** What can be at a path, in words for messages. */
  private enum Kind {
    NOTHING("nothing"),
    FILE("a file"),
    FOLDER("a folder"),
    LINK("a link"),
    FIFO("a FIFO"),
    SOCKET("a socket"),
    CHARACTER_DEVICE("a character device"),
    BLOCK_DEVICE("a block device"),
    SPECIAL("a special file");

    final String words;

    Kind(String words) {
      this.words = words;
    }
  }

  private static Kind kind(Path path, LinkOption... options) {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, options);
    } catch (java.nio.file.NoSuchFileException e) {
      return Kind.NOTHING;
    } catch (IOException e) {
      throw new Failure.Output(path + ": cannot inspect it: " + reason(e), e);
    }
    if (attributes.isRegularFile()) {
      return Kind.FILE;
    } else if (attributes.isDirectory()) {
      return Kind.FOLDER;
    } else if (attributes.isSymbolicLink()) {
      return Kind.LINK;
    }
    try {
      return switch ((Integer) Files.getAttribute(path, "unix:mode", options) & S_IFMT) {
        case 0010000 -> Kind.FIFO;
        case 0140000 -> Kind.SOCKET;
        case 0020000 -> Kind.CHARACTER_DEVICE;
        case 0060000 -> Kind.BLOCK_DEVICE;
        default -> Kind.SPECIAL;
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return Kind.SPECIAL;
    }
  }

  static FileChannel create(Path temporary) throws IOException {
    return FileChannel.open(
        temporary,
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  static void writeAll(FileChannel channel, byte[] content) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(content);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    channel.force(true);
  }

  /**
   * Removes the temporary file if the JVM is stopped (SIGINT, SIGTERM) before it is renamed. Once
   * renamed the name is gone, so a hook that runs late deletes nothing.
   */
  static Thread deleteOnShutdown(Path temporary, ShutdownHooks hooks) {
    Thread hook = new Thread(() -> deleteQuietly(temporary), "kvload-remove-temporary");
    try {
      hooks.add(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is already stopping: the write will not get far; remove the file ourselves.
      deleteQuietly(temporary);
      throw shuttingDown;
    }
    return hook;
  }

  static void cancel(Thread hook, ShutdownHooks hooks) {
    if (hook == null) {
      return;
    }
    try {
      hooks.remove(hook);
    } catch (IllegalStateException shuttingDown) {
      // Too late to remove it: it runs, and finds nothing or an unfinished file to delete.
    }
  }

  private static void refuseUnlessInMemory(Path folder, Path target) {
    persistentFileSystem(folder, target)
        .ifPresent(
            type -> {
              throw new Failure.Output(
                  "refusing to write secrets to "
                      + target
                      + ": its folder is on "
                      + type
                      + ", not tmpfs; write under $XDG_RUNTIME_DIR or /dev/shm, or pass"
                      + " --allow-persistent",
                  null);
            });
  }

  private static Path nearestExisting(Path folder) {
    Path p = folder;
    while (p.getParent() != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p;
  }

  private static void createFolder(Path folder, Path target) {
    if (Files.isDirectory(folder)) {
      return;
    }
    try {
      Files.createDirectories(
          folder,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new Failure.Output(
          target + ": cannot create its folder " + folder + ": " + reason(e), e);
    }
  }

  private static Path realFolder(Path folder, Path target) {
    try {
      return folder.toRealPath();
    } catch (IOException e) {
      throw new Failure.Output(target + ": cannot resolve its folder: " + reason(e), e);
    }
  }

  /**
   * Every folder from the target's up to {@code /} must be owned by this user or root, and not
   * writable by group or others unless it has the sticky bit ({@code /tmp}, {@code /dev/shm}).
   */
  private static void checkOwnership(Path folder, Path target) {
    if (!store(folder, target).supportsFileAttributeView(PosixFileAttributeView.class)) {
      return;
    }
    long self = new UnixSystem().getUid();
    for (Path p = folder; p != null; p = p.getParent()) {
      int uid;
      int mode;
      try {
        uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        throw new Failure.Output(target + ": cannot inspect folder " + p + ": " + reason(e), e);
      }
      if (uid != self && uid != 0) {
        throw new Failure.Output(
            "refusing to write secrets to "
                + target
                + ": folder "
                + p
                + " belongs to another user (uid "
                + uid
                + "), who could replace the file; write under a folder you own, such as"
                + " $XDG_RUNTIME_DIR",
            null);
      }
      if ((mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & STICKY) == 0) {
        throw new Failure.Output(
            "refusing to write secrets to "
                + target
                + ": folder "
                + p
                + " is writable by other users (mode "
                + String.format("%04o", mode & 07777)
                + "), who could replace the file; run 'chmod go-w "
                + p
                + "' or write elsewhere",
            null);
      }
    }
  }

  /**
   * The type of the file system {@code folder} is on when it is not a memory one (tmpfs, ramfs),
   * for the message refusing it; empty when it is one.
   *
   * @throws Failure.Output when its file system cannot be read
   */
  public static Optional<String> persistentFileSystem(Path folder) {
    return persistentFileSystem(folder, folder);
  }

  private static Optional<String> persistentFileSystem(Path folder, Path target) {
    String type = fileSystemType(folder, target);
    return MEMORY_FILESYSTEMS.contains(type) ? Optional.empty() : Optional.of(type);
  }

  private static String fileSystemType(Path folder, Path target) {
    return store(folder, target).type().toLowerCase(Locale.ROOT);
  }

  private static FileStore store(Path folder, Path target) {
    try {
      return Files.getFileStore(folder);
    } catch (IOException e) {
      throw new Failure.Output(target + ": cannot inspect its file system: " + reason(e), e);
    }
  }

  static String nonce() {
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // Best effort: the original failure is the one worth reporting.
    }
  }

  static String reason(Exception e) {
    String name = e.getClass().getSimpleName();
    return switch (e) {
      case java.nio.file.AccessDeniedException a -> "permission denied";
      case java.nio.file.NoSuchFileException n -> "no such file or folder";
      case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
      default -> e.getMessage() == null ? name : e.getMessage();
    };
  }
}
