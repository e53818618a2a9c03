package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvload.Failure;
import dev.kvload.fake.SpecialFiles;
import dev.kvload.fake.SpecialFiles.Kind;
import dev.kvload.fake.TmpfsFolder;
import dev.kvload.guard.TestFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EnvFileWriter} against an attacker who shares the machine: links planted at the target and
 * at temporary names, folders others can write to or own, links to such folders. The writes go to a
 * fresh folder under {@code /dev/shm} (tmpfs, mode 1777 like on every Linux machine).
 */
class EnvFileWriterTest {
  private static final byte[] SECRETS = "export TOKEN='fresh'\n".getBytes(StandardCharsets.UTF_8);
  private static final Consumer<String> QUIET = line -> {};

  private final TmpfsFolder tmpfs = new TmpfsFolder();
  private final Path shm = tmpfs.path();
  private final List<String> said = new ArrayList<>();

  @AfterEach
  void clean() {
    tmpfs.close();
  }

  @Test
  void writesMode0600AndCreatesMissingFolders0700() throws IOException {
    Path target = shm.resolve("a/b/env");
    EnvFileWriter.write(target, SECRETS, false, said::add);
    assertEquals("rw-------", mode(target));
    assertEquals("rwx------", mode(shm.resolve("a")));
    assertEquals("rwx------", mode(shm.resolve("a/b")));
    assertEquals(List.of("env"), listing(shm.resolve("a/b")));
    assertEquals(1, said.size());
    assertTrue(said.getFirst().startsWith("writing " + target.toRealPath()), said::toString);
  }

  @Test
  void linkPlantedAtTheTargetIsReplacedNotFollowed() throws IOException {
    Path victim = Files.writeString(shm.resolve("victim"), "precious\n");
    Path target = shm.resolve("env");
    Files.createSymbolicLink(target, victim);
    EnvFileWriter.write(target, SECRETS, false, QUIET);
    assertEquals("precious\n", Files.readString(victim));
    assertFalse(Files.isSymbolicLink(target));
    assertEquals(new String(SECRETS, StandardCharsets.UTF_8), Files.readString(target));
  }

  @Test
  void linkPlantedAtATemporaryNameIsNotFollowed() throws IOException {
    Path victim = Files.writeString(shm.resolve("victim"), "precious\n");
    Path trap = shm.resolve(".env.predicted.tmp");
    Files.createSymbolicLink(trap, victim);
    Path target = shm.resolve("env");
    EnvFileWriter.write(target, SECRETS, false, QUIET, names("predicted", "fresh"));
    assertEquals("precious\n", Files.readString(victim));
    assertTrue(Files.isSymbolicLink(trap), "the planted link is left alone");
    assertEquals(new String(SECRETS, StandardCharsets.UTF_8), Files.readString(target));
  }

