package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Dev Container Feature's install.sh, packaged by scripts/package-feature with the archive mvn
 * package built, run into a scratch prefix and /etc on a PATH without java; then the Feature's own
 * test (features/test/kvload/test.sh) against what it installed.
 */
class FeatureInstallIT {
  static final Path FEATURE_TEST = Harness.HOME.resolve("features/test/kvload/test.sh");

  private final Harness h = new Harness();
  private final Path prefix = h.dir.resolve("prefix");
  private final Path etc = h.dir.resolve("etc");
  private final Path tools = Archive.toolsWithoutJava(h.dir.resolve("tools"), "bash", "curl");

  @AfterEach
  void close() {
    h.close();
    Archive.remove(h.dir);
  }

  private Map<String, String> env() {
    Map<String, String> env = Archive.envWithoutJava(h, tools);
    env.put("KVLOAD_PREFIX", prefix.toString());
    env.put("KVLOAD_ETC", etc.toString());
    return env;
  }

  private Path packaged(String... options) {
    Path out = h.dir.resolve("feature-" + options.length + "/kvload");
    String[] command =
        Stream.concat(
                Stream.of("sh", Harness.HOME.resolve("scripts/package-feature").toString()),
                Stream.concat(Stream.of(options), Stream.of(out.toString())))
            .toArray(String[]::new);
    var run = Archive.run(h, env(), command).go();
    assertEquals(0, run.exit(), run::toString);
    return out;
  }

  private Harness.Run install(Path feature, Map<String, String> options) throws IOException {
    Files.createDirectories(etc.resolve("zsh"));
    if (!Files.exists(etc.resolve("bash.bashrc"))) {
      Files.writeString(etc.resolve("bash.bashrc"), "# system bashrc\n");
      Files.writeString(etc.resolve("zsh/zshrc"), "# system zshrc\n");
    }
    Map<String, String> env = env();
    env.putAll(options);
    return Archive.run(h, env, "sh", feature.resolve("install.sh").toString()).go();
  }

  @Test
  void installsThePackagedArchiveAndTheShellHookOnce() throws IOException {
    Path feature = packaged();
    for (int i = 0; i < 2; i++) {
      var run = install(feature, Map.of());
      assertEquals(0, run.exit(), run::toString);
    }
    for (Path rc : new Path[] {etc.resolve("bash.bashrc"), etc.resolve("zsh/zshrc")}) {
      String text = Files.readString(rc);
      assertTrue(text.startsWith("# system "), text);
      assertEquals(1, text.lines().filter(l -> l.endsWith("# kvload shell-hook")).count(), text);
    }
    Archive.assertRunsWithoutJava(
        h, prefix.resolve(Archive.LAUNCHER), prefix.resolve("lib/kvload"));

    // The Feature's own test, as the dev containers CLI runs it, with a stand-in of its library.
    Path lib = h.write("lib/dev-container-features-test-lib", TEST_LIB);
    Map<String, String> env = env();
    env.put("PATH", lib.getParent() + ":" + tools);
    var test = Archive.run(h, env, "bash", FEATURE_TEST.toString()).go();
    assertEquals(0, test.exit(), test::toString);
    assertEquals(
        5, test.stdout().lines().filter(l -> l.startsWith("passed: ")).count(), test::toString);
  }

  /** What the CLI's dev-container-features-test-lib does with check and reportResults. */
  static final String TEST_LIB =
      """
      failed=0
      check() { label=$1; shift; if "$@"; then echo "passed: $label"; else echo "FAILED: $label"; failed=1; fi; }
      reportResults() { exit $failed; }
      """;

  @Test
  void shellHookCanBeLeftOut() throws IOException {
    var run = install(packaged(), Map.of("SHELLHOOK", "false"));
    assertEquals(0, run.exit(), run::toString);
    assertTrue(Files.isSymbolicLink(prefix.resolve(Archive.LAUNCHER)));
    assertFalse(Files.readString(etc.resolve("bash.bashrc")).contains("kvload"));
  }

  @Test
  void aWrongDigestInstallsNothing() throws IOException {
    Path feature = packaged();
    Path sums = feature.resolve("SHA256SUMS");
    Files.writeString(sums, Files.readString(sums).replaceFirst("^[0-9a-f]{8}", "00000000"));
    var run = install(feature, Map.of());
    assertEquals(1, run.exit(), run::toString);
    assertTrue(run.stderr().contains("not the expected"), run::toString);
    assertFalse(Files.exists(prefix.resolve(Archive.LAUNCHER)));
    assertFalse(Files.readString(etc.resolve("bash.bashrc")).contains("kvload"));
  }

  static Stream<Arguments> refusedDownloads() {
    return Stream.of(
        Arguments.of(
            "archiveUrl without archiveSha256",
            Map.of("ARCHIVEURL", "https://127.0.0.1:1/kvload-9-linux-x64.tar.gz"),
            "archiveUrl needs archiveSha256"),
        Arguments.of(
            "archiveUrl over http",
            Map.of(
                "ARCHIVEURL",
                "http://127.0.0.1:1/kvload-9-linux-x64.tar.gz",
                "ARCHIVESHA256",
                "AB".repeat(32)),
            "downloads are https only"),
        Arguments.of(
            "archiveUrl over file:",
            Map.of(
                "ARCHIVEURL",
                Archive.file().toUri().toString(),
                "ARCHIVESHA256",
                Archive.sha256(Archive.file())),
            "downloads are https only"));
  }

  /** Without an archive beside it, the Feature downloads: https only, and never unchecked. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedDownloads")
  void refusesAnUncheckedOrPlainDownload(String name, Map<String, String> options, String message)
      throws IOException {
    var run = install(packaged("--no-archive"), new HashMap<>(options));
    assertEquals(1, run.exit(), run::toString);
    assertTrue(run.stderr().contains(message), run::toString);
    assertFalse(Files.exists(prefix.resolve(Archive.LAUNCHER)));
  }

  @Test
  void noInstallerBesideItSaysWhatToDo() throws IOException {
    Path feature = packaged();
    Files.delete(feature.resolve("kvload-install.sh"));
    var run = install(feature, Map.of());
    assertEquals(1, run.exit(), run::toString);
    assertTrue(run.stderr().contains("scripts/package-feature"), run::toString);
    assertFalse(Files.exists(prefix.resolve(Archive.LAUNCHER)));
  }

  @Test
  void needsNoJavaFeature() throws IOException {
    String json =
        Files.readString(Harness.HOME.resolve("features/src/kvload/devcontainer-feature.json"));
    assertFalse(json.contains("installsAfter"), json);
    assertFalse(json.contains("devcontainers/features/java"), json);
    for (String option : List.of("\"version\"", "\"shellHook\"", "\"archiveSha256\"")) {
      assertTrue(json.contains(option), option);
    }
  }
}
