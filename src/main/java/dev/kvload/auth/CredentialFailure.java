package dev.kvload.auth;

import com.azure.core.exception.ClientAuthenticationException;
import java.util.List;

/**
 * No token: every credential tried, and what each did. It has no cause on purpose: an HTTP pipeline
 * retries a request when any exception in the chain looks transient (an I/O error deep inside MSAL
 * does), and a failed sign-in must end the run at once, not after a round of backoff. The SDK's
 * exception stays reachable through {@link #error()} for {@code -v}.
 */
public final class CredentialFailure extends ClientAuthenticationException {
  private static final long serialVersionUID = 1L;

  private final transient List<Attempt> attempts;
  private final transient AuthContext context;

  CredentialFailure(AuthContext context, List<Attempt> attempts) {
    super(summary(attempts), null);
    this.context = context;
    this.attempts = List.copyOf(attempts);
  }

  List<Attempt> attempts() {
    return attempts;
  }

  AuthContext context() {
    return context;
  }

  /** The exception that ended the chain, or null when kvload itself found the problem. */
  public Throwable error() {
    for (Attempt attempt : attempts.reversed()) {
      if (attempt.error() != null) {
        return attempt.error();
      }
    }
    return null;
  }

  private static String summary(List<Attempt> attempts) {
    return attempts.stream()
        .map(a -> a.credential() + ": " + a.reason())
        .reduce((a, b) -> a + "; " + b)
        .orElse("no credential to try");
  }
}
