package dev.kvload.manifest;

import java.util.Locale;
import java.util.Optional;

/** How a secret's value becomes a file's bytes ({@code "format"} in a {@code files} entry). */
public enum FileFormat {
  /** The value as is, UTF-8. */
  RAW,
  /** The value is base64: the file holds the decoded bytes (keystores, other binary secrets). */
  BASE64,
  /** A Key Vault certificate's private key (PKCS#8) and certificate chain, PEM. */
  PEM,
  /** A Key Vault certificate's chain only, PEM. */
  CERT,
  /** A Key Vault certificate's private key only, PKCS#8 PEM. */
  KEY,
  /** A Key Vault certificate as PKCS#12 bytes, without a password. */
  PFX;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for the formats that read a Key Vault certificate's secret. */
  public boolean certificate() {
    return this == PEM || this == CERT || this == KEY || this == PFX;
  }

  public static Optional<FileFormat> parse(String text) {
    for (FileFormat f : values()) {
      if (f.label().equals(text)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
