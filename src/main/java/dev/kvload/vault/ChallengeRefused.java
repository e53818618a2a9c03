package dev.kvload.vault;

/**
 * A vault's challenge asked for a token kvload will not give it ({@link Audience}). Thrown where
 * the token would have been asked for, so no token request is made; never retried.
 */
final class ChallengeRefused extends RuntimeException {
  /**
   * @param reason for users, after the vault's name: what the challenge asked for and why not
   */
  ChallengeRefused(String reason) {
    super(reason, null, false, false);
  }
}
