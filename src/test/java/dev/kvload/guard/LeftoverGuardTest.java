package dev.kvload.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverGuardTest {
  @Test
  void aFolderLeftBehindFailsTheClassAndIsRemoved() throws IOException {
    Path left = TestFolder.create(TestFolder.TMP);
    Files.writeString(left.resolve("stderr.txt"), "output of a run");
    Path shm = TestFolder.create(TestFolder.SHM);
    Files.createDirectories(shm.resolve("kvload"));

    var failure =
        assertThrows(
            AssertionError.class,
            () -> LeftoverGuard.check("SomeIT", LeftoverGuard.DEV_NULL, true));

    assertTrue(failure.getMessage().startsWith("SomeIT left ["), failure::getMessage);
    assertTrue(failure.getMessage().contains(left.toString()), failure::getMessage);
    assertTrue(failure.getMessage().contains(shm.toString()), failure::getMessage);
    assertFalse(Files.exists(left));
    assertFalse(Files.exists(shm));
    LeftoverGuard.check("SomeIT", LeftoverGuard.DEV_NULL, true); // and the next class passes
  }

  @Test
  void devNullReplacedByAFileFailsTheClass(@TempDir Path dir) throws IOException {
    Path replaced = Files.writeString(dir.resolve("null"), "export TOKEN='test secret'\n");
    var failure =
        assertThrows(AssertionError.class, () -> LeftoverGuard.check("AuditIT", replaced, true));
    assertTrue(failure.getMessage().contains("other than a character device"), failure::getMessage);
  }

  @Test
  void devNullIsACharacterDeviceNow() throws IOException {
    assertTrue(LeftoverGuard.characterDevice(LeftoverGuard.DEV_NULL));
  }

  @Test
  void theGuardIsRegisteredForEveryTestClass() throws IOException {
    assertTrue(
        Files.readString(
                Path.of(
                    "src/test/resources/META-INF/services/org.junit.jupiter.api.extension.Extension"))
            .contains(LeftoverGuard.class.getName()));
  }

  /**
   * Folders outside a test's own are made only through {@link TestFolder} (or {@code @TempDir}),
   * whose names the guard knows: no test calls the JDK's temporary-folder methods on its own, which
   * default to /tmp under a name the guard cannot tell from another run's.
   */
  @Test
  void testsMakeFoldersOnlyThroughTestFolder() throws IOException {
    Path self = Path.of("src/test/java/dev/kvload/guard");
    try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
      List<String> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(
                  p ->
                      !p.equals(self.resolve("TestFolder.java"))
                          && !p.equals(self.resolve("LeftoverGuardTest.java")))
              .filter(
                  p -> {
                    String source = read(p);
                    return source.contains("createTempDirectory(")
                        || source.contains("createTempFile(\"")
                        || source.contains("File.createTempFile(");
                  })
              .map(Path::toString)
              .toList();
      assertEquals(List.of(), offenders, "make folders with TestFolder.create or @TempDir");
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
