package dev.kvload.vault;

/**
 * A failure to get a token, on its way out of the Key Vault client's pipeline. It keeps the
 * credential's exception aside instead of as its cause: the SDK's retry policy asks about every
 * cause of a failure, and a token request that failed on a refused connection would otherwise be
 * retried as if the vault had dropped one (the credential has retried its own requests already).
 */
final class TokenFailure extends RuntimeException {
  private final transient RuntimeException failure;

  TokenFailure(RuntimeException failure) {
    super("no token", null, false, false);
    this.failure = failure;
  }

  /** What the credential threw. */
  RuntimeException failure() {
    return failure;
  }
}
