package dev.kvload.auth;

/**
 * What one credential did when asked for a token: the material of the failure report.
 *
 * @param credential the SDK credential's name, as users find it in Azure's documentation
 * @param reason one line for users: never a secret, token or assertion
 * @param nextStep what to do about it, or null when only the whole chain can say
 * @param error what the SDK threw, for {@code -v}; null when kvload found the problem first
 */
record Attempt(String credential, Result result, String reason, String nextStep, Throwable error) {

  /** How a credential failed. */
  enum Result {
    /** Not set up here (variables unset, no endpoint, tool not installed or signed in). */
    UNAVAILABLE,
    /**
     * Entra ID refused what the credential presented (wrong secret, unknown app, no federation).
     */
    REJECTED,
    /** Anything else: a file that cannot be read, an endpoint that refused, the wrong tenant. */
    FAILED
  }

  static Attempt unavailable(String credential, String reason, String nextStep) {
    return new Attempt(credential, Result.UNAVAILABLE, reason, nextStep, null);
  }
}
