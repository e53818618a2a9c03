package dev.kvload.core;

import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.KeyVaultStore;
import dev.kvload.vault.SecretStore;
import java.time.Instant;

/** The production {@link StoreFactory}: Key Vault, with the credential the settings choose. */
public final class KeyVaultStores implements StoreFactory {
  @Override
  public SecretStore open(Settings settings, Session session, VaultRef vault, Instant deadline) {
    KeyVaultSources.Connection connection = KeyVaultSources.connect(settings, session);
    try {
      return new KeyVaultStore(
          vault,
          connection.credential(),
          connection.transport(),
          deadline,
          session.clock(),
          connection.authFailure());
    } catch (RuntimeException e) {
      connection.transport().close();
      throw e;
    }
  }
}
