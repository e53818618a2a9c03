package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

  @Test
  void downloadsFromJarUrlAndChecksItsDigest() throws IOException {
    Path feature = packaged("--no-jar");
    assertFalse(Files.exists(feature.resolve("kvload.jar")));
    var run =
        install(
            feature,
            Map.of(
                "JARURL", JAR.toUri().toString(), "JARSHA256", sha256(JAR), "SHELLHOOK", "false"));
    assertEquals(0, run.exit(), run::toString);
    assertInstalled();
  }

  @Test
  void aWrongDigestInstallsNothing() throws IOException {
    var run =
        install(
            packaged("--no-jar"),
            Map.of("JARURL", JAR.toUri().toString(), "JARSHA256", "0".repeat(64)));
    assertEquals(1, run.exit(), run::toString);
    assertTrue(run.stderr().contains("not the expected"), run::toString);
    assertFalse(Files.exists(prefix.resolve("bin/kvload")));
  }

  @Test
  void noJarAndNoUrlSaysWhatToDo() throws IOException {
    var run = install(packaged("--no-jar"), Map.of());
    assertEquals(1, run.exit(), run::toString);
    assertTrue(run.stderr().contains("scripts/package-feature"), run::toString);
    assertFalse(Files.exists(prefix.resolve("bin/kvload")));
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
