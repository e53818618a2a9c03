package dev.kvload.vault;

import dev.kvload.manifest.SecretRef;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/** Where secrets come from. The Key Vault adapter is one; tests may plug in others. */
public interface SecretSource extends AutoCloseable {

  /**
   * Fetches each distinct reference once, in parallel, and returns by the deadline whatever
   * happens: references still unanswered then are {@link Outcome.Unreachable}.
   *
   * @return an outcome for every reference given
   * @throws dev.kvload.Failure.Auth when no token can be obtained or the vault rejects it
   */
  Map<SecretRef, Outcome> fetch(Collection<SecretRef> refs, Instant deadline);

  @Override
  void close();
}
