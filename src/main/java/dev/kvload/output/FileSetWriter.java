package dev.kvload.output;

import dev.kvload.Failure;
import dev.kvload.manifest.FilePaths;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Writes a set of secret files all or none: the new set goes into a fresh folder of its own beside
 * the target ({@code .NAME.RANDOM}, 0700, files 0600, created with {@code O_EXCL|O_NOFOLLOW}), and
 * then a symbolic link at the target is renamed over the old one in one step. A reader of {@code
 * TARGET/tls/cert.pem} sees the old set or the new set, never a mix; a failure or an interrupt
 * before the rename leaves the old set as it was. The folder above must pass {@link
 * EnvFileWriter}'s checks (owned by this user, on tmpfs unless allowed).
 */
public final class FileSetWriter {
  private FileSetWriter() {}

  /**
   * @param target the folder path programs are given (a link kvload owns, or nothing yet)
   * @param files relative path to bytes
   * @return the folder's path, with which the files' paths are made
   * @throws Failure.Output when refused or when writing fails: the previous set is untouched
   */
  public static Path write(
      Path target, Map<String, byte[]> files, boolean allowPersistent, Consumer<String> verbose) {
    Path requested = target.toAbsolutePath().normalize();
    Path name = requested.getFileName();
    Path parent = requested.getParent();
    if (parent == null || name == null) {
      throw new Failure.Output(target + ": not a folder path for files", null);
    }
    Path folder = EnvFileWriter.safeFolder(parent, target, allowPersistent);
    Path link = folder.resolve(name);
    Path previous = previousSet(link, target);
    Staging staging = null;
    Thread cleanup = null;
    try {
      Path made = null;
      for (int attempt = 1; made == null; attempt++) {
        Path candidate = folder.resolve("." + name + "." + EnvFileWriter.nonce());
        try {
          Files.createDirectory(candidate, owner("rwx------"));
          made = candidate;
        } catch (java.nio.file.FileAlreadyExistsException e) {
          if (attempt == 5) {
            throw e;
          }
        }
      }
      staging = new Staging(made, previous);
      cleanup = hook(staging::stop);
      verbose.accept("writing " + files.size() + " files to " + link + " through " + made);
      for (var e : files.entrySet()) {
        // Checked again here: whatever the caller, nothing is written outside the new folder.
        String problem = FilePaths.problem(e.getKey());
        if (problem != null) {
          throw new Failure.Output(
              target + ": refusing file '" + e.getKey() + "': " + problem, null);
        }
        Path into = made;
        staging.step(() -> writeOne(into, e.getKey(), e.getValue()));
      }
      Path newLink = folder.resolve("." + name + "." + EnvFileWriter.nonce() + ".link");
      staging.switchTo(newLink, link);
      staging.removePrevious();
    } catch (Failure e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new Failure.Output(target + ": cannot write its files: " + EnvFileWriter.reason(e), e);
    } finally {
      if (staging != null) {
        staging.removeUnlessSwitched();
      }
      EnvFileWriter.cancel(cleanup, EnvFileWriter.ShutdownHooks.JVM);
    }
    return link;
  }

  private static void writeOne(Path made, String path, byte[] content) throws IOException {
    String[] segments = path.split("/");
    Path dir = made;
    for (int i = 0; i < segments.length - 1; i++) {
      dir = dir.resolve(segments[i]);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir, owner("rwx------"));
      }
    }
    try (FileChannel channel = EnvFileWriter.create(dir.resolve(segments[segments.length - 1]))) {
      EnvFileWriter.writeAll(channel, content);
    }
  }

  /**
   * The new folder's one fate, decided under one lock: the writer moves the link to it, or the
   * shutdown hook (SIGINT, SIGTERM) removes it, never both. The hook runs beside the writing
   * thread, which the JVM halts wherever it is once the hooks end: without the lock, a hook could
   * empty the folder while files were still being created in it (leaving it half written), or
   * remove it just before the link was moved to it (leaving no set at all).
   */
  private static final class Staging {
    private final Path folder;
    private final Path previous;
    // Read outside the lock too: the writer takes the lock again at once after each step, so a
    // hook waiting for it could wait until every file is written; this flag stops it at the next.
    private volatile boolean stopped;
    private boolean switched;

    Staging(Path folder, Path previous) {
      this.folder = folder;
      this.previous = previous;
    }

    /** Runs one step of writing the new folder, unless kvload is stopping. */
    synchronized void step(IoStep step) throws IOException {
      if (stopped) {
        throw new IOException("kvload is stopping");
      }
      step.run();
    }

    /** Moves a new link at {@code link} to the folder in one step. */
    synchronized void switchTo(Path newLink, Path link) throws IOException {
      step(() -> Files.createSymbolicLink(newLink, folder.getFileName()));
      try {
        Files.move(newLink, link, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        EnvFileWriter.deleteQuietly(newLink);
        throw e;
      }
      switched = true;
    }

    /** The set replaced goes once the link no longer reaches it. */
    synchronized void removePrevious() {
      if (previous != null) {
        deleteTree(previous);
      }
    }

    synchronized void removeUnlessSwitched() {
      if (!switched) {
        deleteTree(folder);
      }
    }

    /** The shutdown hook: whatever the writer was doing, only a whole set is left. */
    void stop() {
      stopped = true;
      synchronized (this) {
        if (switched) {
          removePrevious();
        } else {
          deleteTree(folder);
        }
      }
    }
  }

  private interface IoStep {
    void run() throws IOException;
  }

  /**
   * The folder the link at {@code link} points to now, when it is a set kvload wrote ({@code
   * .NAME.HEX} beside it), to remove once replaced; null when there is none.
   *
   * @throws Failure.Output when something else is at {@code link}: kvload replaces only its own
   *     link
   */
  private static Path previousSet(Path link, Path target) {
    if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    if (!Files.isSymbolicLink(link)) {
      throw new Failure.Output(
          "refusing to write files to "
              + target
              + ": it exists and is not the link kvload makes there; remove it, or pass"
              + " --files-dir with another path",
          null);
    }
    try {
      Path points = Files.readSymbolicLink(link);
      Pattern own =
          Pattern.compile("\\." + Pattern.quote(link.getFileName().toString()) + "\\.[0-9a-f]{16}");
      // Only a folder of kvload's beside the link is removed; a link planted to elsewhere is
      // replaced, and what it pointed at is left alone.
      if (points.getNameCount() == 1 && own.matcher(points.toString()).matches()) {
        return link.resolveSibling(points);
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static java.nio.file.attribute.FileAttribute<?> owner(String mode) {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode));
  }

  private static Thread hook(Runnable action) {
    Thread hook = new Thread(action, "kvload-remove-files");
    EnvFileWriter.ShutdownHooks.JVM.add(hook);
    return hook;
  }

  /** Removes a folder kvload made, never following a link inside it. */
  public static void deleteTree(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // Best effort: what is left is 0600 in a 0700 folder on tmpfs.
    }
  }
}
