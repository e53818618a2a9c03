package dev.kvload.manifest;

import java.util.regex.Pattern;

/**
 * One secret in one vault, at one version or at the latest.
 *
 * @param version a version identifier, or null for the latest version
 */
public record SecretRef(VaultRef vault, String name, String version) {
  /** Key Vault's rule for secret names. */
  public static final Pattern NAME = Pattern.compile("[0-9A-Za-z-]{1,127}");

  public static final Pattern VERSION = Pattern.compile("[0-9A-Za-z]{1,64}");

  public boolean latest() {
    return version == null;
  }

  /** For messages: {@code 'db-password'} or {@code 'db-password' (version 1a2b)}. */
  public String describe() {
    return "'" + name + "'" + (latest() ? "" : " (version " + version + ")");
  }
}
