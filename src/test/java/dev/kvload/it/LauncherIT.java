package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which Java runtime bin/kvload picks: the one beside it, then JAVA_HOME, then PATH, then the JDK
 * folders, each only when it is Java 25 or newer. Each runtime here is a folder with a release file
 * and a bin/java that only says its own name, so the launcher's choice is what the process prints.
 */
class LauncherIT {
  private final Harness h = new Harness();
  private final Path root = h.dir.resolve("machine");

  @AfterEach
  void close() {
    h.close();
    Archive.remove(h.dir);
  }

  /**
   * Where runtimes lie in one case: the archive's (runtime/) and the checkout's (target/runtime/)
   * beside the launcher, JAVA_HOME, java on PATH (a link, as Debian's alternatives make it), the
   * JDK folders. A value is the runtime's JAVA_VERSION, or null for no runtime there.
   */
  record Machine(
      String beside,
      String checkout,
      String javaHome,
      String onPath,
      List<String> jdkFolders,
      String expected) {}

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "the archive's runtime first",
            new Machine("25.0.3", null, "25.0.1", "26", List.of("25"), "beside")),
        Arguments.of(
            "a checkout's target/runtime",
            new Machine(null, "25.0.3", "25.0.1", null, List.of(), "checkout")),
        Arguments.of(
            "JAVA_HOME when nothing is beside",
            new Machine(null, null, "25.0.1", "26", List.of("25"), "java-home")),
        Arguments.of(
            "an old runtime beside is passed over",
            new Machine("21.0.2", null, "25", null, List.of(), "java-home")),
        Arguments.of(
            "PATH when JAVA_HOME is Java 17",
            new Machine(null, null, "17.0.15", "25.0.3", List.of("25"), "path")),
        Arguments.of(
            "the JDK folders when PATH has Java 1.8",
            new Machine(null, null, null, "1.8.0_412", List.of("17.0.15", "25.0.3"), "jdk-1")),
        Arguments.of(
            "a release file without a version is no runtime",
            new Machine("", null, null, null, List.of("26.0.1"), "jdk-0")),
        Arguments.of(
            "none at all", new Machine(null, null, "17", "21", List.of("11", "17"), "none")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void picksTheFirstJava25(String name, Machine machine) throws IOException {
    Path home = root.resolve("kvload");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("lib"));
    Files.writeString(home.resolve("lib/kvload.jar"), "");
    // The JDK folders of this machine (/usr/lib/jvm holds a JDK 25 here) become the case's own.
    Path jdks = Files.createDirectories(root.resolve("jvm"));
    String launcher = Files.readString(Harness.HOME.resolve(Archive.LAUNCHER));
    String folders = "/usr/lib/jvm/*";
    assertEquals(1, launcher.split(folders.replace("*", "\\*"), -1).length - 1, folders);
    Path copy = home.resolve(Archive.LAUNCHER);
    Files.writeString(copy, launcher.replace(folders, jdks + "/*"));
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));

    runtime(home.resolve("runtime"), "beside", machine.beside());
    runtime(home.resolve("target/runtime"), "checkout", machine.checkout());
    Map<String, String> env =
        Archive.envWithoutJava(h, Archive.toolsWithoutJava(root.resolve("t")));
    if (runtime(root.resolve("java-home"), "java-home", machine.javaHome())) {
      env.put("JAVA_HOME", root.resolve("java-home").toString());
    }
    if (runtime(root.resolve("on-path"), "path", machine.onPath())) {
      Path bin = Files.createDirectories(root.resolve("path-bin"));
      Files.createSymbolicLink(bin.resolve("java"), root.resolve("on-path/bin/java"));
      env.put("PATH", bin + ":" + env.get("PATH"));
    }
    for (int i = 0; i < machine.jdkFolders().size(); i++) {
      runtime(jdks.resolve("jdk-" + i), "jdk-" + i, machine.jdkFolders().get(i));
    }

    var run = Archive.run(h, env, copy.toString(), "--version").go();
    if (machine.expected().equals("none")) {
      assertEquals(70, run.exit(), run::toString);
      assertTrue(run.stderr().contains("needs Java 25 or newer, and found none"), run::toString);
      assertTrue(run.stderr().contains("set JAVA_HOME to a JDK 25"), run::toString);
    } else {
      assertEquals(0, run.exit(), run::toString);
      assertEquals("java of " + machine.expected(), run.stdout().strip(), run::toString);
    }
  }

  /** A runtime folder whose java prints {@code name}; false when {@code version} is null. */
  private static boolean runtime(Path dir, String name, String version) throws IOException {
    if (version == null) {
      return false;
    }
    Files.createDirectories(dir.resolve("bin"));
    Files.writeString(
        dir.resolve("release"), version.isEmpty() ? "" : "JAVA_VERSION=\"" + version + "\"\n");
    Path java = dir.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\necho 'java of " + name + "'\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return true;
  }
}
