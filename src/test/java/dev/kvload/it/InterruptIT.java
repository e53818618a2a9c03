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
      Instant stopped = Instant.now();
      stoppedMidWrite =
          stopMidway(
              running,
              signal,
              () -> shm.listing().stream().anyMatch(name -> name.endsWith(".tmp")));
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

  /**
   * {@code export} of the manifest's files, signalled while a file's secret is held back: the
   * previous set (its folder, the link to it, the env file with its paths) is left as it was, and
   * no new folder beside it.
   */
  @ParameterizedTest(name = "SIG{0} while fetching a file's secret")
  @CsvSource({"INT, 130", "TERM, 143"})
  void filesWhileFetching(String signal, int status) throws IOException {
    String old = "the old file 0b7d";
    h.fake.put(VAULT, "cert", old);
    filesManifest(1);
    var first = h.kvload("export", "-o", envFile.toString());
    assertEquals(0, first.exit(), first::toString);
    List<String> before = shm.listing();
    String envBefore = Files.readString(envFile);
    h.fake.put(VAULT, "cert", "the new file 6e21");
    h.fake.behave(VAULT, "cert", r -> h.fake.normal(r).after(Duration.ofSeconds(60)));

    var export = h.run().args("export", "-o", envFile.toString(), "--timeout", "90s").start();
    awaitAuthorizedRequests(2);
    export.signal(signal);
    var run = export.finish(Duration.ofSeconds(30));

    assertEquals(status, run.exit(), run::toString);
    assertEquals(before, shm.listing(), "the same set, nothing beside it");
    assertEquals(old, Files.readString(shm.resolve("env.files/f00.txt")));
    assertEquals(envBefore, Files.readString(envFile));
  }

  /**
   * {@code export} of the manifest's files, stopped (SIGSTOP) once it says it is writing them and
   * before its link moved to the new set, then signalled and continued: the JVM's shutdown hooks
   * race the writing thread. The previous set must be left whole and reachable, and the new folder,
   * half written, removed.
   */
  @ParameterizedTest(name = "SIG{0} while writing the files")
  @CsvSource({"TERM, 143", "INT, 130"})
  void filesWhileWriting(String signal, int status) throws IOException {
    int count = 40;
    String old = "the old file 0b7d";
    h.fake.put(VAULT, "cert", old);
    filesManifest(count);
    var first = h.kvload("export", "-o", envFile.toString());
    assertEquals(0, first.exit(), first::toString);
    Path link = shm.resolve("env.files");
    // Large files make the writing take tens of milliseconds, long enough to stop it midway.
    String fresh = "big-file-".repeat(80_000);
    h.fake.put(VAULT, "cert", fresh);

    boolean stoppedMidWrite = false;
    for (int attempt = 1; attempt <= 3 && !stoppedMidWrite; attempt++) {
      Path oldSet = Files.readSymbolicLink(link);
      String oldContent = Files.readString(link.resolve("f00.txt"));
      var running =
          h.run().args("export", "-o", envFile.toString(), "-v", "--timeout", "120s").start();
      running.awaitStderr("kvload: writing " + count + " files to", Duration.ofSeconds(120));
      stoppedMidWrite = stopMidway(running, signal, () -> linkReaches(link, oldSet));
      var run = running.finish(Duration.ofSeconds(60));
      System.out.printf(
          "INTERRUPT SIG%s while writing files (attempt %d, %s): exit %d in %d ms%n",
          signal,
          attempt,
          stoppedMidWrite ? "stopped before the switch" : "the switch had happened",
          run.exit(),
          run.took().toMillis());
      List<String> sets = shm.listing().stream().filter(n -> n.startsWith(".env.files.")).toList();
      assertEquals(
          List.of(Files.readSymbolicLink(link).toString()),
          sets,
          "one complete set, nothing half written or temporary beside it: " + shm.listing());
      assertTrue(shm.listing().containsAll(List.of("env", "env.files")), shm.listing()::toString);
      // Stopped before the switch, the signal usually stops the writing and the previous set
      // stays; but the writing thread runs on beside the shutdown hooks and may reach the switch
      // first: then the new set is complete. Never anything in between.
      boolean previousKept = Files.readSymbolicLink(link).equals(oldSet);
      String expected = previousKept ? oldContent : fresh;
      System.out.printf("  the %s set is reached%n", previousKept ? "previous" : "new");
      assertEquals(stoppedMidWrite ? status : 0, run.exit(), run::toString);
      for (int i = 0; i < count; i++) {
        String name = String.format("f%02d.txt", i);
        assertTrue(
            expected.equals(Files.readString(link.resolve(name))),
            "complete and the same: " + name);
      }
    }
    assertTrue(stoppedMidWrite, "three attempts, never stopped before the switch");
  }

  /**
   * Stops kvload (SIGSTOP) and asks whether it stopped midway; if so, sends {@code signal} while it
   * is stopped, so that the JVM's shutdown hooks and the writing thread start again together.
   * SIGCONT in every case.
   */
  private static boolean stopMidway(
      Harness.Running running, String signal, java.util.function.BooleanSupplier midway) {
    running.signal("STOP");
    boolean stopped = midway.getAsBoolean();
    if (stopped) {
      running.signal(signal);
    }
    running.signal("CONT");
    return stopped;
  }

  private static boolean linkReaches(Path link, Path set) {
    try {
      return Files.readSymbolicLink(link).equals(set);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Files f00.txt, f01.txt, ... all made from secret 'cert'. */
  private void filesManifest(int count) {
    StringBuilder files = new StringBuilder();
    for (int i = 0; i < count; i++) {
      files.append(i == 0 ? "" : ", ");
      files.append(String.format("\"f%02d.txt\": {\"secret\": \"cert\"}", i));
    }
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {}, \"files\": {"
            + files
            + "}}");
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
