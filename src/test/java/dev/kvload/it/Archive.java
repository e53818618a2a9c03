package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The archive {@code mvn package} built ({@code target/kvload-VERSION-OS-ARCH.tar.gz}) and what the
 * tests need to run an installed copy of it on a machine without Java: a PATH of the few tools the
 * scripts use, and an environment without {@code JAVA_HOME}.
 */
final class Archive {
  /** What bin/kvload, install.sh and the Feature's installer call; java is not among them. */
  static final List<String> TOOLS =
      List.of(
          "sh",
          "dash",
          "dirname",
          "basename",
          "readlink",
          "sed",
          "awk",
          "tr",
          "wc",
          "head",
          "cut",
          "tar",
          "gzip",
          "mkdir",
          "rm",
          "mv",
          "ln",
          "cp",
          "chmod",
          "sha256sum",
          "id",
          "uname",
          "mktemp",
          "cat",
          "grep",
          "env",
          "ls",
          "true");

  /** Where an install (an unpacked archive, a prefix) has its launcher. */
  static final String LAUNCHER = "bin/kvload";

  /** What the archive holds besides the runtime's own files. */
  static final List<String> LAYOUT =
      List.of(
          LAUNCHER,
          "lib/kvload.jar",
          "lib/kvload.aot",
          "lib/kvload.aot.stamp",
          "lib/kvload-light.aot",
          "lib/kvload-light.aot.stamp",
          "runtime/bin/java",
          "runtime/release",
          "LICENSE",
          "THIRD-PARTY-NOTICES.md");

  private Archive() {}

  /** The one archive in target/. */
  static Path file() {
    try (Stream<Path> files = Files.list(Harness.HOME.resolve("target"))) {
      List<Path> archives =
          files
              .filter(p -> p.getFileName().toString().matches("kvload-.+-.+-.+\\.tar\\.gz"))
              .toList();
      assertEquals(1, archives.size(), "one archive in target/ (mvn package): " + archives);
      return archives.getFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The folder name inside the archive, e.g. kvload-0.1.0-linux-x64. */
  static String name() {
    return file().getFileName().toString().replace(".tar.gz", "");
  }

  /** A release folder as GitHub serves one: the archive and a SHA256SUMS naming it. */
  static Path release(Path dir, String digest) {
    try {
      Files.createDirectories(dir);
      Path copy = dir.resolve(file().getFileName());
      Files.copy(file(), copy);
      Files.writeString(
          dir.resolve("SHA256SUMS"),
          "0".repeat(64) + "  kvload-other.jar\n" + digest + "  " + copy.getFileName() + "\n");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes a test's folder (links are removed, never followed): installs are 100 MB each. */
  static void remove(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A folder of links to {@link #TOOLS} only: a PATH on which there is no java. */
  static Path toolsWithoutJava(Path dir, String... more) {
    try {
      Files.createDirectories(dir);
      for (String tool : Stream.concat(TOOLS.stream(), Stream.of(more)).toList()) {
        for (String bin : List.of("/usr/bin", "/bin")) {
          Path real = Path.of(bin, tool);
          if (Files.isExecutable(real) && !Files.exists(dir.resolve(tool))) {
            Files.createSymbolicLink(dir.resolve(tool), real);
          }
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The Harness's environment with no Java to be found through it: PATH is {@code tools} alone, no
   * JAVA_HOME; the JVM logs its AOT cache on stderr, for {@link #assertOnItsOwnRuntime}.
   */
  static Map<String, String> envWithoutJava(Harness h, Path tools) {
    Map<String, String> env = h.baseEnv();
    env.remove("JAVA_HOME");
    env.put("PATH", tools.toString());
    env.put("KVLOAD_JAVA_OPTS", env.get("KVLOAD_JAVA_OPTS") + " -Xlog:aot=info:stderr");
    return env;
  }

  /**
   * The launcher passes a cache only to the runtime whose stamp it carries (the archive's own), and
   * the JVM uses it only with the runtime that trained it: so this proves both.
   */
  /**
   * A run of {@code command} with {@code env} and nothing else: the Harness's builder merges its
   * own environment, whose JAVA_HOME would otherwise stay.
   */
  static Harness.Run.Builder run(Harness h, Map<String, String> env, String... command) {
    return h.run().direct().args(command).env(env).env("JAVA_HOME", env.get("JAVA_HOME"));
  }

  static void assertOnItsOwnRuntime(String stderr, Path home) {
    assertTrue(
        stderr.contains("Opened AOT cache " + home.resolve("lib/kvload.aot")),
        "the archive's cache was opened: " + stderr.lines().limit(5).toList());
    assertTrue(stderr.contains("Using AOT-linked classes: true"), "and used");
  }

  /**
   * {@code export}, {@code check} and {@code run} through {@code launcher} (a link to, or the
   * {@code bin/kvload} of, the kvload installed at {@code home}), with no Java on PATH and no
   * JAVA_HOME, against the fake: each on the installed runtime and its AOT cache.
   */
  static void assertRunsWithoutJava(Harness h, Path launcher, Path home) {
    String value = "postgres://installed:s3cret-installed@db/app";
    h.oneSecret(value);
    Map<String, String> env = envWithoutJava(h, toolsWithoutJava(h.dir.resolve("tools")));
    String kvload = launcher.toString();

    var export = run(h, env, kvload, "export").valuesOnStdout().go();
    assertEquals(0, export.exit(), export::toString);
    assertEquals("export DATABASE_URL='" + value + "'\n", export.stdout());
    assertOnItsOwnRuntime(export.stderr(), home);

    var check = run(h, env, kvload, "check").go();
    assertEquals(0, check.exit(), check::toString);
    assertTrue(check.stdout().contains("DATABASE_URL"), check::toString);
    assertOnItsOwnRuntime(check.stderr(), home);

    var run = run(h, env, kvload, "run", "--", "sh", "-c", "echo ${#DATABASE_URL}").go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals(value.length() + "\n", run.stdout());
    assertOnItsOwnRuntime(run.stderr(), home);
  }
}
