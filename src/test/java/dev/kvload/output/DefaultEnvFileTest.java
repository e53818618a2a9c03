package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvload.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DefaultEnvFileTest {
  @TempDir static Path runtime;
  private static final long ME = DefaultEnvFile.currentUid();
  private static final String FALLBACK = "/dev/shm/kvload-" + ME + "/env";

  @BeforeAll
  static void folders() throws IOException {
    Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
    for (String mode : List.of("rwxrwx---", "rwx---rwx", "rwxr-xr-x")) {
      Path folder = Files.createDirectory(runtime.resolve(mode));
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(mode));
    }
    Files.createSymbolicLink(runtime.resolve("link"), runtime);
    Files.writeString(runtime.resolve("file"), "");
  }

  static Stream<Arguments> paths() {
    return Stream.of(
        Arguments.of("private, the user's", runtime.toString(), ME, runtime + "/kvload/env"),
        Arguments.of(
            "readable by others", runtime + "/rwxr-xr-x", ME, runtime + "/rwxr-xr-x/kvload/env"),
        Arguments.of("unset", null, ME, FALLBACK),
        Arguments.of("empty", "", ME, FALLBACK),
        Arguments.of("relative", "run/user", ME, FALLBACK),
        Arguments.of("not there", runtime + "/missing", ME, FALLBACK),
        Arguments.of("a file", runtime + "/file", ME, FALLBACK),
        Arguments.of(
            "another user's (su kept it)",
            runtime.toString(),
            ME + 1,
            "/dev/shm/kvload-" + (ME + 1) + "/env"),
        Arguments.of("writable by the group", runtime + "/rwxrwx---", ME, FALLBACK),
        Arguments.of("writable by others", runtime + "/rwx---rwx", ME, FALLBACK),
        Arguments.of("a link to a private folder", runtime + "/link", ME, FALLBACK),
        Arguments.of("a trailing slash, as the hook", runtime + "/", ME, FALLBACK),
        Arguments.of("the root folder", "/", ME, FALLBACK));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void path(String name, String xdg, long uid, String expected) {
    Map<String, String> env = new HashMap<>();
    if (xdg != null) {
      env.put("XDG_RUNTIME_DIR", xdg);
    }
    assertEquals(Path.of(expected), DefaultEnvFile.path(env, uid));
  }

  @Test
  void prepareMakesAPrivateFolder(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kvload").resolve("env");
    DefaultEnvFile.prepare(file, DefaultEnvFile.currentUid());
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    DefaultEnvFile.prepare(file, DefaultEnvFile.currentUid()); // again: it is ours already
  }

  @Test
  void refusesAFolderOfAnotherUser(@TempDir Path dir) throws IOException {
    Path folder = Files.createDirectory(dir.resolve("kvload"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    long me = DefaultEnvFile.currentUid();
    var e =
        assertThrows(
            Failure.Output.class, () -> DefaultEnvFile.prepare(folder.resolve("env"), me + 1));
    assertTrue(e.getMessage().contains("belongs to uid " + me + ", not to you"), e::getMessage);
  }

  @Test
  void refusesAFolderOthersMayEnter(@TempDir Path dir) throws IOException {
    Path folder = Files.createDirectory(dir.resolve("kvload"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    var e =
        assertThrows(
            Failure.Output.class,
            () -> DefaultEnvFile.prepare(folder.resolve("env"), DefaultEnvFile.currentUid()));
    assertTrue(e.getMessage().contains("chmod 700 " + folder), e::getMessage);
  }

  @Test
  void refusesALinkInPlaceOfTheFolder(@TempDir Path dir) throws IOException {
    Path target = Files.createDirectory(dir.resolve("elsewhere"));
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
    Path link = Files.createSymbolicLink(dir.resolve("kvload"), target);
    var e =
        assertThrows(
            Failure.Output.class,
            () -> DefaultEnvFile.prepare(link.resolve("env"), DefaultEnvFile.currentUid()));
    assertTrue(e.getMessage().contains("is not a folder"), e::getMessage);
  }

  @Test
  void refusesAFolderChownedToSomeoneElse(@TempDir Path dir) throws IOException {
    assumeTrue(DefaultEnvFile.currentUid() == 0, "only root can give a folder away");
    Path folder = Files.createDirectory(dir.resolve("kvload"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    Files.setAttribute(folder, "unix:uid", 65534);
    assertThrows(Failure.Output.class, () -> DefaultEnvFile.prepare(folder.resolve("env"), 0));
  }
}
