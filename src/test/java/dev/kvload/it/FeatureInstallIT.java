package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Dev Container Feature's install.sh, run against a temporary prefix and /etc. */
class FeatureInstallIT {
  static final Path JAR = Harness.HOME.resolve("target/kvload.jar");

  private final Harness h = new Harness();
  private final Path prefix = h.dir.resolve("prefix");
  private final Path etc = h.dir.resolve("etc");

  @AfterEach
  void close() {
    h.close();
  }

  private Path packaged(String... options) {
    Path out = h.dir.resolve("feature-" + options.length + "/kvload");
    var run =
        Shell.run(
            h,
            h.baseEnv(),
            Harness.HOME,
            "sh",
            "scripts/package-feature " + String.join(" ", options) + " " + out);
    assertEquals(0, run.exit(), run::toString);
    return out;
  }

  private Shell.Result install(Path feature, Map<String, String> options) throws IOException {
    Files.createDirectories(etc.resolve("zsh"));
    if (!Files.exists(etc.resolve("bash.bashrc"))) {
      Files.writeString(etc.resolve("bash.bashrc"), "# system bashrc\n");
      Files.writeString(etc.resolve("zsh/zshrc"), "# system zshrc\n");
    }
    Map<String, String> env = h.baseEnv();
    env.put("TMPDIR", h.dir.toString()); // install.sh's mktemp: inside the test's folder
    env.put("KVLOAD_PREFIX", prefix.toString());
    env.put("KVLOAD_ETC", etc.toString());
    env.putAll(options);
    return Shell.run(h, env, h.dir, "sh", "'" + feature.resolve("install.sh") + "'");
  }

  private void assertInstalled() {
    var version =
        Shell.run(h, h.baseEnv(), h.dir, "sh", "'" + prefix.resolve("bin/kvload") + "' --version");
    assertEquals(0, version.exit(), version::toString);
    assertTrue(version.stdout().startsWith("kvload "), version::toString);
  }

  @Test
  void installsThePackagedJarAndTheShellHookOnce() throws IOException {
    Path feature = packaged();
    for (int i = 0; i < 2; i++) {
      var run = install(feature, Map.of());
      assertEquals(0, run.exit(), run::toString);
    }
    assertInstalled();
    assertTrue(Files.isSymbolicLink(prefix.resolve("bin/kvload")));
    for (Path rc : new Path[] {etc.resolve("bash.bashrc"), etc.resolve("zsh/zshrc")}) {
      String text = Files.readString(rc);
      assertTrue(text.startsWith("# system "), text);
      assertEquals(1, text.lines().filter(l -> l.endsWith("# kvload shell-hook")).count(), text);
    }
  }

  @Test
  void shellHookCanBeLeftOut() throws IOException {
    var run = install(packaged(), Map.of("SHELLHOOK", "false"));
    assertEquals(0, run.exit(), run::toString);
    assertInstalled();
    assertFalse(Files.readString(etc.resolve("bash.bashrc")).contains("kvload"));
  }

  /** The downloaders install.sh uses: curl when there is one, else wget. */
  enum Downloader {
    CURL,
    WGET
  }

  private static final String LOWER = sha256(JAR);
  private static final String UPPER = LOWER.toUpperCase(Locale.ROOT);
  private static final String ZEROS = "0".repeat(64);

  static Stream<Arguments> downloads() {
    List<Arguments> cases = new ArrayList<>();
    for (Downloader d : Downloader.values()) {
      String tool = d.name().toLowerCase(Locale.ROOT);
      cases.add(Arguments.argumentSet(tool + ": https, digest", d, "/kvload.jar", LOWER, true));
      cases.add(
          Arguments.argumentSet(
              tool + ": https, upper-case digest", d, "/kvload.jar", UPPER, true));
      cases.add(
          Arguments.argumentSet(tool + ": https redirected to https", d, "/to-https", LOWER, true));
      cases.add(Arguments.argumentSet(tool + ": https, no digest", d, "/kvload.jar", "", false));
      cases.add(
          Arguments.argumentSet(tool + ": https, wrong digest", d, "/kvload.jar", ZEROS, false));
      cases.add(
          Arguments.argumentSet(tool + ": https redirected to http", d, "/to-http", LOWER, false));
      cases.add(Arguments.argumentSet(tool + ": http", d, "http:/kvload.jar", LOWER, false));
      cases.add(Arguments.argumentSet(tool + ": file", d, "file:" + JAR, LOWER, false));
    }
    return cases.stream();
  }

