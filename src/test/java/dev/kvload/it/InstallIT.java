package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * install.sh, as a user runs it, from the archive mvn package built: into a scratch prefix, on a
 * PATH without java, as the user id a stub {@code id} says (so the root rule is tested whoever runs
 * the suite). It then runs run, export and check against the fake.
 */
class InstallIT {
  static final Path SCRIPT = Harness.HOME.resolve("install.sh");

  private final Harness h = new Harness();
  private final Path prefix = h.dir.resolve("prefix with space");
  private final Path tools = Archive.toolsWithoutJava(h.dir.resolve("tools"), "curl");

  @AfterEach
  void close() {
    h.close();
    Archive.remove(h.dir);
  }

  /** install.sh with {@code args}, as the user {@code uid}, with no Java anywhere. */
  private Harness.Run install(String uid, String... args) {
    Path id = tools.resolve("id");
    try {
      Files.deleteIfExists(id);
      Files.writeString(id, "#!/bin/sh\necho " + uid + "\n");
      Files.setPosixFilePermissions(id, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of("dash", SCRIPT.toString()));
    command.addAll(List.of(args));
    Map<String, String> env = Archive.envWithoutJava(h, tools);
    // For a mirror on loopback: curl trusts the fakes' certificate.
    env.put("CURL_CA_BUNDLE", Harness.TLS.pem().toString());
    return Archive.run(h, env, command.toArray(String[]::new)).go();
  }

  private Path release(String digest) {
    return Archive.release(h.dir.resolve("release"), digest).resolve(Archive.file().getFileName());
  }

  private void assertNothingInstalled() {
    assertFalse(Files.exists(prefix.resolve(Archive.LAUNCHER)), "no link");
    assertFalse(Files.exists(prefix.resolve("lib/kvload")), "no install");
  }

  @Test
  void installsALocalArchiveThatRunsWithoutJava() throws IOException {
    Path archive = release(Archive.sha256(Archive.file()));
    // Twice: the second replaces the first (an upgrade).
    for (int i = 0; i < 2; i++) {
      var run = install("1000", "--archive", archive.toString(), "--prefix", prefix.toString());
      assertEquals(0, run.exit(), run::toString);
      assertTrue(
          run.stdout().contains("installed in " + prefix.resolve("lib/kvload")), run::toString);
      assertTrue(run.stdout().contains("is not on your PATH"), run::toString);
    }
    Path link = prefix.resolve(Archive.LAUNCHER);
    assertTrue(Files.isSymbolicLink(link), "bin/kvload is a link into lib/kvload");
    try (Stream<Path> lib = Files.list(prefix.resolve("lib"))) {
      assertEquals(List.of("kvload"), lib.map(p -> p.getFileName().toString()).toList());
    }
    Archive.assertRunsWithoutJava(h, link, prefix.resolve("lib/kvload"));
  }

  @Test
  void anUpperCaseDigestIsTheSameDigest() {
    Path archive = release(Archive.sha256(Archive.file()).toUpperCase(Locale.ROOT));
    var run = install("1000", "--archive", archive.toString(), "--prefix", prefix.toString());
    assertEquals(0, run.exit(), run::toString);
  }

  @Test
  void aWrongDigestInstallsNothing() {
    Path archive = release("ab".repeat(32));
    var run = install("1000", "--archive", archive.toString(), "--prefix", prefix.toString());
    assertEquals(1, run.exit(), run::toString);
    assertTrue(run.stderr().contains("not the expected " + "ab".repeat(32)), run::toString);
    assertTrue(run.stderr().contains("nothing was installed"), run::toString);
    assertNothingInstalled();
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("no line for the archive", "SUMS:other", List.of(), "has no line for"),
        Arguments.of("no SHA256SUMS at all", "SUMS:none", List.of(), "no SHA256SUMS at"),
        Arguments.of("a digest too short", "SUMS:short", List.of(), "is not a SHA-256"),
        Arguments.of(
            "a mirror without a digest",
            "URL",
            List.of("--url", "https://127.0.0.1:1/kvload-9-linux-x64.tar.gz"),
            "--url needs --sha256"),
        Arguments.of(
            "a mirror over http",
            "URL",
            List.of("--url", "http://127.0.0.1:1/k.tar.gz", "--sha256", "ab".repeat(32)),
            "downloads are https only"),
        Arguments.of("as root", "ROOT", List.of(), "refusing to install as root"),
        Arguments.of("another version", "SUMS:good", List.of("--version", "9.9.9"), "not version"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesAndInstallsNothing(String name, String setup, List<String> more, String message)
      throws IOException {
    String digest = Archive.sha256(Archive.file());
    Path archive = release(digest);
    Path sums = archive.resolveSibling("SHA256SUMS");
    switch (setup) {
      case "SUMS:other" -> Files.writeString(sums, digest + "  kvload-0-linux-x64.tar.gz\n");
      case "SUMS:none" -> Files.delete(sums);
      case "SUMS:short" -> Files.writeString(sums, "abc  " + archive.getFileName() + "\n");
      default -> {}
    }
    List<String> args = new ArrayList<>(List.of("--prefix", prefix.toString()));
    if (!setup.equals("URL")) {
      args.addAll(List.of("--archive", archive.toString()));
    }
    args.addAll(more);
    var run = install(setup.equals("ROOT") ? "0" : "1000", args.toArray(String[]::new));
    assertEquals(1, run.exit(), run::toString);
    assertTrue(run.stderr().contains(message), run::toString);
    assertNothingInstalled();
  }

  @Test
  void rootMayInstallWhenItAsks() {
    Path archive = release(Archive.sha256(Archive.file()));
    var run =
        install(
            "0", "--allow-root", "--archive", archive.toString(), "--prefix", prefix.toString());
    assertEquals(0, run.exit(), run::toString);
    assertTrue(Files.isSymbolicLink(prefix.resolve(Archive.LAUNCHER)));
  }

  /**
   * An archive built by another uid (a CI runner's): as root, tar would keep that uid on every
   * file, so that user could change the kvload root runs. The install belongs to whoever installs.
   */
  @Test
  void theInstallBelongsToTheInstaller() throws IOException, InterruptedException {
    Path unpacked = Files.createDirectories(h.dir.resolve("repack"));
    Path release = Files.createDirectories(h.dir.resolve("release"));
    Path archive = release.resolve(Archive.file().getFileName());
    String repack =
        "tar -xzf \"$0\" -C \"$1\" && tar -C \"$1\" --owner=4242 --group=4242 --numeric-owner"
            + " -czf \"$2\" .";
    Process p =
        new ProcessBuilder(
                "sh",
                "-c",
                repack,
                Archive.file().toString(),
                unpacked.toString(),
                archive.toString())
            .inheritIO()
            .start();
    assertEquals(0, p.waitFor());
    Files.writeString(
        release.resolve("SHA256SUMS"),
        Archive.sha256(archive) + "  " + archive.getFileName() + "\n");
    var run =
        install(
            "0", "--allow-root", "--archive", archive.toString(), "--prefix", prefix.toString());
    assertEquals(0, run.exit(), run::toString);
    var me = Files.getOwner(h.dir);
    try (Stream<Path> files = Files.walk(prefix.resolve("lib/kvload"))) {
      List<String> others =
          files.filter(f -> !uncheckedOwner(f).equals(me)).map(Path::toString).limit(3).toList();
      assertEquals(List.of(), others, "files not owned by " + me);
    }
  }

  private static java.nio.file.attribute.UserPrincipal uncheckedOwner(Path file) {
    try {
      return Files.getOwner(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A mirror's archive, downloaded over https (curl, trusting the fake's certificate). */
  @Test
  void downloadsFromAMirrorAndChecksTheDigest() throws IOException {
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.setHttpsConfigurator(new HttpsConfigurator(Harness.TLS.serverContext()));
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, Files.size(Archive.file()));
          try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(Archive.file(), out);
          }
        });
    server.start();
    try {
      String url =
          "https://127.0.0.1:"
              + server.getAddress().getPort()
              + "/m/"
              + Archive.file().getFileName();
      String digest = Archive.sha256(Archive.file());
      var wrong =
          install("1000", "--prefix", prefix.toString(), "--url", url, "--sha256", "0".repeat(64));
      assertEquals(1, wrong.exit(), wrong::toString);
      assertTrue(
          wrong.stderr().contains("has SHA-256 " + digest + ", not the expected"), wrong::toString);
      assertNothingInstalled();
      var right = install("1000", "--prefix", prefix.toString(), "--url", url, "--sha256", digest);
      assertEquals(0, right.exit(), right::toString);
    } finally {
      server.stop(0);
    }
  }

  /**
   * The release route, as the one-line install takes it, from a mirror of GitHub's release layout
   * on loopback: the latest version is read from the latest release's SHA256SUMS, a pinned one is
   * asked for by its tag, and without --prefix kvload goes into ~/.local.
   */
  @Test
  void installsTheLatestOrAPinnedReleaseIntoTheHomeByDefault() throws IOException {
    String name = Archive.file().getFileName().toString();
    String version = name.replaceFirst("^kvload-(.+)-[^-]+-[^-]+\\.tar\\.gz$", "$1");
    String sums =
        Archive.sha256(Archive.file())
            + "  "
            + name
            + "\n"
            + "0".repeat(64)
            + "  kvload-"
            + version
            + "-plan9-mips.tar.gz\n";
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.setHttpsConfigurator(new HttpsConfigurator(Harness.TLS.serverContext()));
    server.createContext(
        "/r/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          asked.add(path);
          if (path.equals("/r/latest/download/SHA256SUMS")
              || path.equals("/r/download/v" + version + "/SHA256SUMS")) {
            byte[] body = sums.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          } else if (path.equals("/r/download/v" + version + "/" + name)) {
            serveArchive(exchange);
          } else {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
          }
        });
    server.start();
    try {
      String releases = "https://127.0.0.1:" + server.getAddress().getPort() + "/r";
      var latest = install("1000", "--releases", releases, "--print-version");
      assertEquals(0, latest.exit(), latest::toString);
      assertEquals(version + "\n", latest.stdout());

      var missing = install("1000", "--releases", releases, "--version", "9.9.9");
      assertEquals(1, missing.exit(), missing::toString);
      assertTrue(missing.stderr().contains("cannot download " + releases), missing::toString);
      Path home = h.dir.resolve("home/.local");
      assertFalse(Files.exists(home.resolve("lib/kvload")), "nothing installed");

      asked.clear();
      var run = install("1000", "--releases", releases);
      assertEquals(0, run.exit(), run::toString);
      assertEquals(
          List.of("/r/latest/download/SHA256SUMS", "/r/download/v" + version + "/" + name), asked);
      Archive.assertRunsWithoutJava(h, home.resolve(Archive.LAUNCHER), home.resolve("lib/kvload"));

      asked.clear();
      var pinned = install("1000", "--releases", releases, "--version", "v" + version);
      assertEquals(0, pinned.exit(), pinned::toString);
      assertEquals(
          List.of(
              "/r/download/v" + version + "/SHA256SUMS", "/r/download/v" + version + "/" + name),
          asked);
    } finally {
      server.stop(0);
    }
  }

