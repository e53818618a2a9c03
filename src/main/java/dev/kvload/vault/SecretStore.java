package dev.kvload.vault;

import java.util.List;

/**
 * One vault that {@code import} writes to and {@code init} lists, beside the read-only fetch path
 * ({@link SecretSource}) rather than inside it: {@code run}, {@code export} and {@code check} never
 * hold anything that can write.
 *
 * <p>Every method answers or throws one of the project's failures, translated at the adapter:
 * {@link dev.kvload.Failure.Secret} when the vault refuses (403, a deleted secret that keeps its
 * name), {@link dev.kvload.Failure.Vault} when it cannot be reached or answers nonsense in time,
 * {@link dev.kvload.Failure.Auth} when no token can be had. Messages name the vault and the secret,
 * never a value.
 */
public interface SecretStore extends AutoCloseable {

  /** The latest version of a secret, as {@link #read} finds it. */
  sealed interface Current {
    /** No such secret (a deleted one included: Key Vault answers 404 for it too). */
    record Absent() implements Current {}

    /** The secret's latest version holds {@code value}. */
    record Present(SecretValue value, String version) implements Current {}

    /** The latest version is disabled: its value cannot be read. */
    record Disabled() implements Current {}
  }

  /** The latest version of secret {@code name}. */
  Current read(String name);

  /**
   * Writes a new version of secret {@code name} (creating the secret when there is none); nothing
   * is ever deleted.
   *
   * @return the new version's identifier
   */
  String write(String name, SecretValue value);

  /**
   * The names of the vault's enabled secrets, every page of the listing, without a single value
   * read. Names are as the vault sent them: a caller checks them before it uses one.
   */
  List<String> enabledNames();

  @Override
  void close();
}
