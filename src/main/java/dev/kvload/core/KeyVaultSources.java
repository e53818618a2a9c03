package dev.kvload.core;

import com.azure.core.credential.TokenCredential;
import dev.kvload.auth.Credentials;
import dev.kvload.http.RequestTags;
import dev.kvload.http.Transport;
import dev.kvload.vault.KeyVaultSource;
import dev.kvload.vault.SecretSource;
import java.time.Duration;

/** The production {@link SourceFactory}: Key Vault, with the credential the settings choose. */
public final class KeyVaultSources implements SourceFactory {
  /**
   * Requests in flight at once. Each one beyond the first needs a connection of its own (HTTP/1.1),
   * and so a TLS handshake: measured here (bench/compare.sh, 20 secrets), 8 beat 16 by 9-13% with
   * no added latency and with 25 ms per reply, and beat 4 when replies are slow. Key Vault allows
   * 4,000 GETs per 10 s per vault, far above this.
   */
  static final int MAX_IN_FLIGHT = 8;

  private static final Duration MAX_CONNECT = Duration.ofSeconds(10);

  @Override
  public SecretSource open(Settings settings, Session session) {
    Duration connect =
        settings.timeout().compareTo(MAX_CONNECT) < 0 ? settings.timeout() : MAX_CONNECT;
    RequestTags tags = RequestTags.forRun("kvload/" + Version.get());
    session
        .diagnostics()
        .verbose(
            "run "
                + tags.runId()
                + ": requests carry User-Agent "
                + tags.applicationId()
                + " and x-ms-client-request-id "
                + tags.runId()
                + "-<sequence>; search the vault's diagnostic logs for it");
    Transport transport = Transport.open(session.env(), connect, tags);
    try {
      TokenCredential credential =
          Credentials.create(settings.auth(), transport, session.diagnostics()::warn);
      return new KeyVaultSource(
          credential,
          transport,
          MAX_IN_FLIGHT,
          error -> Credentials.explain(settings.auth().mode(), error),
          session.clock(),
          session.diagnostics()::verbose,
          resource -> Credentials.prefetch(credential, settings.auth(), transport, resource));
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
  }
}
