package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvload.fake.FakeAzure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload run} as a process: it must become the command as a shell's {@code exec} does, and
 * its child-process fallback must come as close as a child can. Each test runs in both modes where
 * the behaviour applies to both.
 */
class RunIT {
  private static final String VAULT = "kvload-test";

  /** The two ways of handing over, chosen with {@code KVLOAD_EXEC}. */
  enum Mode {
    EXEC,
    CHILD;

    String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  /** Maps each variable to a secret holding the given value. */
  private void secrets(Map<String, String> values) {
    StringBuilder json = new StringBuilder();
    int i = 0;
    for (var entry : values.entrySet()) {
      String secret = "secret-" + i++;
      h.fake.put(VAULT, secret, entry.getValue());
      json.append(json.isEmpty() ? "" : ", ")
          .append('"')
          .append(entry.getKey())
          .append("\": \"")
          .append(secret)
          .append('"');
    }
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {" + json + "}}");
  }

  private void oneSecret() {
    secrets(Map.of("DATABASE_URL", "postgres://app:s3cr3t-value@db/app"));
  }

  private Harness.Run.Builder run(Mode mode, String... command) {
    List<String> args = new ArrayList<>(List.of("run", "--"));
    args.addAll(List.of(command));
    return h.run().env("KVLOAD_EXEC", mode.value()).args(args.toArray(String[]::new));
  }

  private Harness.Run.Builder direct(String... command) {
    return h.run().direct().args(command);
  }

