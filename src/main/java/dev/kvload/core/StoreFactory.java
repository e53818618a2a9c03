package dev.kvload.core;

import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.SecretStore;
import java.time.Instant;

/**
 * Opens the vault that {@code import} writes to and {@code init} lists; Key Vault in production.
 */
@FunctionalInterface
public interface StoreFactory {
  /**
   * @param deadline every request to the vault, retries included, ends by then
   */
  SecretStore open(Settings settings, Session session, VaultRef vault, Instant deadline);
}
