package dev.kvload.fake;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A certificate made by the tests for the fakes: {@code *.vault.azure.net}, {@code localhost} and
 * {@code 127.0.0.1}, with a trust store that kvload is pointed at. Nothing in kvload turns TLS
 * verification off; the tests make a certificate it can verify instead.
 */
public final class TestTls {
  public static final String PASSWORD = "kvload-test";

  /** Protects the client certificate of a service principal (not the same as any vault name). */
  public static final String CLIENT_PASSWORD = "fake-client-certificate-password";

  /** Names the fake's certificate covers; a host outside them fails verification. */
  public static final String SAN = "dns:*.vault.azure.net,dns:localhost,ip:127.0.0.1";

  private final Path keyStore;
  private final Path trustStore;
  private final Path hostsFile;
  private final Path pem;

  private TestTls(Path dir) {
    this.keyStore = dir.resolve("server.p12");
    this.trustStore = dir.resolve("trust.p12");
    this.hostsFile = dir.resolve("hosts");
    this.pem = dir.resolve("server.pem");
  }

  /** The certificate as PEM, for clients that are not Java (curl, Node.js) to trust. */
  public Path pem() {
    return pem;
  }

  /** Made once per directory: later calls reuse the files. */
  public static synchronized TestTls in(Path dir) {
    TestTls tls = new TestTls(dir);
    if (!Files.exists(tls.trustStore) || !Files.exists(tls.hostsFile) || !Files.exists(tls.pem)) {
      tls.generate(dir);
    }
    return tls;
  }

  private void generate(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(keyStore);
      Files.deleteIfExists(trustStore);
      Path cert = dir.resolve("server.crt");
      keytool(
          "-genkeypair",
          "-alias",
          "fake",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=kvload test fake",
          "-ext",
          "SAN=" + SAN,
          "-validity",
          "30",
          "-keystore",
          keyStore.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      keytool(
          "-exportcert",
          "-alias",
          "fake",
          "-keystore",
          keyStore.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          cert.toString());
      keytool(
          "-importcert",
          "-noprompt",
          "-alias",
          "fake",
          "-file",
          cert.toString(),
          "-keystore",
          trustStore.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD);
      Files.writeString(hostsFile, String.join("\n", hosts()) + "\n");
      Files.writeString(
          pem,
          "-----BEGIN CERTIFICATE-----\n"
              + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                  .encodeToString(Files.readAllBytes(cert))
              + "\n-----END CERTIFICATE-----\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every name kvload may resolve in tests, all on loopback. With {@code jdk.net.hosts.file} set,
   * any other name fails to resolve instead of reaching the internet.
   */
  private static List<String> hosts() {
    List<String> lines = new ArrayList<>();
    lines.add("127.0.0.1 localhost");
    for (String vault : FakeAzure.VAULTS) {
      lines.add("127.0.0.1 " + vault + ".vault.azure.net");
    }
    lines.add("127.0.0.1 " + FakeAzure.MISMATCHED_HOST);
    return lines;
  }

  static void keytool(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.add("-J-XX:-UsePerfData");
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A service principal's client certificate with its RSA key (MSAL signs with RS256), as the
   * PKCS#12 file {@code AZURE_CLIENT_CERTIFICATE_PATH} names; made on first use.
   */
  public synchronized Path clientCertificate() {
    Path file = keyStore.resolveSibling("client.p12");
    if (!Files.exists(file)) {
      Path partial = keyStore.resolveSibling("client.p12.partial");
      try {
        Files.deleteIfExists(partial);
        keytool(
            "-genkeypair",
            "-alias",
            "client",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=kvload test service principal",
            "-validity",
            "30",
            "-keystore",
            partial.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            CLIENT_PASSWORD,
            "-keypass",
            CLIENT_PASSWORD);
        Files.move(partial, file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return file;
  }

  /** The public certificate of {@link #clientCertificate()}, to register on a fake app. */
  public java.security.cert.X509Certificate clientX509() {
    try (InputStream in = Files.newInputStream(clientCertificate())) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, CLIENT_PASSWORD.toCharArray());
      return (java.security.cert.X509Certificate) ks.getCertificate("client");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public SSLContext serverContext() {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASSWORD.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** JVM options for a kvload process: trust the fake, resolve names from the test hosts file. */
  public String javaOptions() {
    return "-Djavax.net.ssl.trustStore="
        + trustStore
        + " -Djavax.net.ssl.trustStorePassword="
        + PASSWORD
        + " -Djavax.net.ssl.trustStoreType=PKCS12"
        + " -Djdk.net.hosts.file="
        + hostsFile;
  }

  public Path trustStore() {
    return trustStore;
  }

  public Path hostsFile() {
    return hostsFile;
  }
}
