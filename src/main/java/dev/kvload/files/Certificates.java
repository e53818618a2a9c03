package dev.kvload.files;

import dev.kvload.manifest.FileFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secret behind a Key Vault certificate, in the shapes programs want, with the JDK's own
 * KeyStore and certificate classes. Key Vault keeps it as a base64 PFX without a password ({@code
 * application/x-pkcs12}) or as PEM text with the key and the chain ({@code
 * application/x-pem-file}).
 *
 * <p>No message here quotes the secret, or says more about it than its shape.
 */
public final class Certificates {
  public static final String PKCS12 = "application/x-pkcs12";
  public static final String PEM = "application/x-pem-file";

  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+?)-----END \\1-----");

  private Certificates() {}

  /** The key (or none) and the chain, leaf first. */
  record Parts(PrivateKey key, List<X509Certificate> chain) {}

  /** A certificate's secret that kvload cannot read: says why, never what it holds. */
  static final class Unreadable extends Exception {
    Unreadable(String why) {
      super(why, null, false, false);
    }
  }

  /** True when the content type is one a certificate's secret has. */
  public static boolean isCertificate(String contentType) {
    return PKCS12.equalsIgnoreCase(contentType) || PEM.equalsIgnoreCase(contentType);
  }

  /**
   * The file's bytes.
   *
   * @throws Unreadable when the value is not what its content type says, or lacks what the format
   *     needs
   */
  static byte[] convert(String value, String contentType, FileFormat format) throws Unreadable {
    if (format == FileFormat.PFX && PKCS12.equalsIgnoreCase(contentType)) {
      return pfxBytes(value);
    }
    Parts parts = read(value, contentType);
    return switch (format) {
      case PEM -> concat(pem("PRIVATE KEY", key(parts).getEncoded()), chainPem(parts));
      case CERT -> chainPem(parts);
      case KEY -> pem("PRIVATE KEY", key(parts).getEncoded());
      case PFX -> pfx(parts);
      default -> throw new IllegalArgumentException(format.label());
    };
  }

  /** When the leaf certificate stops being valid, where the value holds one. */
  public static Optional<Instant> notAfter(String value, String contentType) {
    try {
      List<X509Certificate> chain = read(value, contentType).chain();
      return chain.isEmpty()
          ? Optional.empty()
          : Optional.of(chain.getFirst().getNotAfter().toInstant());
    } catch (Unreadable | RuntimeException e) {
      return Optional.empty();
    }
  }

  static Parts read(String value, String contentType) throws Unreadable {
    if (PKCS12.equalsIgnoreCase(contentType)) {
      return fromPkcs12(pfxBytes(value));
    }
    if (PEM.equalsIgnoreCase(contentType)) {
      return fromPem(value);
    }
    throw new Unreadable("not a certificate's secret");
  }

  private static byte[] pfxBytes(String value) throws Unreadable {
    try {
      return base64(value);
    } catch (IllegalArgumentException e) {
      throw new Unreadable("its value is not base64, as a PFX secret's must be");
    }
  }

  /**
   * Strict base64, line breaks and spaces allowed: the MIME decoder would skip any other stray
   * character and hand back bytes nobody stored.
   *
   * @throws IllegalArgumentException when it is not base64
   */
  static byte[] base64(String value) {
    return Base64.getDecoder().decode(value.replaceAll("[ \t\r\n]", ""));
  }

  private static Parts fromPkcs12(byte[] pfx) throws Unreadable {
    KeyStore store;
    char[] password = new char[0];
    try {
      store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(pfx), password);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new Unreadable("its value is not a PKCS#12 (PFX) file without a password");
    }
    try {
      PrivateKey key = null;
      List<X509Certificate> chain = new ArrayList<>();
      for (String alias : Collections.list(store.aliases())) {
        if (key == null && store.isKeyEntry(alias)) {
          Key k = store.getKey(alias, password);
          if (k instanceof PrivateKey p) {
            key = p;
            chain.clear();
            Certificate[] certs = store.getCertificateChain(alias);
            for (Certificate c : certs == null ? new Certificate[0] : certs) {
              chain.add((X509Certificate) c);
            }
          }
        } else if (key == null && store.isCertificateEntry(alias)) {
          chain.add((X509Certificate) store.getCertificate(alias));
        }
      }
      return new Parts(key, chain);
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new Unreadable("its PKCS#12 key cannot be read without a password");
    }
  }

  private static Parts fromPem(String text) throws Unreadable {
    PrivateKey key = null;
    List<X509Certificate> chain = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      while (m.find()) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        switch (m.group(1)) {
          case "CERTIFICATE" ->
              chain.add(
                  (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
          case "PRIVATE KEY" -> {
            if (key == null) {
              key = privateKey(der);
            }
          }
          case "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" ->
              throw new Unreadable(
                  "its key is a "
                      + m.group(1)
                      + " block; kvload reads unencrypted PKCS#8 (PRIVATE KEY), as Key Vault"
                      + " exports it");
          default -> {}
        }
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new Unreadable("its value is not PEM text with certificates and a PKCS#8 key");
    }
    if (key == null && chain.isEmpty()) {
      throw new Unreadable("its value holds no PEM certificate or key");
    }
    return new Parts(key, chain);
  }

  private static PrivateKey privateKey(byte[] der) throws Unreadable {
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Try the next algorithm: PKCS#8 names it inside, but each KeyFactory reads only its own.
      }
    }
    throw new Unreadable("its PRIVATE KEY is not an RSA, EC or EdDSA key kvload can read");
  }

  private static PrivateKey key(Parts parts) throws Unreadable {
    if (parts.key() == null) {
      throw new Unreadable("it holds no private key");
    }
    return parts.key();
  }

  private static byte[] chainPem(Parts parts) throws Unreadable {
    if (parts.chain().isEmpty()) {
      throw new Unreadable("it holds no certificate");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (X509Certificate c : parts.chain()) {
        out.writeBytes(pem("CERTIFICATE", c.getEncoded()));
      }
    } catch (GeneralSecurityException e) {
      throw new Unreadable("a certificate of its chain cannot be encoded");
    }
    return out.toByteArray();
  }

  private static byte[] pfx(Parts parts) throws Unreadable {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("1", key(parts), new char[0], parts.chain().toArray(Certificate[]::new));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, new char[0]);
      return out.toByteArray();
    } catch (IOException | GeneralSecurityException e) {
      throw new Unreadable("its key and chain cannot be made into a PKCS#12 file");
    }
  }

  static byte[] pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
