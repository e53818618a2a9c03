package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the build makes of the jar, for start-up's sake. */
class PackagingIT {
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
      h.fake.put("kvload-test", "db-url", "postgres://heap:s3cret-heap@db/app");
      h.manifest(
          "{\"vault\": \""
              + h.fake.vaultUrl("kvload-test")
              + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
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
}
