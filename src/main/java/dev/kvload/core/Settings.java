package dev.kvload.core;

import dev.kvload.auth.AuthSettings;
import dev.kvload.env.ConflictPolicy;
import dev.kvload.manifest.VaultRef;
import java.time.Duration;

/**
 * What the common options and their environment variables resolve to, for every command.
 *
 * @param manifest the {@code --manifest} path, or null to use the lookup order
 * @param vault replaces the manifest's default vault, or null
 * @param timeout the whole run's deadline
 */
public record Settings(
    String manifest,
    VaultRef vault,
    AuthSettings auth,
    Duration timeout,
    ConflictPolicy onConflict,
    boolean allowExpired,
    boolean quiet,
    boolean verbose) {}
