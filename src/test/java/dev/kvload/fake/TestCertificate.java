package dev.kvload.fake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * A Key Vault certificate as its secret holds it, made by the test: the base64 PFX without a
 * password ({@code application/x-pkcs12}) and the PEM text with key and certificate ({@code
 * application/x-pem-file}), and the key and certificate themselves to compare with.
 */
public record TestCertificate(
    String pfxBase64, String pem, PrivateKey key, X509Certificate certificate) {
  public static final String PKCS12 = "application/x-pkcs12";
  public static final String PEM = "application/x-pem-file";

  /** Made with keytool in {@code dir}, a folder the test owns. */
  public static TestCertificate make(Path dir, String commonName) {
    Path store = dir.resolve(commonName + ".p12");
    TestTls.keytool(
        "-genkeypair",
        "-alias",
        "kv",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + commonName,
        "-validity",
        "30",
        "-storetype",
        "PKCS12",
        "-keystore",
        store.toString(),
        "-storepass",
        "changeit");
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, "changeit".toCharArray());
      PrivateKey key = (PrivateKey) ks.getKey("kv", "changeit".toCharArray());
      X509Certificate cert = (X509Certificate) ks.getCertificate("kv");
      // As Key Vault keeps it: a PFX whose password is empty.
      KeyStore bare = KeyStore.getInstance("PKCS12");
      bare.load(null, null);
      bare.setKeyEntry("kv", key, new char[0], new Certificate[] {cert});
      ByteArrayOutputStream pfx = new ByteArrayOutputStream();
      bare.store(pfx, new char[0]);
      String pem = pem("PRIVATE KEY", key.getEncoded()) + pem("CERTIFICATE", cert.getEncoded());
      return new TestCertificate(
          Base64.getEncoder().encodeToString(pfx.toByteArray()), pem, key, cert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
