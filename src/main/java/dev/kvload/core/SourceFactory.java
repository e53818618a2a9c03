package dev.kvload.core;

import dev.kvload.vault.SecretSource;

/** Opens the secret source for a run; the Key Vault one in production. */
@FunctionalInterface
public interface SourceFactory {
  SecretSource open(Settings settings, Session session);
}
