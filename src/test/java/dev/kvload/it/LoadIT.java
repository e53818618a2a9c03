package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kvload.fake.FakeAzure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many secrets in one run, and many runs at once against one vault. */
class LoadIT {
  private static final List<String> VAULTS = List.of("kvload-test", "kvload-other", "kvload-third");

  /** KeyVaultSources.MAX_IN_FLIGHT: what the fake may see at once from one run. */
  private static final int LIMIT = 8;

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void fiveHundredSecretsAcrossThreeVaults() {
    Map<String, String> expected = new LinkedHashMap<>();
    StringBuilder secrets = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      String vault = VAULTS.get(i % VAULTS.size());
      String value = "value-" + i + "-" + vault + "-\u00e9\u00df'\"$\\n";
      h.fake.put(vault, "secret-" + i, value);
      expected.put("VAR_" + i, value);
      secrets
          .append(i == 0 ? "" : ",\n")
          .append("\"VAR_")
          .append(i)
          .append("\": \"")
          .append(h.fake.vaultUrl(vault))
          .append("/secrets/secret-")
          .append(i)
          .append('"');
    }
    h.manifest("{\"secrets\": {" + secrets + "}}");
    // Answers take 20 ms, so requests overlap and the bound on concurrency is what limits them.
    h.fake.delay(Duration.ofMillis(20));

    var run =
        h.run()
            .args("export", "--format", "json", "-v", "--timeout", "120s")
            .valuesOnStdout()
            .limit(Duration.ofSeconds(180))
            .go();

    assertEquals(0, run.exit(), run::toString);
    assertEquals(expected, parse(run.stdout()));
    Matcher peak =
        Pattern.compile("at most (\\d+) requests in flight \\(limit (\\d+)\\)")
            .matcher(run.stderr());
    assertTrue(peak.find(), run::toString);
    int reported = Integer.parseInt(peak.group(1));
    System.out.printf(
        "LOAD 500 secrets / 3 vaults: exit %d in %d ms; kvload reports at most %d in flight"
            + " (limit %s), the fake saw at most %d; %d token request(s)%n",
        run.exit(),
        run.took().toMillis(),
        reported,
        peak.group(2),
        h.fake.peakInFlight(),
        h.fake.tokenRequests());
    assertEquals(Integer.toString(LIMIT), peak.group(2));
    assertTrue(reported <= LIMIT, run::toString);
    // The fake also counts the token request, which only happens before the parallel phase.
    assertTrue(h.fake.peakInFlight() <= LIMIT, "fake saw " + h.fake.peakInFlight());
    assertTrue(h.fake.peakInFlight() > 1, "requests did overlap");
    assertEquals(1, h.fake.tokenRequests(), "one token for the whole run");
    assertTrue(run.stderr().contains("loaded 500 secrets from 3 vaults"), run::toString);
  }

  /**
   * A fleet of Codespaces starting at 9 a.m.: 50 processes started at once against one vault, which
   * gets their requests at the same moment. All must succeed: half {@code export}, half {@code
   * run}.
   */
  @Test
  void fiftyProcessesAtOnce() throws Exception {
    h.fake.put("kvload-test", "db-url", "postgres://fleet:s3cret-fleet-password@db/app");
    h.fake.put("kvload-test", "api-key", "fleet-api-key-0123456789abcdef");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl("kvload-test")
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\", \"API_KEY\": \"api-key\"}}");
    // Fifty JVMs share two cores here (in real life, fifty machines). bin/kvload starts each with
    // the AOT cache the build trained; a small heap keeps fifty of them within memory. These
    // options change how the JVM sizes itself, not what kvload does.
    String javaOptions =
        Harness.TLS.javaOptions() + " -Xmx96m -Xms16m -Xss512k -XX:CICompilerCount=1";
    int processes = 50;
    int tokensBefore = h.fake.tokenRequests();
    // The vault holds each process's first secret GET until all fifty are waiting: whatever order
    // the JVMs start in, the vault gets the 9 a.m. burst, fifty requests at once.
    CountDownLatch burst = new CountDownLatch(processes);
    h.fake.behave(
        "kvload-test",
        "db-url",
        r -> {
          burst.countDown();
          try {
            burst.await(150, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        });
    Instant start = Instant.now();
    ExecutorService starters = Executors.newFixedThreadPool(processes);
    List<Future<Harness.Run>> runs = new ArrayList<>();
    try {
      // Half of them write the values out, half become a command that prints them.
      for (int i = 0; i < processes; i++) {
        String[] args =
            i % 2 == 0
                ? new String[] {"export", "--format", "dotenv", "--timeout", "240s"}
                : new String[] {
                  "run", "--timeout", "240s", "--", "printenv", "DATABASE_URL", "API_KEY"
                };
        runs.add(
            starters.submit(
                () ->
                    h.run()
                        .args(args)
                        .env("KVLOAD_JAVA_OPTS", javaOptions)
                        .valuesOnStdout()
                        .limit(Duration.ofSeconds(300))
                        .go()));
      }
      long slowest = 0;
      for (int i = 0; i < processes; i++) {
        Harness.Run run = runs.get(i).get();
        assertEquals(0, run.exit(), run::toString);
        assertEquals(
            i % 2 == 0
                ? "DATABASE_URL=\"postgres://fleet:s3cret-fleet-password@db/app\"\n"
                    + "API_KEY=\"fleet-api-key-0123456789abcdef\"\n"
                : "postgres://fleet:s3cret-fleet-password@db/app\n"
                    + "fleet-api-key-0123456789abcdef\n",
            run.stdout());
        slowest = Math.max(slowest, run.took().toMillis());
      }
      System.out.printf(
          "LOAD %d processes at once (export and run): all exit 0; slowest %d ms, all done in %d ms;"
              + " the fake saw at most %d requests in flight; AOT cache %s%n",
          processes,
          slowest,
          Duration.between(start, Instant.now()).toMillis(),
          h.fake.peakInFlight(),
          Files.exists(Harness.HOME.resolve("target/kvload.aot")) ? "present" : "missing");
      // One token per process, asked for once; the credential itself asks again when its first
      // request fails or times out, which a machine loaded fiftyfold makes happen (seen: a second
      // request 0.9 s and 10 s after the first, each with its own request id). Three or fewer
      // allows for that; more would be kvload asking for tokens it does not need.
      Map<String, List<FakeAzure.Request>> tokensByRun =
          h.fake.requests().stream()
              .filter(r -> r.path().equals("/msi/token"))
              .collect(Collectors.groupingBy(FakeAzure.Request::run));
      System.out.printf(
          "LOAD token requests: %d sent by %d processes (retries included)%n",
          h.fake.tokenRequests() - tokensBefore, tokensByRun.size());
      assertEquals(processes, tokensByRun.size(), "every process asked for a token");
      tokensByRun.forEach(
          (run, requests) ->
              assertTrue(
                  requests.size() <= 3,
                  () -> "at most the credential's own retries, " + run + " sent " + requests));
      assertTrue(h.fake.peakInFlight() >= processes, "the vault got them all at once");
    } finally {
      starters.shutdownNow();
    }
  }

  private static Map<String, String> parse(String json) {
    Map<String, String> values = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      assertEquals(JsonToken.START_OBJECT, p.nextToken());
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        values.put(name, p.getText());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return values;
  }
}
