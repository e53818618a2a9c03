package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvload.fake.FakeAzure.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@code run} hands on from the way kvload was started, and what it believes about that: the
 * core-dump limit (0 for kvload itself while it holds values and tokens, the inherited one for the
 * command), and the launcher's record of descriptors and ignored signals, which only {@code
 * bin/kvload} can give (a {@code KVLOAD_INHERITED} variable is not believed).
 */
class InheritedIT {
  private static final String VAULT = "kvload-test";

  /** Starts with a soft core limit that is neither 0 nor the hard one (2048 blocks of dash). */
  private static final String[] CORE_2048 = {"sh", "-c", "ulimit -S -c 2048 && exec \"$@\"", "sh"};

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  InheritedIT() {
    h.fake.put(VAULT, "db-url", "postgres://app:inherited-s3cret@db/app");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
  }

  /** How kvload is started: the launcher, in both handoff modes, or the jar without it. */
  enum Start {
    LAUNCHER_EXEC,
    LAUNCHER_CHILD,
    JAVA_JAR;

    Harness.Run.Builder run(Harness h, String... command) {
      List<String> args = runArgs(command);
      return (this == JAVA_JAR ? javaJar(h, args) : h.run().args(args.toArray(String[]::new)))
          .env("KVLOAD_EXEC", this == LAUNCHER_CHILD ? "child" : "exec");
    }
  }

  /**
   * {@code java -jar target/kvload.jar ARGS}, as anyone may start it: no launcher, so no record. No
   * perf data file, which a JVM that execs never deletes.
   */
  static Harness.Run.Builder javaJar(Harness h, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:-UsePerfData");
    command.addAll(List.of(Harness.TLS.javaOptions().split(" ")));
    command.add("-jar");
    command.add(Harness.HOME.resolve("target/kvload.jar").toString());
    command.addAll(args);
    return h.run().direct().args(command.toArray(String[]::new));
  }

  static Stream<Start> starts() {
    return Stream.of(Start.values());
  }

  /** The command gets the soft and hard core limits a direct start would have given it. */
  @ParameterizedTest
  @MethodSource("starts")
  void theCommandGetsTheCoreLimitsKvloadWasStartedWith(Start start) {
    String[] probe = {"sh", "-c", "ulimit -c; ulimit -Hc"};
    var direct = h.run().direct().args(probe).via(CORE_2048).go();
    assumeTrue(direct.exit() == 0, "the hard core limit here is below 2048 blocks: " + direct);
    assertTrue(direct.stdout().startsWith("2048\n"), direct::toString);

    var viaKvload = start.run(h, probe).via(CORE_2048).go();

    assertEquals(0, viaKvload.exit(), viaKvload::toString);
    assertEquals(direct.stdout(), viaKvload.stdout());
  }

  /**
   * While kvload holds a token and waits for the vault, its own soft core limit is 0 and its hard
   * limit the one it was started with.
   */
  @ParameterizedTest
  @MethodSource("starts")
  void kvloadItselfRunsWithoutCoreDumps(Start start) throws InterruptedException {
    var direct = h.run().direct().args("sh", "-c", "ulimit -Hc").via(CORE_2048).go();
    assumeTrue(direct.exit() == 0, "the hard core limit here is below 2048 blocks: " + direct);
    h.fake.behave(VAULT, "db-url", r -> Reply.never());
    var running = start.run(h, "true").via(CORE_2048).start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (h.fake.secretRequests().isEmpty()) {
      if (Instant.now().isAfter(deadline) || !running.process().isAlive()) {
        running.process().destroy();
        fail("kvload never asked for the secret: " + running.await());
      }
      Thread.sleep(20);
    }
    List<String> kvload = coreLimits(running.pid());
    running.signal("TERM");
    running.await();

    assertEquals("0", kvload.get(0), "kvload's soft core limit mid-run");
    assertEquals(coreLimits(ProcessHandle.current().pid()).get(1), kvload.get(1), "hard limit");
  }

  /** Soft and hard "Max core file size" of a process, as its /proc/PID/limits shows them. */
  private static List<String> coreLimits(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
        if (line.startsWith("Max core file size")) {
          String[] fields = line.substring("Max core file size".length()).trim().split("\\s+");
          return List.of(fields[0], fields[1]);
        }
      }
      throw new IllegalStateException("no core limit in /proc/" + pid + "/limits");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SigIgn bits of INT (2) and TERM (15). */
  private static final long INT_AND_TERM = 0x4002;

  /**
   * A record in the form the variable once had, claiming the JVM's own descriptors and INT and TERM
   * ignored, with the right PID ({@code $$} of the shell that execs java).
   */
  private static final String[] CRAFTED = {
    "sh",
    "-c",
    "KVLOAD_INHERITED=\"$$;0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16;0000000000004002\";"
        + " export KVLOAD_INHERITED; exec \"$@\"",
    "sh"
  };

  /**
   * Started as {@code java -jar} with a crafted {@code KVLOAD_INHERITED}: the command still gets
   * only descriptors 0-2 and default dispositions, as a direct start would.
   */
  @Test
  void aCraftedKvloadInheritedIsNotBelieved() {
    String[] signals = {
      "sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; echo \"${KVLOAD_INHERITED-unset}\""
    };
    var viaKvload = javaJar(h, runArgs(signals)).env("KVLOAD_EXEC", "exec").via(CRAFTED).go();
    assertEquals(0, viaKvload.exit(), viaKvload::toString);
    assertTrue(viaKvload.stdout().endsWith("\nunset\n"), "kept out of the command's environment");
    long ignored =
        Long.parseUnsignedLong(
            viaKvload.stdout().replaceAll("(?s).*SigIgn:\\s*(\\p{XDigit}+).*", "$1"), 16);
    assertEquals(0, ignored & INT_AND_TERM, "INT and TERM not ignored: " + viaKvload.stdout());

    String[] descriptors = {"ls", "-l", "/proc/self/fd"};
    var fds = javaJar(h, runArgs(descriptors)).env("KVLOAD_EXEC", "exec").via(CRAFTED).go();
    var directFds = h.run().direct().args(descriptors).go();
    assertEquals(0, fds.exit(), fds::toString);
    assertEquals(
        RunIT.descriptors(directFds.stdout()).keySet(),
        RunIT.descriptors(fds.stdout()).keySet(),
        fds.stdout());
  }

  private static List<String> runArgs(String... command) {
    List<String> args = new ArrayList<>(List.of("run", "--"));
    args.addAll(List.of(command));
    return args;
  }
}
