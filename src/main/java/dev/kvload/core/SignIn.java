package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.auth.Login;
import dev.kvload.auth.LoginStore;
import dev.kvload.auth.StoredLogin;
import dev.kvload.http.RequestTags;
import dev.kvload.http.Transport;
import java.time.Duration;
import java.util.Optional;

/** {@code kvload login} and {@code kvload logout}: keep a signed-in account, or forget it. */
public final class SignIn {
  private static final Duration CONNECT = Duration.ofSeconds(10);

  private SignIn() {}

  /**
   * Signs in with the device code flow and keeps the login. The user code and the address to enter
   * it at are shown even with {@code -q}: without them there is no sign-in.
   */
  public static StoredLogin login(Session session, Settings settings) {
    LoginStore store = LoginStore.of(session.env());
    store.checkFolderForWriting();
    Diagnostics diagnostics = session.diagnostics();
    StoredLogin login;
    try (Transport transport =
        Transport.open(session.env(), CONNECT, RequestTags.forRun("kvload/" + Version.get()))) {
      login =
          Login.signIn(
              settings.auth(),
              transport,
              prompt -> {
                diagnostics.error(
                    "to sign in, open "
                        + prompt.verificationUri()
                        + " in a browser and enter the code "
                        + prompt.userCode());
                diagnostics.error(
                    "waiting for the sign-in (the code expires in "
                        + minutes(prompt.expiresIn())
                        + "; Ctrl-C to give up)");
                diagnostics.flush();
              },
              session.clock());
    }
    store.save(login, diagnostics::verbose);
    diagnostics.info(
        "signed in as "
            + who(login)
            + "; the login is kept in "
            + store.file()
            + " (readable by you only, not encrypted)");
    return login;
  }

  /** Removes the stored login; says where it was, and whose. */
  public static void logout(Session session) {
    LoginStore store = LoginStore.of(session.env());
    Optional<StoredLogin> stored;
    try {
      stored = store.load();
    } catch (Failure.Auth e) {
      stored = Optional.empty();
    }
    if (!store.delete()) {
      session.diagnostics().info("no stored login (" + store.file() + "): nothing to remove");
      return;
    }
    session
        .diagnostics()
        .info(
            "signed out"
                + stored.map(l -> " " + who(l)).orElse("")
                + ": removed "
                + store.file()
                + " (the refresh token is forgotten here; Entra ID still honours copies until"
                + " it expires or your sessions are revoked)");
  }

  static String who(StoredLogin login) {
    String tenant = login.homeTenant() != null ? login.homeTenant() : login.tenant();
    return (login.username().isEmpty() ? "(no user name)" : login.username())
        + " (tenant "
        + tenant
        + ")";
  }

  private static String minutes(Duration lifetime) {
    long minutes = lifetime.toMinutes();
    return minutes >= 1
        ? minutes + (minutes == 1 ? " minute" : " minutes")
        : lifetime.toSeconds() + " seconds";
  }
}
