package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmokeIT {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void exportsOneSecret() {
    h.fake.put("kvload-test", "db-url", "postgres://user:hunter2@db/app");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl("kvload-test")
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
    var run = h.run().args("export").valuesOnStdout().go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals("export DATABASE_URL='postgres://user:hunter2@db/app'\n", run.stdout());
    assertTrue(run.stderr().contains("loaded 1 secret from 1 vault"), run::toString);
  }
}
