package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvload.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvFileWriterTest {
  private static final byte[] CONTENT = "export A='1'\n".getBytes(StandardCharsets.UTF_8);
  private Path shm;

  @BeforeEach
  void tmpfs() throws IOException {
    Path devShm = Path.of("/dev/shm");
    assumeTrue(
        Files.isDirectory(devShm) && Files.getFileStore(devShm).type().equals("tmpfs"),
        "needs /dev/shm on tmpfs");
    shm = Files.createTempDirectory(devShm, "kvload-test-");
  }

  @AfterEach
  void clean() throws IOException {
    if (shm != null) {
      try (Stream<Path> files = Files.walk(shm)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void writesWithMode0600AndNoTemporaryLeft() throws IOException {
    Path target = shm.resolve("env");
    EnvFileWriter.write(target, CONTENT, false);
    assertArrayEquals(CONTENT, Files.readAllBytes(target));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    try (Stream<Path> files = Files.list(shm)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void createsMissingFoldersWithMode0700() throws IOException {
    Path target = shm.resolve("a/b/env");
    EnvFileWriter.write(target, CONTENT, false);
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(shm.resolve("a/b"))));
  }

  @Test
  void replacesAnExistingFileAtomically() throws IOException {
    Path target = shm.resolve("env");
    Files.writeString(target, "old");
    EnvFileWriter.write(target, CONTENT, false);
    assertArrayEquals(CONTENT, Files.readAllBytes(target));
  }

  @Test
  void replacesASymlinkInsteadOfWritingThroughIt() throws IOException {
    Path victim = shm.resolve("victim");
    Files.writeString(victim, "precious");
    Path target = shm.resolve("env");
    Files.createSymbolicLink(target, victim);
    EnvFileWriter.write(target, CONTENT, false);
    assertEquals("precious", Files.readString(victim));
    assertFalse(Files.isSymbolicLink(target));
    assertArrayEquals(CONTENT, Files.readAllBytes(target));
  }

  @Test
  void refusesAPersistentFolderAndWritesNothing(@TempDir Path disk) throws IOException {
    assumeFalse(Files.getFileStore(disk).type().equals("tmpfs"), "needs a non-tmpfs temp dir");
    Path target = disk.resolve("env");
    var failure =
        assertThrows(Failure.Output.class, () -> EnvFileWriter.write(target, CONTENT, false));
    assertTrue(failure.getMessage().contains("--allow-persistent"), failure.getMessage());
    try (Stream<Path> files = Files.list(disk)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void writesAPersistentFolderWhenAllowed(@TempDir Path disk) throws IOException {
    Path target = disk.resolve("env");
    EnvFileWriter.write(target, CONTENT, true);
    assertArrayEquals(CONTENT, Files.readAllBytes(target));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS)));
  }

  @Test
  void refusesADirectoryTarget() {
    var failure =
        assertThrows(Failure.Output.class, () -> EnvFileWriter.write(shm, CONTENT, false));
    assertTrue(failure.getMessage().contains("is a directory"), failure.getMessage());
  }
}
