package dev.kvload.fake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A fleet of kvload processes started at once against one throttled vault, for bench/fleet.sh.
 *
 * <p>Usage: {@code FleetBench DIR KVLOAD [--processes N] [--secrets N] [--limit N] [--window-ms MS]
 * [--timeout DURATION] [--no-retry-after] [--runs N]}. Each run gets a fresh fake; prints one line
 * per run: processes finished, GETs, refusals per GET needed, GETs sent during a wait the vault
 * gave ({@link ThrottleReport}).
 */
public final class FleetBench {
  private FleetBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]).toAbsolutePath();
    String kvload = args[1];
    int processes = 12;
    int secrets = 20;
    int limit = 60;
    long windowMs = 10_000;
    String timeout = "90s";
    boolean retryAfter = true;
    int runs = 1;
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--processes" -> processes = Integer.parseInt(args[++i]);
        case "--secrets" -> secrets = Integer.parseInt(args[++i]);
        case "--limit" -> limit = Integer.parseInt(args[++i]);
        case "--window-ms" -> windowMs = Long.parseLong(args[++i]);
        case "--timeout" -> timeout = args[++i];
        case "--no-retry-after" -> retryAfter = false;
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Files.createDirectories(dir);
    TestTls tls = TestTls.in(dir.resolve("tls"));
    for (int run = 1; run <= runs; run++) {
      Path runDir = Files.createDirectories(dir.resolve("run-" + run));
      try (FakeAzure fake = FakeAzure.start(tls)) {
        fake.throttle(limit, Duration.ofMillis(windowMs), retryAfter);
        Fleet fleet = Fleet.start(fake, tls, runDir, kvload, processes, secrets, timeout);
        ThrottleReport report = ThrottleReport.of(fake, Fleet.TOLERANCE);
        ThrottleReport lenient = ThrottleReport.of(fake, Fleet.TOLERANCE.multipliedBy(4));
        int needed = processes * secrets;
        System.out.printf(
            "run %d: %d/%d finished (exits %s) in %.1f s; %d GETs for %d needed; %d refusals"
                + " (%.2f per GET needed); %d GETs sent during a wait (latest %d ms after"
                + " the refusal; %d of them more than %d ms after it)%n",
            run,
            fleet.finished(),
            processes,
            fleet.exits(),
            fleet.took().toMillis() / 1000.0,
            report.gets(),
            needed,
            report.refusals(),
            report.refusalsPerNeeded(needed),
            report.duringWait(),
            report.latest().toMillis(),
            lenient.duringWait(),
            Fleet.TOLERANCE.multipliedBy(4).toMillis());
        System.out.println("  served per window: " + servedPerWindow(fake, windowMs));
        if (run == 1) {
          fleet
              .firstFailure()
              .ifPresent(text -> System.out.println("  a failed run said: " + text));
        }
      }
    }
  }

  /**
   * How many GETs the vault served in each of its windows, from the first: a window the fleet left
   * unfilled while processes still needed secrets is time their waits wasted.
   */
  static List<Integer> servedPerWindow(FakeAzure fake, long windowMs) {
    Set<FakeAzure.Request> refused = new HashSet<>();
    fake.refusals().forEach(r -> refused.add(r.request()));
    List<Instant> served =
        fake.secretRequests().stream()
            .filter(r -> r.authorized() && !refused.contains(r))
            .map(FakeAzure.Request::at)
            .sorted()
            .toList();
    List<Integer> counts = new ArrayList<>();
    for (Instant at : served) {
      int window = (int) (Duration.between(served.getFirst(), at).toMillis() / windowMs);
      while (counts.size() <= window) {
        counts.add(0);
      }
      counts.set(window, counts.get(window) + 1);
    }
    return counts;
  }

  /** The processes of one fleet run, started together and all ended. */
  record Fleet(List<Integer> exits, List<String> stderr, Duration took) {
    /**
     * See {@link ThrottleReport}: a 429's round trip plus noting it. On a machine loaded tenfold a
     * JVM thread can wait longer than this to run, so GETs beyond four times it are counted too.
     */
    static final Duration TOLERANCE = Duration.ofMillis(300);

    static Fleet start(
        FakeAzure fake,
        TestTls tls,
        Path dir,
        String kvload,
        int processes,
        int secrets,
        String timeout)
        throws IOException, InterruptedException {
      StringBuilder manifest =
          new StringBuilder(
              "{\"vault\": \"" + fake.vaultUrl("kvload-bench") + "\", \"secrets\": {");
      for (int i = 0; i < secrets; i++) {
        fake.put("kvload-bench", "secret-" + i, "value-" + i + "-" + FakeAzure.newVersionId());
        manifest.append(i == 0 ? "" : ", ").append("\"SECRET_").append(i).append("\": \"secret-");
        manifest.append(i).append('"');
      }
      Files.writeString(dir.resolve("kvload.json"), manifest.append("}}"));
      Files.createDirectories(dir.resolve("home"));
      Map<String, String> env = new LinkedHashMap<>();
      env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
      env.put("HOME", dir.resolve("home").toString());
      env.put("JAVA_HOME", System.getProperty("java.home"));
      env.put("KVLOAD_JAVA_OPTS", tls.javaOptions());
      env.putAll(fake.env());
      Instant start = Instant.now();
      List<Process> started = new ArrayList<>();
      for (int i = 0; i < processes; i++) {
        ProcessBuilder pb =
            new ProcessBuilder(kvload, "run", "--timeout", timeout, "--", "true")
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("stderr-" + i).toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        started.add(pb.start());
      }
      List<Integer> exits = new ArrayList<>();
      List<String> stderr = new ArrayList<>();
      for (int i = 0; i < processes; i++) {
        exits.add(started.get(i).waitFor());
        stderr.add(Files.readString(dir.resolve("stderr-" + i)));
      }
      return new Fleet(exits, stderr, Duration.between(start, Instant.now()));
    }

    int finished() {
      return (int) exits.stream().filter(e -> e == 0).count();
    }

    java.util.Optional<String> firstFailure() {
      return Stream.iterate(0, i -> i < exits.size(), i -> i + 1)
          .filter(i -> exits.get(i) != 0)
          .map(stderr::get)
          .min(Comparator.comparingInt(String::length));
    }
  }
}
