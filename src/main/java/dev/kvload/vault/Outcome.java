package dev.kvload.vault;

import java.time.Instant;

/** What fetching one secret gave. Failures are values here so a run can report all of them. */
public sealed interface Outcome {

  /**
   * The secret, with the attributes kvload acts on.
   *
   * @param notBefore null when the secret has no {@code nbf}
   * @param expires null when the secret has no {@code exp}
   */
  record Found(SecretValue value, String version, Instant notBefore, Instant expires)
      implements Outcome {}

  /** 404: no such secret, or no such version. */
  record NotFound() implements Outcome {}

  /** 403 (or another refusal) from the vault: the identity may not read it. */
  record Forbidden(String detail) implements Outcome {}

  /** 403 because the secret (version) is disabled. */
  record Disabled() implements Outcome {}

  /**
   * The vault did not give a usable answer: network, TLS, 5xx, throttling or no answer in time.
   *
   * @param reason for users; never contains anything from a response body
   */
  record Unreachable(String reason) implements Outcome {}
}
