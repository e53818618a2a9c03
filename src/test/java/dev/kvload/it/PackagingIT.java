package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the build makes of the jar: for start-up's sake, and the archive users install. */
class PackagingIT {
  /** Modules jdeps names that kvload never reaches (see scripts/package-archive). */
  static final Set<String> LEFT_OUT = Set.of("java.desktop");

  static final long BUDGET = 60L * 1024 * 1024;

  /**
   * The JVM leaves class files older than version 50 out of an AOT cache, so each start would load
   * and verify them from the jar: scripts/UpgradeClassFiles.java rewrites picocli's.
   */
  @Test
  void everyClassFileIsNewEnoughForTheAotCache() throws IOException {
    List<String> old = new ArrayList<>();
    int classes = 0;
    try (JarFile jar = new JarFile(Harness.HOME.resolve("target/kvload.jar").toFile())) {
      for (ZipEntry entry : jar.stream().toList()) {
        if (!entry.getName().endsWith(".class")) {
          continue;
        }
        classes++;
        try (InputStream in = jar.getInputStream(entry);
            DataInputStream data = new DataInputStream(in)) {
          data.readInt(); // magic
          data.readUnsignedShort(); // minor
          int major = data.readUnsignedShort();
          if (major < 50) {
            old.add(entry.getName() + " (" + major + ")");
          }
        }
      }
    }
    assertTrue(classes > 1000, "the fat jar holds the dependencies: " + classes + " classes");
    assertEquals(List.of(), old);
  }

  @Test
  void picocliStillParsesAfterItsClassFilesWereRewritten() {
    try (Harness h = new Harness()) {
      var run = h.run().args("validate", "--help").go();
      assertEquals(0, run.exit(), run::toString);
      assertTrue(run.stdout().contains("Usage: kvload validate"), run::toString);
    }
  }

  /**
   * The launcher's own young-generation size must not meet a heap the user sized: the old
   * generation would be too small for the AOT cache's archived objects, and the JVM exits 1 with
   * nothing on stderr instead of starting without the cache.
   */
  @ParameterizedTest(name = "KVLOAD_JAVA_OPTS={0}")
  @ValueSource(
      strings = {"-Xms16m", "-Xms8m -Xmx96m", "-Xmx16m", "-XX:MaxRAMPercentage=2", "-Xss512k"})
  void startsWithTheCacheWhateverHeapTheUserGives(String options) {
    try (Harness h = new Harness()) {
      h.oneSecret("postgres://heap:s3cret-heap@db/app");
      String javaOptions = Harness.TLS.javaOptions() + " " + options;
      // validate starts with the light cache, export with the full one.
      var validate = h.run().args("validate").env("KVLOAD_JAVA_OPTS", javaOptions).go();
      assertEquals(0, validate.exit(), validate::toString);
      var export =
          h.run()
              .args("export", "--format", "dotenv")
              .env("KVLOAD_JAVA_OPTS", javaOptions)
              .valuesOnStdout()
              .go();
      assertEquals(0, export.exit(), export::toString);
      assertEquals("DATABASE_URL=\"postgres://heap:s3cret-heap@db/app\"\n", export.stdout());
    }
  }

  @Test
  void theRuntimeHoldsEveryModuleJdepsNamesButTheOnesLeftOut() throws IOException {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        ToolProvider.findFirst("jdeps")
            .orElseThrow()
            .run(
                new PrintWriter(out),
                new PrintWriter(err),
                "--ignore-missing-deps",
                "--multi-release",
                "25",
                "--print-module-deps",
                Harness.HOME.resolve("target/kvload.jar").toString());
    assertEquals(0, status, err::toString);
    Set<String> needed = new TreeSet<>(Arrays.asList(out.toString().strip().split(",")));
    needed.removeAll(LEFT_OUT);
    Set<String> linked = runtimeModules(Harness.HOME.resolve("target/runtime"));
    needed.removeAll(linked);
    assertEquals(Set.of(), needed, "modules jdeps names that the runtime lacks");
    for (String module : LEFT_OUT) {
      assertFalse(linked.contains(module), module + " is left out: " + linked);
    }
  }

  static Set<String> runtimeModules(Path runtime) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^MODULES=\"([^\"]*)\"")
            .matcher(Files.readString(runtime.resolve("release")));
    assertTrue(m.find(), "the runtime's release file names its modules");
    return new TreeSet<>(Arrays.asList(m.group(1).split(" ")));
  }

  /** THIRD-PARTY-NOTICES.md names exactly the dependencies the jar ships, at their versions. */
  @Test
  void theNoticesListEveryShippedDependency() throws IOException {
    Set<String> shipped =
        Files.readAllLines(Harness.HOME.resolve("target/dependencies.txt")).stream()
            .map(l -> Pattern.compile("^\\s+([^:\\s]+):([^:]+):jar:([^:\\s]+)").matcher(l))
            .filter(Matcher::find)
            .map(m -> m.group(1) + ":" + m.group(2) + ":" + m.group(3))
            .collect(Collectors.toCollection(TreeSet::new));
    assertTrue(shipped.size() > 10, "dependencies.txt lists the build's dependencies: " + shipped);
    Set<String> listed =
        Files.readAllLines(Harness.HOME.resolve("THIRD-PARTY-NOTICES.md")).stream()
            .map(l -> Pattern.compile("^\\| ([\\w.-]+:[\\w.-]+:[\\w.-]+) \\| \\S").matcher(l))
            .filter(Matcher::find)
            .map(m -> m.group(1))
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(shipped, listed, "THIRD-PARTY-NOTICES.md, one row per shipped dependency");
  }

  @Test
  void theArchiveFitsItsBudget() throws IOException {
    long size = Files.size(Archive.file());
    assertTrue(size <= BUDGET, "the archive is " + size / (1024 * 1024) + " MB, over 60 MB");
  }

  /**
   * The archive, unpacked into an empty folder, runs run, export and check against the fake with no
   * Java on PATH and no JAVA_HOME: on its own runtime, with its own AOT cache.
   */
  @Test
  void theUnpackedArchiveRunsWithoutAnyJava() throws IOException {
    Harness h = new Harness();
    try {
      Path empty = Files.createDirectories(h.dir.resolve("unpacked"));
      Process tar =
          new ProcessBuilder("tar", "-xzf", Archive.file().toString(), "-C", empty.toString())
              .inheritIO()
              .start();
      try {
        assertEquals(0, tar.waitFor());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      Path home = empty.resolve(Archive.name());
      for (String file : Archive.LAYOUT) {
        assertTrue(Files.exists(home.resolve(file)), file + " is in the archive");
      }
      Archive.assertRunsWithoutJava(h, home.resolve(Archive.LAUNCHER), home);
    } finally {
      h.close();
      Archive.remove(h.dir);
    }
  }
}
