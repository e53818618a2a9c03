package dev.kvload.manifest;

/**
 * One line of the manifest: an environment variable and the secret that fills it.
 *
 * @param optional a missing optional secret leaves the variable unset with a warning
 * @param line where the variable is named in the manifest (1-based), for messages
 * @param file the secret fills a file (its variable is the file's label): any byte may be in it,
 *     NUL included
 */
public record Binding(
    String variable, SecretRef secret, boolean optional, int line, int column, boolean file) {
  public Binding(String variable, SecretRef secret, boolean optional, int line, int column) {
    this(variable, secret, optional, line, column, false);
  }
}