  private byte[] read(String name) {
    try {
      return Files.readAllBytes(h.dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String readString(String name) {
    return new String(read(name), StandardCharsets.UTF_8);
  }

  private boolean exists(String name) {
    return Files.exists(h.dir.resolve(name));
  }

  @Test
  void theCommandIsTheProcessKvloadWasStartedAs() {
    oneSecret();
    var run =
        run(
                Mode.EXEC,
                "sh",
                "-c",
                "echo $$; if [ -e \"/tmp/hsperfdata_$(id -un)/$$\" ]; then echo perf-file-left; fi")
            .go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals(run.pid() + "\n", run.stdout(), "the command's PID, and no JVM perf data file");
  }

  static Stream<Arguments> signalStates() {
    String ignoring = "trap '' USR1 PIPE QUIT HUP; exec \"$@\"";
    // The JDK resets PIPE to default in every child it starts: the fallback cannot keep it ignored.
    String ignoringAllButPipe = "trap '' USR1 QUIT HUP; exec \"$@\"";
    return Stream.of(
        Arguments.argumentSet("exec", Mode.EXEC, List.of()),
        Arguments.argumentSet("child", Mode.CHILD, List.of()),
        Arguments.argumentSet(
            "exec, started with USR1 PIPE QUIT HUP ignored",
            Mode.EXEC,
            List.of("sh", "-c", ignoring, "sh")),
        Arguments.argumentSet(
            "child, started with USR1 QUIT HUP ignored",
            Mode.CHILD,
            List.of("sh", "-c", ignoringAllButPipe, "sh")));
  }

  @ParameterizedTest
  @MethodSource("signalStates")
  void startsWithAnEmptyMaskAndTheIgnoredSignalsOfADirectStart(Mode mode, List<String> via) {
    oneSecret();
    String[] probe = {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"};
    var viaKvload = run(mode, probe).via(via.toArray(String[]::new)).go();
    var started = direct(probe).via(via.toArray(String[]::new)).go();
    assertEquals(0, viaKvload.exit(), viaKvload::toString);
    assertEquals(0, started.exit(), started::toString);
    assertTrue(viaKvload.stdout().contains("SigBlk:\t0000000000000000\n"), viaKvload.stdout());
    assertEquals(started.stdout(), viaKvload.stdout());
  }

  static Stream<Arguments> descriptorSetups() {
    String extra = "exec 3>\"$0\"; exec \"$@\"";
    return Stream.of(
        Arguments.argumentSet("exec", Mode.EXEC, false),
        Arguments.argumentSet("child", Mode.CHILD, false),
        Arguments.argumentSet("exec, with 3>file", Mode.EXEC, true));
  }

  @ParameterizedTest
  @MethodSource("descriptorSetups")
  void inheritsExactlyTheDescriptorsOfADirectStart(Mode mode, boolean extra) {
    oneSecret();
    String[] via =
        extra
            ? new String[] {
              "sh", "-c", "exec 3>\"$0\"; exec \"$@\"", h.dir.resolve("fd3.log").toString()
            }
            : new String[0];
    String[] probe = {"ls", "-l", "/proc/self/fd"};
    var viaKvload = run(mode, probe).via(via).go();
    var started = direct(probe).via(via).go();
    assertEquals(0, viaKvload.exit(), viaKvload::toString);
    Map<String, String> fds = descriptors(viaKvload.stdout());
    assertEquals(descriptors(started.stdout()).keySet(), fds.keySet(), viaKvload.stdout());
    if (extra) {
      assertEquals(h.dir.resolve("fd3.log").toString(), fds.get("3"));
    }
  }

  /** Descriptor number to target, from {@code ls -l /proc/self/fd}. */
  static Map<String, String> descriptors(String listing) {
    Map<String, String> fds = new TreeMap<>();
    for (String line : listing.split("\n")) {
      int arrow = line.indexOf(" -> ");
      if (arrow > 0) {
        String left = line.substring(0, arrow);
        fds.put(left.substring(left.lastIndexOf(' ') + 1), line.substring(arrow + 4));
      }
    }
    return fds;
  }

  static Stream<Arguments> statuses() {
    List<Arguments> cases = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      cases.add(Arguments.argumentSet(mode.value() + ": exit 0", mode, "exit 0", 0));
      cases.add(Arguments.argumentSet(mode.value() + ": exit 42", mode, "exit 42", 42));
      cases.add(
          Arguments.argumentSet(
              mode.value() + ": killed by TERM", mode, "kill -TERM $$; sleep 5", 128 + 15));
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("statuses")
  void theCommandsExitStatusComesBackUnchanged(Mode mode, String script, int status) {
    oneSecret();
    var run = run(mode, "sh", "-c", script).go();
    assertEquals(status, run.exit(), run::toString);
  }

  static Stream<Arguments> signals() {
    List<Arguments> cases = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      for (String signal : List.of("TERM", "INT")) {
        cases.add(Arguments.argumentSet(mode.value() + ": " + signal, mode, signal));
      }
    }
    // The child fallback forwards these too (execve needs no forwarding: the command is the PID).
    for (String signal : List.of("HUP", "USR1", "USR2")) {
      cases.add(Arguments.argumentSet("child: " + signal, Mode.CHILD, signal));
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("signals")
  void signalsSentToThePidReachTheCommand(Mode mode, String signal) throws InterruptedException {
    oneSecret();
    String script = "trap 'echo $0 > got; exit 3' $0; : > ready; while :; do sleep 0.05; done";
    var started = run(mode, "sh", "-c", script, signal).start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!exists("ready")) {
      if (Instant.now().isAfter(deadline) || !started.process().isAlive()) {
        fail("the command never got ready: " + started.await());
      }
      Thread.sleep(20);
    }
    started.signal(signal);
    var run = started.await();
    assertEquals(3, run.exit(), run::toString);
    assertEquals(signal + "\n", readString("got"));
  }

  static Map<String, String> awkwardValues() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("MULTI_LINE", "line one\nline two\n\nlast line\n");
    values.put("QUOTES", "it's \"quoted\" and 'single' `back`");
    values.put("UNICODE", "héllo wörld ✓ 🚀 日本語");
    values.put("SHELLISH", "$HOME ${PATH} $(id) \\back\\slash\\ %s %n");
    values.put("SPACES", "  leading and trailing  ");
    return values;
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void valuesArriveByteForByte(Mode mode) {
    Map<String, String> values = awkwardValues();
    secrets(values);
    StringBuilder script = new StringBuilder("env > env.txt");
    values
        .keySet()
        .forEach(v -> script.append("; printf %s \"$").append(v).append("\" > ").append(v));
    // The child fallback can only pass what the locale's charset encodes (see the next test).
    var run = run(mode, "sh", "-c", script.toString()).env("LC_ALL", "C.UTF-8").go();
    assertEquals(0, run.exit(), run::toString);
    values.forEach(
        (name, value) ->
            assertArrayEquals(value.getBytes(StandardCharsets.UTF_8), read(name), name));
    String env = readString("env.txt");
    assertFalse(env.contains("KVLOAD_EXEC="), "kvload's own variables stay out of CMD's env");
    assertFalse(env.contains("KVLOAD_INHERITED="), "kvload's own variables stay out of CMD's env");
    assertTrue(env.contains("KVLOAD_JAVA_OPTS="), "the user's variables stay");
  }

  @Test
  void underACLocaleTheExecPathStillPassesUtf8Values() {
    Map<String, String> values = awkwardValues();
    secrets(values);
    var run = run(Mode.EXEC, "sh", "-c", "printf %s \"$UNICODE\" > out").env("LC_ALL", "C").go();
    assertEquals(0, run.exit(), run::toString);
    assertArrayEquals(values.get("UNICODE").getBytes(StandardCharsets.UTF_8), read("out"));
  }

  @Test
  void underACLocaleTheChildFallbackRefusesWhatItCannotPassAndStartsNothing() {
    secrets(Map.of("UNICODE", "héllo wörld"));
    var run = run(Mode.CHILD, "sh", "-c", ": > started").env("LC_ALL", "C").go();
    assertEquals(5, run.exit(), run::toString);
    assertTrue(run.stderr().contains("UNICODE: its value cannot be passed"), run::toString);
    assertFalse(exists("started"));
  }

  /**
   * Variables and arguments kvload does not change keep their bytes, even bytes the JVM cannot
   * decode (not UTF-8, or anything non-ASCII under a C locale); {@code @file} stays literal.
   */
  @Test
  void untouchedVariablesAndArgumentsKeepTheirBytes() {
    oneSecret();
    String via =
        "RAW=$(printf 'h\\303\\251 \\377'); export RAW; exec \"$@\" \"$(printf '\\303\\251"
            + " \\377')\" @kvload.json";
    String script = "printf %s \"$RAW\" > raw; printf %s \"$1\" > arg; printf %s \"$2\" > at";
    var run = run(Mode.EXEC, "sh", "-c", script, "sh").via("sh", "-c", via, "sh").go();
    assertEquals(0, run.exit(), run::toString);
    assertArrayEquals(new byte[] {'h', (byte) 0xc3, (byte) 0xa9, ' ', (byte) 0xff}, read("raw"));
    assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9, ' ', (byte) 0xff}, read("arg"));
    assertEquals("@kvload.json", readString("at"));
  }

  @Test
  void theChildFallbackKeepsUntouchedVariablesAndRefusesArgumentsItWouldChange() {
    oneSecret();
    String raw = "RAW=$(printf 'h\\303\\251 \\377'); export RAW; exec \"$@\"";
    var kept =
        run(Mode.CHILD, "sh", "-c", "printf %s \"$RAW\" > raw; printf %s \"$1\" > arg", "sh", "é")
            .env("LC_ALL", "C.UTF-8")
            .via("sh", "-c", raw, "sh")
            .go();
    assertEquals(0, kept.exit(), kept::toString);
    assertArrayEquals(new byte[] {'h', (byte) 0xc3, (byte) 0xa9, ' ', (byte) 0xff}, read("raw"));
    assertEquals("é", readString("arg"));

    String badArgument = "exec \"$@\" \"$(printf '\\377')\"";
    var refused =
        run(Mode.CHILD, "sh", "-c", ": > started", "sh")
            .env("LC_ALL", "C.UTF-8")
            .via("sh", "-c", badArgument, "sh")
            .go();
    assertEquals(126, refused.exit(), refused::toString);
    assertTrue(refused.stderr().contains("cannot be passed to a child process"), refused::toString);
    assertFalse(exists("started"));
  }

  static Stream<Arguments> policies() {
    List<Arguments> cases = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      for (String policy : List.of("override", "keep", "fail")) {
        cases.add(Arguments.argumentSet(mode.value() + ": " + policy, mode, policy));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("policies")
  void existingVariablesFollowTheConflictPolicy(Mode mode, String policy) {
    String secret = "postgres://app:from-the-vault@db/app";
    secrets(Map.of("DATABASE_URL", secret, "SAME", "same-in-both-places"));
    String script = "printf %s \"$DATABASE_URL\" > seen; printf %s \"$SAME\" > same";
    var run =
        h.run()
            .env("KVLOAD_EXEC", mode.value())
            .env("DATABASE_URL", "postgres://localhost/dev")
            .env("SAME", "same-in-both-places")
            .args("--on-conflict", policy, "run", "--", "sh", "-c", script)
            .go();
    switch (policy) {
      case "override" -> {
        assertEquals(0, run.exit(), run::toString);
        assertEquals(secret, readString("seen"));
        assertTrue(run.stderr().contains("warning: DATABASE_URL was already set"), run::toString);
        assertFalse(run.stderr().contains("SAME"), "an equal value is no conflict");
      }
      case "keep" -> {
        assertEquals(0, run.exit(), run::toString);
        assertEquals("postgres://localhost/dev", readString("seen"));
        assertFalse(run.stderr().contains("DATABASE_URL"), run::toString);
      }
      default -> {
        assertEquals(7, run.exit(), run::toString);
        assertTrue(run.stderr().contains("--on-conflict fail: DATABASE_URL is"), run::toString);
        assertFalse(run.stderr().contains("SAME"), "an equal value is no conflict");
        assertFalse(exists("seen"), "nothing was started");
      }
    }
    if (!policy.equals("fail")) {
      assertEquals("same-in-both-places", readString("same"));
    }
  }

  static Stream<Arguments> unrunnable() {
    List<Arguments> cases = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      String m = mode.value() + ": ";
      cases.add(
          Arguments.argumentSet(
              m + "not on PATH",
              mode,
              "kvload-no-such-command",
              127,
              "kvload: kvload-no-such-command: command not found"));
      cases.add(
          Arguments.argumentSet(
              m + "no such file",
              mode,
              "./no-such-file",
              127,
              "kvload: ./no-such-file: No such file or directory"));
      cases.add(
          Arguments.argumentSet(
              m + "not executable",
              mode,
              "./data.txt",
              126,
              "kvload: ./data.txt: Permission denied"));
      cases.add(
          Arguments.argumentSet(
              m + "a directory", mode, "./sub", 126, "kvload: ./sub: Is a directory"));
      cases.add(
          Arguments.argumentSet(
              m + "a missing #! interpreter",
              mode,
              "./bad-interpreter",
              126,
              "kvload: ./bad-interpreter: No such file or directory (a missing #! interpreter"
                  + " or loader?)"));
      cases.add(
          Arguments.argumentSet(
              m + "only a non-executable file on PATH",
              mode,
              "tool-without-x",
              126,
              "kvload: tool-without-x: Permission denied"));
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("unrunnable")
  void aCommandThatCannotRunGetsTheShellsStatus(
      Mode mode, String command, int status, String message) throws IOException {
    oneSecret();
    h.write("data.txt", "not a program\n");
    h.write("tools/tool-without-x", "#!/bin/sh\necho ran\n");
    Files.createDirectories(h.dir.resolve("sub"));
    Files.setPosixFilePermissions(
        h.write("bad-interpreter", "#!/no/such/interpreter\n"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    var run =
        run(mode, command)
            .env("PATH", h.dir.resolve("tools") + ":/usr/local/bin:/usr/bin:/bin")
            .go();
    assertEquals(status, run.exit(), run::toString);
    assertTrue(run.stderr().contains(message + "\n"), run::toString);
    assertEquals("", run.stdout());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aFileWithoutAShebangRunsAsAShellScript(Mode mode) throws IOException {
    oneSecret();
    Path script = h.write("script", "echo \"from a script: ${#DATABASE_URL} characters\"\n");
    Files.setPosixFilePermissions(
        script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    var run = run(mode, "./script").go();
    assertEquals(0, run.exit(), run::toString);
    assertEquals("from a script: 34 characters\n", run.stdout());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aMissingSecretStartsNothing(Mode mode) {
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"DATABASE_URL\": \"not-there\"}}");
    var run = run(mode, "sh", "-c", ": > started").go();
    assertEquals(5, run.exit(), run::toString);
    assertFalse(exists("started"), "the command must not have run");
  }

  @Test
  void anExpiredSecretStartsNothingUnlessAllowed() {
    h.fake.put(
        VAULT,
        "old",
        new FakeAzure.Version(
            FakeAzure.newVersionId(),
            "expired-value-7e8f",
            true,
            null,
            Instant.now().minus(Duration.ofDays(1))));
    h.manifest("{\"vault\": \"" + h.fake.vaultUrl(VAULT) + "\", \"secrets\": {\"OLD\": \"old\"}}");
    var refused = run(Mode.EXEC, "sh", "-c", ": > started").go();
    assertEquals(5, refused.exit(), refused::toString);
    assertFalse(exists("started"), "the command must not have run");
    var allowed = h.run().args("run", "--allow-expired", "--", "sh", "-c", ": > started").go();
    assertEquals(0, allowed.exit(), allowed::toString);
    assertTrue(exists("started"), "--allow-expired lets it start");
  }

  static Stream<Arguments> usageErrors() {
    return Stream.of(
        Arguments.argumentSet(
            "no '--'", List.of("run", "sh", "-c", ": > started"), "put '--' before the command"),
        Arguments.argumentSet(
            "no '--', no option", List.of("run", "true"), "needs '--' before the command"),
        Arguments.argumentSet("no command", List.of("run", "--"), "run needs a command"),
        Arguments.argumentSet(
            "'--' after the command",
            List.of("run", "sh", "--", "-c", ": > started"),
            "needs '--' before the command"));
  }

  @ParameterizedTest
  @MethodSource("usageErrors")
  void aCommandLineWithoutDoubleDashIsAUsageError(List<String> args, String message) {
    oneSecret();
    var run = h.run().args(args.toArray(String[]::new)).go();
    assertEquals(2, run.exit(), run::toString);
    assertTrue(run.stderr().contains(message), run::toString);
    assertFalse(exists("started"));
  }

  @Test
  void anUnknownModeIsAUsageError() {
    oneSecret();
    var run = h.run().env("KVLOAD_EXEC", "chlid").args("run", "--", "true").go();
    assertEquals(2, run.exit(), run::toString);
    assertTrue(run.stderr().contains("KVLOAD_EXEC: 'chlid' is not a mode"), run::toString);
  }

  /**
   * A manifest in a cloned repository may not choose the code the command loads: LD_PRELOAD,
   * BASH_ENV, PATH and NODE_OPTIONS are refused (3) before any request, naming where each is and
   * how to allow it; named with --allow-var, one passes.
   */
  @Test
  void codeLoadingVariablesAreRefusedUnlessTheCommandLineAllowsEach() throws IOException {
    Map<String, String> hostile = new LinkedHashMap<>();
    hostile.put("DATABASE_URL", "postgres://app:s3cr3t-value@db/app");
    hostile.put("LD_PRELOAD", "/tmp/evil-library.so");
    hostile.put("BASH_ENV", "/tmp/evil-script.sh");
    hostile.put("PATH", "/tmp/evil-bin:/usr/bin:/bin");
    hostile.put("NODE_OPTIONS", "--require /tmp/evil-module.js");
    secrets(hostile);
    Path marker = h.dir.resolve("marker");
    for (Mode mode : Mode.values()) {
      var run = run(mode, "touch", marker.toString()).go();
      assertEquals(3, run.exit(), run::toString);
      assertFalse(Files.exists(marker), "nothing started");
      for (String variable : List.of("LD_PRELOAD", "BASH_ENV", "PATH", "NODE_OPTIONS")) {
        assertTrue(
            run.stderr()
                .matches(
                    "(?s).*kvload: kvload.json:1:\\d+: "
                        + variable
                        + ": changes how programs load code, so a manifest may not set it; if you"
                        + " trust this manifest and its vault, pass --allow-var "
                        + variable
                        + "\n.*"),
            run::toString);
      }
    }
    assertEquals(3, h.kvload("validate").exit());
    assertEquals(List.of(), h.fake.secretRequests(), "nothing fetched");
    secrets(Map.of("NODE_OPTIONS", "--max-old-space-size=64"));
    Path out = h.dir.resolve("out");
    var allowed =
        h.run()
            .args(
                "run",
                "--allow-var",
                "NODE_OPTIONS",
                "--",
                "sh",
                "-c",
                "printf %s \"$NODE_OPTIONS\" > \"$0\"",
                out.toString())
            .go();
    assertEquals(0, allowed.exit(), allowed::toString);
    assertEquals("--max-old-space-size=64", Files.readString(out));
  }
}