  @Test
  void danglingLinkAtATemporaryNameDoesNotCreateItsTarget() throws IOException {
    Path wanted = shm.resolve("attacker-wants-this");
    Files.createSymbolicLink(shm.resolve(".env.predicted.tmp"), wanted);
    EnvFileWriter.write(shm.resolve("env"), SECRETS, false, QUIET, names("predicted", "fresh"));
    assertFalse(Files.exists(wanted, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void everyTemporaryNameTakenIsRefusedWithNothingWritten() throws IOException {
    Path victim = Files.writeString(shm.resolve("victim"), "precious\n");
    Files.createSymbolicLink(shm.resolve(".env.same.tmp"), victim);
    Path target = shm.resolve("env");
    var failure =
        assertThrows(
            Failure.Output.class,
            () ->
                EnvFileWriter.write(
                    target, SECRETS, false, QUIET, names("same", "same", "same", "same", "same")));
    assertTrue(failure.getMessage().contains("kept existing"), failure::getMessage);
    assertEquals("precious\n", Files.readString(victim));
    assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void groupWritableFolderIsRefused() throws IOException {
    assertRefused("rwxrwx---", "is writable by other users (mode 0770)");
  }

  @Test
  void worldWritableFolderIsRefused() throws IOException {
    assertRefused("rwxrwxrwx", "is writable by other users (mode 0777)");
  }

  @Test
  void worldWritableAncestorIsRefused() throws IOException {
    Path open = Files.createDirectory(shm.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path mine = Files.createDirectory(open.resolve("mine"));
    Path target = mine.resolve("env");
    var failure =
        assertThrows(
            Failure.Output.class, () -> EnvFileWriter.write(target, SECRETS, false, QUIET));
    assertTrue(failure.getMessage().contains("folder " + open.toRealPath()), failure::getMessage);
    assertEquals(List.of(), listing(mine));
  }

  @Test
  void stickyWorldWritableFolderIsAccepted() throws IOException {
    // /dev/shm itself: others may create names there, but not rename or delete ours.
    Path sticky = Files.createDirectory(shm.resolve("sticky"));
    Files.setAttribute(sticky, "unix:mode", 01777);
    EnvFileWriter.write(sticky.resolve("env"), SECRETS, false, QUIET);
    assertEquals(List.of("env"), listing(sticky));
  }

  @Test
  void folderOfAnotherUserIsRefused() throws IOException {
    assumeTrue(isRoot(), "needs root to give a folder to another user");
    Path theirs = Files.createDirectory(shm.resolve("theirs"));
    Files.setAttribute(theirs, "unix:uid", 65534);
    var failure =
        assertThrows(
            Failure.Output.class,
            () -> EnvFileWriter.write(theirs.resolve("env"), SECRETS, false, QUIET));
    assertTrue(
        failure.getMessage().contains("belongs to another user (uid 65534)"), failure::getMessage);
    assertEquals(List.of(), listing(theirs));
  }

  @Test
  void linkedFolderIsResolvedOnceAndItsRealFolderChecked() throws IOException {
    Path real = Files.createDirectory(shm.resolve("real"));
    Path link = Files.createSymbolicLink(shm.resolve("link"), real);
    EnvFileWriter.write(link.resolve("env"), SECRETS, false, said::add);
    assertEquals(List.of("env"), listing(real));
    assertTrue(said.getFirst().startsWith("writing " + real.toRealPath().resolve("env")));
  }

  @Test
  void linkToAnUnsafeFolderIsRefused() throws IOException {
    Path open = Files.createDirectory(shm.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path link = Files.createSymbolicLink(shm.resolve("link"), open);
    assertThrows(
        Failure.Output.class,
        () -> EnvFileWriter.write(link.resolve("env"), SECRETS, false, QUIET));
    assertEquals(List.of(), listing(open));
  }

  @Test
  void persistentFolderIsRefusedUnlessAllowed() throws IOException {
    Path disk = TestFolder.create(TestFolder.TMP);
    try {
      assumeTrue(!"tmpfs".equals(Files.getFileStore(disk).type()), "the temp folder is tmpfs");
      var failure =
          assertThrows(
              Failure.Output.class,
              () -> EnvFileWriter.write(disk.resolve("env"), SECRETS, false, QUIET));
      assertTrue(failure.getMessage().contains("not tmpfs"), failure::getMessage);
      assertEquals(List.of(), listing(disk));
      assertThrows(
          Failure.Output.class,
          () -> EnvFileWriter.write(disk.resolve("new/folders/env"), SECRETS, false, QUIET));
      assertEquals(List.of(), listing(disk), "a refusal makes no folder either");
      EnvFileWriter.write(disk.resolve("env"), SECRETS, true, QUIET);
      assertEquals(List.of("env"), listing(disk));
    } finally {
      TestFolder.remove(disk);
    }
  }

  @Test
  void directoryAtTheTargetIsRefused() throws IOException {
    Path target = Files.createDirectory(shm.resolve("env"));
    var failure =
        assertThrows(
            Failure.Output.class, () -> EnvFileWriter.write(target, SECRETS, false, QUIET));
    assertTrue(failure.getMessage().contains("is a folder"), failure::getMessage);
  }

  static Stream<Arguments> specialTargets() {
    List<Arguments> cases = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      String words = kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
      String expected = kind == Kind.FIFO ? "a FIFO" : "a " + words;
      cases.add(Arguments.argumentSet(words, kind, false, "is " + expected + ", not a regular"));
      cases.add(
          Arguments.argumentSet(
              "a link to a " + words, kind, true, "is a link to " + expected + ", not a regular"));
    }
    return cases.stream();
  }

  /**
   * The rename would replace what is at the target (as root, {@code /dev/null} once): refused, left
   * as it was, no temporary file. A link to one is refused too, and neither replaced nor written
   * through.
   */
  @ParameterizedTest
  @MethodSource("specialTargets")
  void specialFileAtTheTargetIsRefusedAndUntouched(Kind kind, boolean viaLink, String said)
      throws IOException {
    Path special = SpecialFiles.make(kind, shm.resolve("special"));
    Path target = viaLink ? Files.createSymbolicLink(shm.resolve("env"), special) : special;
    List<String> before = listing(shm);
    Object type = Files.getAttribute(special, "unix:mode", LinkOption.NOFOLLOW_LINKS);

    var failure =
        assertThrows(
            Failure.Output.class, () -> EnvFileWriter.write(target, SECRETS, false, QUIET));

    assertTrue(failure.getMessage().contains(said), failure::getMessage);
    assertEquals(before, listing(shm), "nothing written, no temporary file");
    assertEquals(type, Files.getAttribute(special, "unix:mode", LinkOption.NOFOLLOW_LINKS));
    assertEquals(viaLink, Files.isSymbolicLink(target));
  }

  @Test
  void linkToAFolderAtTheTargetIsRefused() throws IOException {
    Path folder = Files.createDirectory(shm.resolve("folder"));
    Path target = Files.createSymbolicLink(shm.resolve("env"), folder);
    var failure =
        assertThrows(
            Failure.Output.class, () -> EnvFileWriter.write(target, SECRETS, false, QUIET));
    assertTrue(failure.getMessage().contains("is a link to a folder"), failure::getMessage);
    assertTrue(Files.isSymbolicLink(target));
    assertEquals(List.of(), listing(folder));
  }

  @Test
  void failedRenameLeavesNoTemporaryFile() throws IOException {
    // Once the temporary file exists, a directory appears at the target: the rename fails.
    Path target = shm.resolve("env");
    Consumer<String> race =
        line -> {
          try {
            Files.createDirectory(target);
            Files.writeString(target.resolve("keep"), "x");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
    var failure =
        assertThrows(Failure.Output.class, () -> EnvFileWriter.write(target, SECRETS, false, race));
    assertTrue(failure.getMessage().startsWith(target + ": cannot write"), failure::getMessage);
    assertEquals(List.of("env"), listing(shm), "the temporary file is gone");
  }

  private void assertRefused(String permissions, String message) throws IOException {
    Path folder = Files.createDirectory(shm.resolve("folder"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(permissions));
    var failure =
        assertThrows(
            Failure.Output.class,
            () -> EnvFileWriter.write(folder.resolve("env"), SECRETS, false, QUIET));
    assertTrue(failure.getMessage().contains(message), failure::getMessage);
    assertTrue(failure.getMessage().contains("chmod go-w"), failure::getMessage);
    assertEquals(List.of(), listing(folder));
  }

  private static Supplier<String> names(String... names) {
    Iterator<String> next = List.of(names).iterator();
    return next::next;
  }

  private static boolean isRoot() throws IOException {
    return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  private static List<String> listing(Path folder) {
    return TmpfsFolder.listing(folder);
  }
}
