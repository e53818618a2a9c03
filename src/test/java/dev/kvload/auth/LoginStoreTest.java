package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where the login is kept, and what kvload refuses to read or write there. */
class LoginStoreTest {
  private static final StoredLogin LOGIN =
      new StoredLogin(
          "https://login.microsoftonline.com/",
          "organizations",
          Login.DEFAULT_CLIENT_ID,
          "dev@contoso.example",
          "00000000-0000-4000-8000-00000000c0de",
          Instant.parse("2025-01-02T03:04:05Z"),
          Instant.parse("2025-01-03T03:04:05Z"),
          "{\"RefreshToken\":{\"k\":{\"secret\":\"fake-refresh\"}}}");

  @TempDir Path dir;

  static Stream<Arguments> locations() {
    return Stream.of(
        Arguments.argumentSet(
            "XDG_STATE_HOME wins",
            Map.of("XDG_STATE_HOME", "/state", "HOME", "/home/dev"),
            "/state/kvload"),
        Arguments.argumentSet(
            "a relative XDG_STATE_HOME is ignored, as the spec says (it would be in the workspace)",
            Map.of("XDG_STATE_HOME", "state", "HOME", "/home/dev"),
            "/home/dev/.local/state/kvload"),
        Arguments.argumentSet(
            "HOME alone", Map.of("HOME", "/home/dev"), "/home/dev/.local/state/kvload"));
  }

  @ParameterizedTest
  @MethodSource("locations")
  void folder(Map<String, String> env, String expected) {
    assertEquals(Path.of(expected), LoginStore.folder(env));
  }

  @Test
  void neitherHomeNorStateIsAUsageError() {
    Failure.Usage e =
        assertThrows(Failure.Usage.class, () -> LoginStore.folder(Map.of("HOME", "relative")));
    assertTrue(e.lines().getFirst().contains("neither XDG_STATE_HOME nor HOME"));
  }

  private LoginStore store() {
    Map<String, String> env = new HashMap<>();
    env.put("XDG_STATE_HOME", dir.resolve("state").toString());
    return LoginStore.of(env);
  }

  @Test
  void savesPrivatelyAndReadsBack() throws IOException {
    LoginStore store = store();
    assertTrue(store.load().isEmpty());
    store.save(LOGIN, line -> {});
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file().getParent())));
    assertEquals(LOGIN, store.load().orElseThrow());
    assertFalse(LOGIN.toString().contains("fake-refresh"), "toString never shows the cache");
    assertTrue(store.delete());
    assertFalse(store.delete());
    assertTrue(store.load().isEmpty());
  }

  /** A hostile or careless state of the folder or file, and the words of the refusal. */
  interface Setup {
    void apply(LoginStore store, Path dir) throws IOException;
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.argumentSet(
            "file readable by others",
            (Setup)
                (store, dir) ->
                    Files.setPosixFilePermissions(
                        store.file(), PosixFilePermissions.fromString("rw-r--r--")),
            "is open to other users (mode 0644)"),
        Arguments.argumentSet(
            "folder others may enter",
            (Setup)
                (store, dir) ->
                    Files.setPosixFilePermissions(
                        store.file().getParent(), PosixFilePermissions.fromString("rwxr-x--x")),
            "is open to other users (mode 0751)"),
        Arguments.argumentSet(
            "file replaced by a link to another file",
            (Setup)
                (store, dir) -> {
                  Path elsewhere = Files.move(store.file(), dir.resolve("elsewhere.json"));
                  Files.createSymbolicLink(store.file(), elsewhere);
                },
            "is not a regular file"),
        Arguments.argumentSet(
            "folder replaced by a link",
            (Setup)
                (store, dir) -> {
                  Path real = Files.move(store.file().getParent(), dir.resolve("real"));
                  Files.createSymbolicLink(store.file().getParent(), real);
                },
            "is not a folder"),
        Arguments.argumentSet(
            "damaged file",
            (Setup) (store, dir) -> Files.writeString(store.file(), "{\"format\":1,"),
            "is damaged"),
        Arguments.argumentSet(
            "another format",
            (Setup)
                (store, dir) ->
                    Files.writeString(
                        store.file(),
                        Files.readString(store.file()).replace("\"format\":1", "\"format\":2")),
            "is damaged or from another kvload version"));
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void refusesToRead(Setup setup, String words) throws IOException {
    LoginStore store = store();
    store.save(LOGIN, line -> {});
    setup.apply(store, dir);
    Failure.Auth e = assertThrows(Failure.Auth.class, store::load);
    assertTrue(e.lines().getFirst().contains(words), e.lines()::toString);
    assertFalse(String.join("\n", e.lines()).contains("fake-refresh"));
  }

  @Test
  void refusesToWriteIntoAFolderOthersMayEnter() throws IOException {
    LoginStore store = store();
    Files.createDirectories(
        store.file().getParent(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Failure.Output e = assertThrows(Failure.Output.class, () -> store.save(LOGIN, line -> {}));
    assertTrue(e.lines().getFirst().contains("is open to other users (mode 0755)"));
    assertFalse(Files.exists(store.file()));
  }
}
