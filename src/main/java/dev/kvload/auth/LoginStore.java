package dev.kvload.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kvload.Failure;
import dev.kvload.output.DefaultEnvFile;
import dev.kvload.output.EnvFileWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one file that holds a {@code kvload login}: {@code $XDG_STATE_HOME/kvload/login.json}, else
 * {@code ~/.local/state/kvload/login.json}; never relative to the working folder, so never inside a
 * workspace or repository. The file is 0600 in a 0700 folder, written atomically, and read only
 * when both are the user's own and closed to everyone else (as OpenSSH treats a private key): a
 * file another user could read holds a refresh token they may have copied, and one they could have
 * written may sign kvload in as someone else.
 *
 * <p>Not encrypted: on Linux without a keyring there is nothing to encrypt it with that the same
 * user could not read too, as with the Azure CLI's own token cache.
 */
public final class LoginStore {
  static final String FILE = "login.json";
  private static final int FORMAT = 1;
  private static final int GROUP_OR_OTHER = 0077;
  private static final JsonFactory JSON = new JsonFactory();

  /** What {@link #notPrivate} says of a path that is not there. */
  private static final String MISSING = "missing";

  private final Path file;

  private LoginStore(Path file) {
    this.file = file;
  }

  /**
   * The store of the user whose environment this is.
   *
   * @throws Failure.Usage when neither XDG_STATE_HOME nor HOME is an absolute path
   */
  public static LoginStore of(Map<String, String> env) {
    return new LoginStore(folder(env).resolve(FILE));
  }

  /** Where the login is kept; the XDG base directory rules (a relative path counts as unset). */
  static Path folder(Map<String, String> env) {
    String state = env.get("XDG_STATE_HOME");
    if (state != null && !state.isBlank() && Path.of(state).isAbsolute()) {
      return Path.of(state).resolve("kvload");
    }
    String home = env.get("HOME");
    if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) {
      return Path.of(home, ".local", "state", "kvload");
    }
    throw new Failure.Usage(
        "cannot tell where the login is kept: neither XDG_STATE_HOME nor HOME is an absolute path",
        "next step: set HOME (or XDG_STATE_HOME) to your own folder");
  }

  public Path file() {
    return file;
  }

  /** Whether a login file is there, good or not: one stat, no parsing, no MSAL. */
  public boolean exists() {
    return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * The stored login, or empty when there is none.
   *
   * @throws Failure.Auth when the file or its folder is not private to the user, or unreadable
   */
  public Optional<StoredLogin> load() {
    if (!exists()) {
      return Optional.empty();
    }
    String problem = notPrivate(file.getParent(), true);
    if (problem == null) {
      problem = notPrivate(file, false);
    }
    if (MISSING.equals(problem)) {
      return Optional.empty();
    }
    if (problem != null) {
      throw new Failure.Auth(List.of("refusing the stored login: " + problem), null);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new Failure.Auth(
          List.of(
              "cannot read the stored login " + file + " (" + e.getClass().getSimpleName() + ")",
              "next step: run 'kvload login' to sign in again"),
          e);
    }
    return Optional.of(parse(bytes));
  }

  private StoredLogin parse(byte[] bytes) {
    Map<String, String> fields = Json.topLevel(bytes);
    try {
      if (!String.valueOf(FORMAT).equals(fields.get("format"))) {
        throw new IllegalArgumentException("format");
      }
      return new StoredLogin(
          required(fields, "authorityHost"),
          required(fields, "tenant"),
          required(fields, "clientId"),
          fields.getOrDefault("username", ""),
          fields.get("homeTenant"),
          Instant.parse(required(fields, "signedIn")),
          Instant.parse(required(fields, "refreshed")),
          required(fields, "msal"));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new Failure.Auth(
          List.of(
              "the stored login " + file + " is damaged or from another kvload version",
              "next step: run 'kvload login' to sign in again"),
          null);
    }
  }

  private static String required(Map<String, String> fields, String name) {
    String value = fields.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name);
    }
    return value;
  }

  /**
   * Writes the login atomically (0600, the folder made 0700), refusing a folder that is not the
   * user's own and closed to others.
   *
   * @throws Failure.Output when refused or when writing fails
   */
  public void save(StoredLogin login, Consumer<String> verbose) {
    checkFolderForWriting();
    write(file, serialise(login), verbose);
  }

  /**
   * Fails now, before anything is asked of the user, when the login could not be kept.
   *
   * @throws Failure.Output naming the folder and what to do
   */
  public void checkFolderForWriting() {
    String problem = notPrivate(file.getParent(), true);
    if (problem != null && !problem.equals(MISSING)) {
      throw new Failure.Output("refusing to keep the login there: " + problem, null);
    }
  }

  /**
   * The one call through which the login file is written: the env file writer's checks (every
   * folder up to / owned by the user or root and not writable by others; a temporary file made 0600
   * with O_EXCL, then renamed) serve the login as they serve secrets.
   */
  private static void write(Path target, byte[] content, Consumer<String> verbose) {
    EnvFileWriter.write(target, content, true, verbose);
  }

  /**
   * Removes the login.
   *
   * @return whether there was one
   */
  public boolean delete() {
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new Failure.Output(
          "cannot remove the stored login " + file + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /**
   * Null when {@code path} is a folder (or regular file) of the user's own that no one else may
   * read, write or enter; {@link #MISSING} when it is not there; else what is wrong, for a message.
   */
  private static String notPrivate(Path path, boolean folder) {
    PosixFileAttributes attributes;
    int uid;
    int mode;
    try {
      attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return MISSING;
    } catch (IOException | UnsupportedOperationException e) {
      return "cannot inspect " + path + " (" + e.getClass().getSimpleName() + ")";
    }
    String what = folder ? "folder" : "file";
    if (folder ? !attributes.isDirectory() : !attributes.isRegularFile()) {
      return path
          + " is not a "
          + (folder ? "folder" : "regular file")
          + " (a link or something else); remove it, then run 'kvload login'";
    }
    long self = DefaultEnvFile.currentUid();
    if (uid != self) {
      return "the "
          + what
          + " "
          + path
          + " belongs to uid "
          + uid
          + ", not to you (uid "
          + self
          + "); remove it, then run 'kvload login'";
    }
    if ((mode & GROUP_OR_OTHER) != 0) {
      return "the "
          + what
          + " "
          + path
          + " is open to other users (mode "
          + String.format("%04o", mode & 07777)
          + "); run 'chmod "
          + (folder ? "700 " : "600 ")
          + path
          + "'"
          + (folder ? "" : ", or 'kvload logout' and 'kvload login' if others may have read it");
    }
    return null;
  }

  private static byte[] serialise(StoredLogin login) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeNumberField("format", FORMAT);
      json.writeStringField("authorityHost", login.authorityHost());
      json.writeStringField("tenant", login.tenant());
      json.writeStringField("clientId", login.clientId());
      json.writeStringField("username", login.username());
      if (login.homeTenant() != null) {
        json.writeStringField("homeTenant", login.homeTenant());
      }
      json.writeStringField("signedIn", login.signedIn().toString());
      json.writeStringField("refreshed", login.refreshed().toString());
      json.writeStringField("msal", login.msalCache());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes.write('\n');
    return bytes.toByteArray();
  }
}
