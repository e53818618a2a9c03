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
}
