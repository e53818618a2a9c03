package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.TmpfsFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIGINT or SIGTERM at the worst moments of {@code export -o}: while the secrets are being fetched,
 * and while the env file is being written. Afterwards the env file is the old complete file or the
 * new complete file, never a mix, and no temporary file is left beside it. And {@code run}
 * interrupted while fetching starts nothing.
 */
class InterruptIT {
  private static final String VAULT = "kvload-test";
  private static final String OLD = "export OLD='the old complete file'\n";

  private final Harness h = new Harness();
  private final TmpfsFolder shm = new TmpfsFolder();
  private final Path envFile = shm.resolve("env");

  @AfterEach
  void close() {
    h.close();
    shm.close();
  }

  /** Both sinks at once: {@code export -o} and {@code run}, each signalled mid-fetch. */
  @ParameterizedTest(name = "SIG{0} while fetching")
  @CsvSource({"INT, 130", "TERM, 143"})
  void whileFetching(String signal, int status) throws IOException {
    h.fake.put(VAULT, "db-url", "postgres://app:interrupted-s3cret@db/app");
    h.fake.behave(VAULT, "db-url", r -> h.fake.normal(r).after(Duration.ofSeconds(60)));
    manifest("DATABASE_URL", "db-url");
    Files.writeString(envFile, OLD);
    Seen seen = new Seen(h.dir.resolve("started"), "DATABASE_URL");

    var export = h.run().args("export", "-o", envFile.toString(), "--timeout", "90s").start();
    var running = h.run().args("run", "--timeout", "90s", "--").args(seen.command()).start();
    awaitAuthorizedRequests(2);
    export.signal(signal);
    running.signal(signal);
    var exported = export.finish(Duration.ofSeconds(30));
    var ran = running.finish(Duration.ofSeconds(30));

    System.out.printf(
        "INTERRUPT SIG%s while fetching: export exit %d in %d ms, run exit %d in %d ms%n",
        signal, exported.exit(), exported.took().toMillis(), ran.exit(), ran.took().toMillis());
    assertEquals(status, exported.exit(), exported::toString);
    assertEquals(List.of("env"), shm.listing(), "no temporary file");
    assertEquals(OLD, Files.readString(envFile));
    assertEquals(status, ran.exit(), ran::toString);
    seen.assertNotStarted(ran);
  }

  /**
   * The process is stopped (SIGSTOP) right after it says it is writing; if the temporary file is
   * there, it was stopped mid-write. Then the signal, then SIGCONT: the JVM runs its shutdown hooks
   * while the writing thread races on.
   */
  @ParameterizedTest(name = "SIG{0} while writing the env file")
  @CsvSource({"TERM, 143", "INT, 130"})
  void whileWriting(String signal, int status) throws IOException {
    // Large values make the write take tens of milliseconds, long enough to stop it midway; each
    // stays under the 1 MiB kvload reads of an answer.
    StringBuilder secrets = new StringBuilder();
    String[] values = new String[24];
    for (int i = 0; i < values.length; i++) {
      values[i] = String.format("chunk-%02d-", i).repeat(90_000);
      h.fake.put(VAULT, "big-" + i, values[i]);
      secrets.append(i == 0 ? "" : ", ").append("\"BIG_").append(i).append("\": \"big-").append(i);
      secrets.append('"');
    }
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {" + secrets + "}}");
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      expected.append("export BIG_").append(i).append("='").append(values[i]).append("'\n");
    }
    String fresh = expected.toString();

    boolean stoppedMidWrite = false;
    for (int attempt = 1; attempt <= 3 && !stoppedMidWrite; attempt++) {
      Files.writeString(envFile, OLD);
      var running =
          h.run().args("export", "-o", envFile.toString(), "-v", "--timeout", "120s").start();
      running.awaitStderr("kvload: writing " + envFile, Duration.ofSeconds(120));
      running.signal("STOP");
      Instant stopped = Instant.now();
      stoppedMidWrite = shm.listing().stream().anyMatch(name -> name.endsWith(".tmp"));
      running.signal(stoppedMidWrite ? signal : "CONT");
      if (stoppedMidWrite) {
        running.signal("CONT");
      }
      var run = running.finish(Duration.ofSeconds(60));
      System.out.printf(
          "INTERRUPT SIG%s while writing (attempt %d, %s): exit %d in %d ms, file %s%n",
          signal,
          attempt,
          stoppedMidWrite ? "stopped mid-write" : "write had finished",
          run.exit(),
          run.took().toMillis(),
          describe(Files.readString(envFile, StandardCharsets.UTF_8), fresh));
      assertEquals(List.of("env"), shm.listing(), "no temporary file left: " + run);
      String now = Files.readString(envFile, StandardCharsets.UTF_8);
      assertTrue(
          now.equals(OLD) || now.equals(fresh),
          "the old or the new complete file, not a mix (" + now.length() + " chars)");
      if (stoppedMidWrite) {
        assertEquals(status, run.exit(), run::toString);
        assertTrue(Duration.between(stopped, Instant.now()).toSeconds() < 30, "ended promptly");
      } else {
        assertEquals(0, run.exit(), run::toString);
        assertEquals(fresh, now);
      }
    }
    assertTrue(stoppedMidWrite, "three attempts, never stopped while the temporary file existed");
  }

  private static String describe(String now, String fresh) {
    if (now.equals(OLD)) {
      return "old and complete";
    }
    return now.equals(fresh) ? "new and complete" : "MIXED (" + now.length() + " chars)";
  }

  private void manifest(String variable, String secret) {
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\""
            + variable
            + "\": \""
            + secret
            + "\"}}");
  }

  /** Waits until the fake has had authorized secret GETs from this many kvload processes. */
  private void awaitAuthorizedRequests(int processes) {
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (h.fake.secretRequests().stream()
            .filter(r -> r.authorized())
            .map(r -> r.run())
            .distinct()
            .count()
        < processes) {
      assertTrue(Instant.now().isBefore(end), "kvload never asked for the secret");
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
