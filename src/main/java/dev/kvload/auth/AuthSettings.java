package dev.kvload.auth;

/**
 * How to authenticate.
 *
 * @param clientId a user-assigned managed identity or app registration; null for the default
 * @param tenantId the Entra tenant; null to take the environment's or the vault's
 */
public record AuthSettings(AuthMode mode, String clientId, String tenantId) {}
