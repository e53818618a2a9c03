package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.SpecialFiles;
import dev.kvload.fake.SpecialFiles.Kind;
import dev.kvload.fake.TmpfsFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code export -o} on a shared machine, through the real CLI: what an attacker plants is inert.
 */
class ExportFileIT {
  private static final String VALUE = "postgres://app:file-s3cret@db/app";

  private final Harness h = new Harness();
  private final TmpfsFolder shm = new TmpfsFolder();

  ExportFileIT() {
    h.oneSecret(VALUE);
  }

  @AfterEach
  void close() {
    h.close();
    shm.close();
  }

  @Test
  void linkPlantedAtTheTargetIsReplacedAndItsTargetUntouched() throws IOException {
    Path victim = Files.writeString(shm.resolve("bashrc"), "# the user's shell start-up\n");
    Path env = shm.resolve("kvload/env");
    Files.createDirectories(env.getParent());
    Files.setPosixFilePermissions(env.getParent(), PosixFilePermissions.fromString("rwx------"));
    Files.createSymbolicLink(env, victim);

    var run = h.run().args("export", "-o", env.toString()).go();

    assertEquals(0, run.exit(), run::toString);
    assertEquals("# the user's shell start-up\n", Files.readString(victim));
    assertFalse(Files.isSymbolicLink(env));
    assertEquals("export DATABASE_URL='" + VALUE + "'\n", Files.readString(env));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(env, LinkOption.NOFOLLOW_LINKS)));
  }

  /**
   * {@code export -o} onto something that is not a regular file (as {@code /dev/null} was, as
   * root): exit 7, left as it was, nothing written beside it.
   */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void specialFileAtTheTargetIsRefusedWithExit7AndLeftAlone(Kind kind) throws IOException {
    Path special = SpecialFiles.make(kind, shm.resolve("special"));
    Path link = Files.createSymbolicLink(shm.resolve("link"), special);
    Object type = Files.getAttribute(special, "unix:mode", LinkOption.NOFOLLOW_LINKS);

    for (Path target : List.of(special, link)) {
      var run = h.run().args("export", "-o", target.toString()).go();

      assertEquals(7, run.exit(), run::toString);
      assertTrue(run.stderr().contains(target + ": is "), run::toString);
      assertTrue(run.stderr().contains(", not a regular file"), run::toString);
      assertEquals(List.of("link", "special"), shm.listing(), "nothing written beside it");
      assertEquals(type, Files.getAttribute(special, "unix:mode", LinkOption.NOFOLLOW_LINKS));
      assertTrue(Files.isSymbolicLink(link));
    }
  }

  @Test
  void folderOthersCanWriteIsRefusedWithExit7AndNothingWritten() throws IOException {
    Path open = Files.createDirectory(shm.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));

    var run = h.run().args("export", "-o", open.resolve("env").toString()).go();

    assertEquals(7, run.exit(), run::toString);
    assertTrue(run.stderr().contains("is writable by other users (mode 0777)"), run::toString);
    assertEquals(List.of(), TmpfsFolder.listing(open));
  }
}
