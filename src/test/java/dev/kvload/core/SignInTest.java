package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvload.Failure;
import dev.kvload.auth.AuthMode;
import dev.kvload.auth.AuthSettings;
import dev.kvload.auth.LoginStore;
import dev.kvload.auth.StoredLogin;
import dev.kvload.env.ConflictPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload logout}: what it says and what it does with the stored login; and what {@code
 * kvload login} refuses before it asks anything. The sign-in itself needs Entra ID (the device code
 * flow through MSAL): the black-box tests run it against the fake.
 */
class SignInTest {
  private static final String REFRESH_TOKEN = "fake-refresh-token-never-shown";
  private static final String FORGOTTEN =
      " (the refresh token is forgotten here; Entra ID still honours copies until it expires or"
          + " your sessions are revoked)\n";

  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private static StoredLogin login(String username, String homeTenant) {
    return new StoredLogin(
        "https://login.microsoftonline.com/",
        "organizations",
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        username,
        homeTenant,
        Instant.parse("2025-01-02T03:04:05Z"),
        Instant.parse("2025-01-03T03:04:05Z"),
        "{\"RefreshToken\":{\"k\":{\"secret\":\"" + REFRESH_TOKEN + "\"}}}");
  }

  private Map<String, String> env() {
    return Map.of("XDG_STATE_HOME", dir.resolve("state").toString());
  }

  private Session session(boolean quiet) {
    return new Session(
        env(),
        dir,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), quiet, false),
        (settings, session) -> {
          throw new AssertionError("login and logout open no source");
        },
        Clock.systemUTC());
  }

  interface Stored {
    void put(LoginStore store) throws IOException;
  }

  static Stream<Arguments> logouts() {
    return Stream.of(
        Arguments.of(
            "a stored login: removed, and whose it was",
            (Stored) store -> store.save(login("dev@contoso.example", "home-tenant"), l -> {}),
            "kvload: signed out dev@contoso.example (tenant home-tenant): removed $FILE"
                + FORGOTTEN),
        Arguments.of(
            "no user name and no home tenant: the tenant given at login",
            (Stored) store -> store.save(login("", null), l -> {}),
            "kvload: signed out (no user name) (tenant organizations): removed $FILE" + FORGOTTEN),
        Arguments.of(
            "a damaged login is removed all the same, without a name",
            (Stored)
                store -> {
                  store.save(login("dev@contoso.example", "home-tenant"), l -> {});
                  Files.writeString(store.file(), "{}");
                },
            "kvload: signed out: removed $FILE" + FORGOTTEN),
        Arguments.of(
            "a login others could read is removed all the same: that is the way out",
            (Stored)
                store -> {
                  store.save(login("dev@contoso.example", "home-tenant"), l -> {});
                  Files.setPosixFilePermissions(
                      store.file(), PosixFilePermissions.fromString("rw-r--r--"));
                },
            "kvload: signed out: removed $FILE" + FORGOTTEN),
        Arguments.of(
            "nothing stored: nothing to remove, and where it looked",
            (Stored) store -> {},
            "kvload: no stored login ($FILE): nothing to remove\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("logouts")
  void logout(String name, Stored stored, String said) throws IOException {
    LoginStore store = LoginStore.of(env());
    stored.put(store);
    SignIn.logout(session(false));
    assertFalse(Files.exists(store.file()), "the login is gone");
    assertEquals(said.replace("$FILE", store.file().toString()), stderr());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("logouts")
  void quietLogoutSaysNothingAndStillRemoves(String name, Stored stored, String said)
      throws IOException {
    LoginStore store = LoginStore.of(env());
    stored.put(store);
    SignIn.logout(session(true));
    assertFalse(Files.exists(store.file()), "the login is gone");
    assertEquals("", stderr());
  }

  /**
   * A folder others may write to could swap the login for theirs: login refuses it before it shows
   * a code, so the user does not sign in for nothing.
   */
  @Test
  void loginRefusesAFolderOpenToOthersBeforeAskingAnything() throws IOException {
    Path folder = dir.resolve("state/kvload");
    Files.createDirectories(folder);
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
    Settings settings =
        new Settings(
            null,
            null,
            new AuthSettings(AuthMode.DEFAULT, null, null),
            Duration.ofSeconds(30),
            ConflictPolicy.OVERRIDE,
            false,
            false,
            false,
            Set.of(),
            Set.of());
    Failure.Output e =
        assertThrows(Failure.Output.class, () -> SignIn.login(session(false), settings));
    assertEquals(
        "refusing to keep the login there: the folder "
            + folder
            + " is open to other users (mode 0777); run 'chmod 700 "
            + folder
            + "'",
        e.lines().getFirst());
    assertEquals("", stderr(), "no code shown");
    assertFalse(Files.exists(folder.resolve("login.json")));
  }

  private String stderr() {
    String printed = err.toString(StandardCharsets.UTF_8);
    assertFalse(printed.contains(REFRESH_TOKEN), printed);
    assertFalse(printed.contains("RefreshToken"), printed);
    return printed;
  }
}
