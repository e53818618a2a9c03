package dev.kvload.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.TestCertificate;
import dev.kvload.manifest.FileFormat;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CertificatesTest {
  @TempDir static Path dir;
  static TestCertificate cert;

  @BeforeAll
  static void make() {
    cert = TestCertificate.make(dir, "unit.example.test");
  }

  static Stream<Arguments> sources() {
    return Stream.of(
        Arguments.of("PKCS#12", Certificates.PKCS12), Arguments.of("PEM", Certificates.PEM));
  }

  private static String value(String type) {
    return type.equals(Certificates.PKCS12) ? cert.pfxBase64() : cert.pem();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sources")
  void everyFormatGivesBackTheKeyAndCertificate(String name, String type) throws Exception {
    String keyPem = TestCertificate.pem("PRIVATE KEY", cert.key().getEncoded());
    String certPem = TestCertificate.pem("CERTIFICATE", cert.certificate().getEncoded());
    assertEquals(certPem, text(Certificates.convert(value(type), type, FileFormat.CERT)));
    assertEquals(keyPem, text(Certificates.convert(value(type), type, FileFormat.KEY)));
    assertEquals(keyPem + certPem, text(Certificates.convert(value(type), type, FileFormat.PEM)));
    KeyStore pfx = KeyStore.getInstance("PKCS12");
    pfx.load(
        new ByteArrayInputStream(Certificates.convert(value(type), type, FileFormat.PFX)),
        new char[0]);
    String alias = pfx.aliases().nextElement();
    assertArrayEquals(
        cert.key().getEncoded(), ((PrivateKey) pfx.getKey(alias, new char[0])).getEncoded());
    assertEquals(cert.certificate(), pfx.getCertificate(alias));
    assertEquals(
        cert.certificate().getNotAfter().toInstant(),
        Certificates.notAfter(value(type), type).orElseThrow());
  }

  @Test
  void pfxFromPkcs12IsTheVaultsOwnBytes() throws Exception {
    assertArrayEquals(
        Base64.getDecoder().decode(cert.pfxBase64()),
        Certificates.convert(cert.pfxBase64(), Certificates.PKCS12, FileFormat.PFX));
  }

  /** Case: a value that is not what its content type says; the message names no part of it. */
  static Stream<Arguments> unreadable() {
    return Stream.of(
        Arguments.of("not base64", Certificates.PKCS12, "s3cr3t-not-base64!", "not base64"),
        Arguments.of(
            "base64 but no PFX",
            Certificates.PKCS12,
            Base64.getEncoder().encodeToString("s3cr3t".getBytes(StandardCharsets.UTF_8)),
            "not a PKCS#12"),
        Arguments.of("no PEM blocks", Certificates.PEM, "s3cr3t plain text", "holds no PEM"),
        Arguments.of(
            "PKCS#1 key",
            Certificates.PEM,
            "-----BEGIN RSA PRIVATE KEY-----\nczNjcjN0\n-----END RSA PRIVATE KEY-----\n",
            "RSA PRIVATE KEY block"),
        Arguments.of(
            "garbage certificate",
            Certificates.PEM,
            "-----BEGIN CERTIFICATE-----\nczNjcjN0\n-----END CERTIFICATE-----\n",
            "not PEM text"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadable")
  void unreadableValuesSayWhyWithoutQuotingThem(
      String name, String type, String value, String expected) {
    var e =
        assertThrows(
            Certificates.Unreadable.class, () -> Certificates.convert(value, type, FileFormat.PEM));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    assertFalse(e.getMessage().contains("czNjcjN0"), e.getMessage());
  }

  @Test
  void aCertificateWithoutKeyGivesCertButNotKey() throws Exception {
    String certOnly = TestCertificate.pem("CERTIFICATE", cert.certificate().getEncoded());
    assertEquals(certOnly, text(Certificates.convert(certOnly, Certificates.PEM, FileFormat.CERT)));
    var e =
        assertThrows(
            Certificates.Unreadable.class,
            () -> Certificates.convert(certOnly, Certificates.PEM, FileFormat.KEY));
    assertEquals("it holds no private key", e.getMessage());
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
