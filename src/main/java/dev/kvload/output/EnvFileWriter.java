package dev.kvload.output;

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
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Writes a file of secrets so that no reader ever sees a partial file and nothing lands on a
 * persistent disk by accident: mode 0600 from creation, a temporary file in the same folder renamed
 * over the target, and a refusal when the folder is not on tmpfs or ramfs.
 */
public final class EnvFileWriter {
  private static final Set<String> MEMORY_FILESYSTEMS = Set.of("tmpfs", "ramfs");

  private EnvFileWriter() {}

  /**
   * Writes {@code content} to {@code target}.
   *
   * @param allowPersistent write even when the folder is not on a memory file system
   * @throws Failure.Output when refused or when writing fails; nothing is left behind then
   */
  public static void write(Path target, byte[] content, boolean allowPersistent) {
    Path file = target.toAbsolutePath().normalize();
    Path folder = file.getParent();
    if (folder == null || file.getFileName() == null) {
      throw new Failure.Output(target + ": not a file path", null);
    }
    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new Failure.Output(
          target + ": is a directory; give a file path such as " + target.resolve("env"), null);
    }
    createFolder(folder, target);
    String type = fileSystemType(folder, target);
    if (!allowPersistent && !MEMORY_FILESYSTEMS.contains(type)) {
      throw new Failure.Output(
          "refusing to write secrets to "
              + target
              + ": its folder is on "
              + type
              + ", not tmpfs; write under $XDG_RUNTIME_DIR or /dev/shm, or pass --allow-persistent",
          null);
    }
    Path temporary = folder.resolve("." + file.getFileName() + "." + nonce() + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(
              temporary,
              Set.of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw new Failure.Output(
          target + ": a temporary file of the same name appeared; try again", e);
    } catch (AtomicMoveNotSupportedException e) {
      deleteQuietly(temporary);
      throw new Failure.Output(target + ": cannot be replaced atomically on this file system", e);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temporary);
      throw new Failure.Output(target + ": cannot write: " + reason(e), e);
    }
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

  private static String fileSystemType(Path folder, Path target) {
    try {
      FileStore store = Files.getFileStore(folder);
      return store.type().toLowerCase(Locale.ROOT);
    } catch (IOException e) {
      throw new Failure.Output(target + ": cannot inspect its file system: " + reason(e), e);
    }
  }

  private static String nonce() {
    byte[] bytes = new byte[6];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // Best effort: the original failure is the one worth reporting.
    }
  }

  private static String reason(Exception e) {
    String name = e.getClass().getSimpleName();
    return switch (e) {
      case java.nio.file.AccessDeniedException a -> "permission denied";
      case java.nio.file.NoSuchFileException n -> "no such file or folder";
      case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
      default -> e.getMessage() == null ? name : e.getMessage();
    };
  }
}
