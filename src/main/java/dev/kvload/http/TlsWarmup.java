package dev.kvload.http;

import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import javax.net.ssl.SSLContext;

/**
 * Does the one-time work of the first TLS handshake on a thread of its own, while the main thread
 * is still parsing the command line and the manifest: loading the trust store into the default
 * {@link SSLContext} (which the HTTP client uses) and the first use of the two curves the client
 * offers key shares for, x25519 and secp256r1 (the JDK builds secp256r1's tables on first use).
 * Measured with a profiler here, that is ~100–150 ms of CPU otherwise spent before the first
 * request. Nothing depends on it: if it fails, the real handshake does the same work and reports.
 */
public final class TlsWarmup {
  private TlsWarmup() {}

  public static void start() {
    Thread.ofPlatform().daemon().name("kvload-tls-warmup").start(TlsWarmup::warm);
  }

  private static void warm() {
    try {
      SSLContext.getDefault();
      KeyPairGenerator.getInstance("X25519").generateKeyPair();
      KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
      ec.initialize(new ECGenParameterSpec("secp256r1"));
      ec.generateKeyPair();
    } catch (GeneralSecurityException | RuntimeException e) {
      // The handshake will meet the same problem and say what it is.
    }
  }
}
