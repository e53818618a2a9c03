package dev.kvload.manifest;

/**
 * One line of the manifest: an environment variable and the secret that fills it.
 *
 * @param optional a missing optional secret leaves the variable unset with a warning
 * @param line where the variable is named in the manifest (1-based), for messages
 */
public record Binding(String variable, SecretRef secret, boolean optional, int line, int column) {}
