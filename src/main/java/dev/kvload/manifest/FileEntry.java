package dev.kvload.manifest;

import java.util.List;

/**
 * One entry of the manifest's {@code files}: a file kvload materialises from a secret or a
 * template, and the variable that receives its path.
 *
 * @param path relative, checked by {@link FilePaths}: the name the file gets under the files folder
 * @param source the secret, or null for a template; its {@link Binding#variable()} is {@link
 *     #label()}
 * @param format how the secret's value becomes bytes; {@link FileFormat#RAW} for templates
 * @param template the parsed template, or null for a secret
 * @param env the variable that receives the file's path, or null
 */
public record FileEntry(
    String path,
    Binding source,
    FileFormat format,
    Template template,
    String env,
    boolean optional,
    int line,
    int column) {

  /** How messages name the file: {@code file tls/key.pem}. */
  public String label() {
    return label(path);
  }

  public static String label(String path) {
    return "file " + path;
  }

  /** The secrets this file is made of, each with the file as its variable. */
  public List<Binding> sources() {
    return source != null ? List.of(source) : template.bindings();
  }
}
