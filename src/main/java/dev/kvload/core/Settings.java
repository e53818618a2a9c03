package dev.kvload.core;

import dev.kvload.auth.AuthSettings;
import dev.kvload.env.ConflictPolicy;
import dev.kvload.manifest.VaultRef;
import java.time.Duration;
import java.util.Set;

/**
 * What the common options and their environment variables resolve to, for every command.
 *
 * @param manifest the {@code --manifest} path, or null to use the lookup order
 * @param vault replaces the manifest's default vault, or null
 * @param timeout the whole run's deadline
 * @param allowedVars variables that change how programs load code ({@code LD_PRELOAD}, {@code
 *     PATH}, ...) which the command line lets the manifest set, each by name; never the manifest
 * @param allowedVaultHosts vault hosts outside the Key Vault DNS suffixes that the command line or
 *     the environment trusts (an emulator, Azure Stack); never the manifest
 */
public record Settings(
    String manifest,
    VaultRef vault,
    AuthSettings auth,
    Duration timeout,
    ConflictPolicy onConflict,
    boolean allowExpired,
    boolean quiet,
    boolean verbose,
    Set<String> allowedVars,
    Set<String> allowedVaultHosts) {

  public Settings {
    allowedVars = Set.copyOf(allowedVars);
    allowedVaultHosts = Set.copyOf(allowedVaultHosts);
  }

  /** The same settings, with the manifest at {@code file}: a manifest kvload has just written. */
  public Settings withManifest(String file) {
    return new Settings(
        file,
        vault,
        auth,
        timeout,
        onConflict,
        allowExpired,
        quiet,
        verbose,
        allowedVars,
        allowedVaultHosts);
  }
}
