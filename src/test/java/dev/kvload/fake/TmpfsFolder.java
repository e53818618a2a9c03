package dev.kvload.fake;

import dev.kvload.guard.TestFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A fresh folder under {@code /dev/shm} (tmpfs, where kvload writes env files without {@code
 * --allow-persistent}), mode 0700, removed with everything in it on close.
 */
public final class TmpfsFolder implements AutoCloseable {
  private final Path path;

  public TmpfsFolder() {
    path = TestFolder.create(TestFolder.SHM);
  }

  public Path path() {
    return path;
  }

  public Path resolve(String name) {
    return path.resolve(name);
  }

  /** The names in the folder (or in one below it), sorted. */
  public List<String> listing() {
    return listing(path);
  }

  public static List<String> listing(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    TestFolder.remove(path);
  }
}