  static Stream<Arguments> downloads() {
    List<Arguments> cases = new ArrayList<>();
    for (String tool : List.of("curl", "wget")) {
      cases.add(Arguments.of(tool + ": https", tool, "/m/", true));
      cases.add(Arguments.of(tool + ": https redirected to https", tool, "/to-https/", true));
      cases.add(Arguments.of(tool + ": https redirected to http", tool, "/to-http/", false));
    }
    return cases.stream();
  }

  /**
   * A mirror's download is https from end to end with either downloader: wget (1.21) follows a
   * redirect to http:// even with --https-only, so install.sh follows wget's redirects itself. A
   * plain-http server that would serve the archive counts who asked: nobody may.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("downloads")
  void downloadsOverHttpsOnlyRedirectsIncluded(
      String name, String downloader, String path, boolean installs) throws IOException {
    Path only = Archive.toolsWithoutJava(h.dir.resolve("tools-" + downloader), downloader);
    Assumptions.assumeTrue(Files.exists(only.resolve(downloader)), downloader + " is missing");
    Path id = only.resolve("id");
    Files.deleteIfExists(id);
    Files.writeString(id, "#!/bin/sh\necho 1000\n");
    Files.setPosixFilePermissions(id, PosixFilePermissions.fromString("rwxr-xr-x"));
    AtomicInteger plainRequests = new AtomicInteger();
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    HttpServer plain = HttpServer.create(loopback, 8);
    plain.createContext(
        "/",
        exchange -> {
          plainRequests.incrementAndGet();
          serveArchive(exchange);
        });
    HttpsServer server = HttpsServer.create(loopback, 8);
    server.setHttpsConfigurator(new HttpsConfigurator(Harness.TLS.serverContext()));
    String file = Archive.file().getFileName().toString();
    server.createContext("/m/", InstallIT::serveArchive);
    server.createContext(
        "/to-https/",
        exchange ->
            redirect(
                exchange, "https://127.0.0.1:" + server.getAddress().getPort() + "/m/" + file));
    server.createContext(
        "/to-http/",
        exchange ->
            redirect(exchange, "http://127.0.0.1:" + plain.getAddress().getPort() + "/m/" + file));
    plain.start();
    server.start();
    try {
      Map<String, String> env = Archive.envWithoutJava(h, only);
      env.put("CURL_CA_BUNDLE", Harness.TLS.pem().toString());
      env.put(
          "WGETRC",
          Files.writeString(h.dir.resolve("wgetrc"), "ca_certificate = " + Harness.TLS.pem() + "\n")
              .toString());
      String url = "https://127.0.0.1:" + server.getAddress().getPort() + path + file;
      var run =
          Archive.run(
                  h,
                  env,
                  "dash",
                  SCRIPT.toString(),
                  "--prefix",
                  prefix.toString(),
                  "--url",
                  url,
                  "--sha256",
                  Archive.sha256(Archive.file()))
              .go();
      if (installs) {
        assertEquals(0, run.exit(), run::toString);
      } else {
        assertEquals(1, run.exit(), run::toString);
        assertNothingInstalled();
      }
      assertEquals(0, plainRequests.get(), "the plain-http server was asked: " + run);
    } finally {
      server.stop(0);
      plain.stop(0);
    }
  }

  private static void serveArchive(HttpExchange exchange) throws IOException {
    exchange.sendResponseHeaders(200, Files.size(Archive.file()));
    try (OutputStream out = exchange.getResponseBody()) {
      Files.copy(Archive.file(), out);
    }
  }

  private static void redirect(HttpExchange exchange, String location) throws IOException {
    exchange.getResponseHeaders().set("Location", location);
    exchange.sendResponseHeaders(302, -1);
    exchange.close();
  }

  @Test
  void isPosixSh() {
    for (String shell : List.of("sh", "dash")) {
      var run =
          Archive.run(h, Archive.envWithoutJava(h, tools), shell, "-n", SCRIPT.toString()).go();
      assertEquals(0, run.exit(), run::toString);
    }
  }
}
