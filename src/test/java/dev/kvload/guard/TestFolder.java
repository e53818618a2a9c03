package dev.kvload.guard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * How tests make folders outside the build: a fresh folder, mode 0700, under the temporary folder
 * or {@code /dev/shm}, named with this run's {@link #PREFIX}, and removed with everything in it
 * when the test ends. {@link LeftoverGuard} fails the test class that leaves one behind.
 * ({@code @TempDir} folders are JUnit's, which removes them itself once the guard has looked.)
 */
public final class TestFolder {
  /**
   * {@code kvload-test-RUN-}, RUN random per test JVM: the guard looks only for this run's names,
   * never at what test runs of other checkouts on the same machine leave meanwhile.
   */
  public static final String PREFIX =
      "kvload-test-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt()) + "-";

  /** The JVM's temporary folder, usually {@code /tmp}, on disk. */
  public static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

  /** On tmpfs, where kvload writes env files without {@code --allow-persistent}. */
  public static final Path SHM = Path.of("/dev/shm");

  private TestFolder() {}

  /** A new private folder under {@code parent} ({@link #TMP} or {@link #SHM}). */
  public static Path create(Path parent) {
    try {
      return Files.createTempDirectory(
          parent,
          PREFIX,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Removes the folder and everything in it, links never followed, whatever modes the test left (a
   * folder made unreadable to test a refusal is opened up first).
   */
  public static void remove(Path path) {
    try {
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(path)) {
          stream.forEach(entries::add);
        }
        entries.forEach(TestFolder::remove);
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the test's " + path, e);
    }
  }

  /** What this run has made and not removed yet, under {@link #TMP} and {@link #SHM}. */
  static List<Path> present() {
    List<Path> found = new ArrayList<>();
    for (Path parent : List.of(TMP, SHM)) {
      if (!Files.isDirectory(parent)) {
        continue;
      }
      try (Stream<Path> entries = Files.list(parent)) {
        entries.filter(p -> p.getFileName().toString().startsWith(PREFIX)).forEach(found::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return found;
  }
}