  /**
   * jarUrl downloads over https only, redirects included, with curl or with wget, and installs only
   * a jar whose SHA-256 (required, either case) matches; a refusal installs nothing, and nothing
   * ever asks the plain-http server.
   */
  @ParameterizedTest
  @MethodSource("downloads")
  void downloadsOnlyOverHttpsAndOnlyWithTheRightDigest(
      Downloader downloader, String path, String digest, boolean installs) throws IOException {
    assumeTrue(Shell.has(downloader.name().toLowerCase(Locale.ROOT)), downloader + " is missing");
    try (JarServers servers = new JarServers(JAR)) {
      String url;
      if (path.startsWith("file:")) {
        url = path;
      } else if (path.startsWith("http:")) {
        url = servers.http() + path.substring("http:".length());
      } else {
        url = servers.https() + path;
      }
      Map<String, String> options = new HashMap<>(servers.trust(h.dir));
      options.put("JARURL", url);
      options.put("JARSHA256", digest);
      options.put("SHELLHOOK", "false");
      if (downloader == Downloader.WGET) {
        options.put("PATH", withoutCurl());
      }

      var run = install(packaged("--no-jar"), options);

      if (installs) {
        assertEquals(0, run.exit(), run::toString);
        assertInstalled();
      } else {
        assertEquals(1, run.exit(), run::toString);
        assertTrue(run.stderr().contains("nothing installed"), run::toString);
        assertFalse(Files.exists(prefix.resolve("bin/kvload")), run::toString);
      }
      assertEquals(0, servers.plainRequests(), "the plain-http server was asked");
    }
  }

  /** A PATH with every command of the usual one but curl, so that install.sh takes wget. */
  private String withoutCurl() throws IOException {
    Path bin = Files.createDirectories(h.dir.resolve("no-curl-bin"));
    for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin")) {
      if (!Files.isDirectory(Path.of(dir))) {
        continue;
      }
      try (Stream<Path> commands = Files.list(Path.of(dir))) {
        for (Path command : commands.toList()) {
          Path link = bin.resolve(command.getFileName().toString());
          if (!command.getFileName().toString().equals("curl")
              && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, command);
          }
        }
      }
    }
    return bin.toString();
  }

  /**
   * An https server (the fakes' certificate) serving the jar, with redirects to itself and to a
   * plain-http server that serves it too and counts who asked.
   */
  static final class JarServers implements AutoCloseable {
    private final HttpsServer https;
    private final HttpServer http;
    private final AtomicInteger plain = new AtomicInteger();

    JarServers(Path jar) throws IOException {
      byte[] bytes = Files.readAllBytes(jar);
      InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
      http = HttpServer.create(loopback, 8);
      http.createContext(
          "/",
          exchange -> {
            plain.incrementAndGet();
            send(exchange, 200, bytes, null);
          });
      https = HttpsServer.create(loopback, 8);
      https.setHttpsConfigurator(new HttpsConfigurator(Harness.TLS.serverContext()));
      https.createContext("/kvload.jar", exchange -> send(exchange, 200, bytes, null));
      https.createContext(
          "/to-http", exchange -> send(exchange, 302, new byte[0], http() + "/kvload.jar"));
      https.createContext(
          "/to-https", exchange -> send(exchange, 302, new byte[0], https() + "/kvload.jar"));
      http.start();
      https.start();
    }

    String https() {
      return "https://127.0.0.1:" + https.getAddress().getPort();
    }

    String http() {
      return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    int plainRequests() {
      return plain.get();
    }

    /** curl and wget trust the fakes' certificate (PEM, written into {@code dir}) and no other. */
    Map<String, String> trust(Path dir) throws IOException {
      byte[] der = Files.readAllBytes(Harness.TLS.trustStore().resolveSibling("server.crt"));
      Path pem =
          Files.writeString(
              dir.resolve("ca.pem"),
              "-----BEGIN CERTIFICATE-----\n"
                  + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                      .encodeToString(der)
                  + "\n-----END CERTIFICATE-----\n");
      Path wgetrc = Files.writeString(dir.resolve("wgetrc"), "ca_certificate = " + pem + "\n");
      return Map.of("CURL_CA_BUNDLE", pem.toString(), "WGETRC", wgetrc.toString());
    }

    private static void send(HttpExchange exchange, int status, byte[] body, String location)
        throws IOException {
      if (location != null) {
        exchange.getResponseHeaders().set("Location", location);
      }
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    @Override
    public void close() {
      https.stop(0);
      http.stop(0);
    }
  }

  @Test
  void noJarAndNoUrlSaysWhatToDo() throws IOException {
    var run = install(packaged("--no-jar"), Map.of());
    assertEquals(1, run.exit(), run::toString);
    assertTrue(run.stderr().contains("scripts/package-feature"), run::toString);
    assertFalse(Files.exists(prefix.resolve("bin/kvload")));
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
