package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every request a run sends, to the vault and to the token endpoint, says it comes from kvload and
 * which version, and carries an x-ms-client-request-id with the run's prefix, which -v prints: so a
 * user can find the run in Key Vault's diagnostic logs. {@code export} and {@code run} run at once
 * against one fake: each run's requests carry its own prefix.
 */
class AuditIT {
  private static final String DATABASE_URL = "postgres://audit:s3cret-audit@db/app";
  private static final String API_KEY = "audit-api-key-0123456789";

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void everyRequestCarriesKvloadsUserAgentAndTheRunsRequestIdPrefix() {
    h.fake.put("kvload-test", "db-url", DATABASE_URL);
    h.fake.put("kvload-other", "api-key", API_KEY);
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl("kvload-test")
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\", \"API_KEY\": \""
            + h.fake.vaultUrl("kvload-other")
            + "/secrets/api-key\"}}");
    String version = h.kvload("--version").stdout().strip().replace("kvload ", "");
    Seen seen = new Seen(h.dir.resolve("seen"), "DATABASE_URL", "API_KEY");

    var exporting =
        h.run()
            .args("export", "-v", "-o", h.dir.resolve("audit.env").toString(), "--allow-persistent")
            .start();
    var running = h.run().args("run", "-v", "--").args(seen.command()).start();
    var export = exporting.await();
    var run = running.await();

    assertEquals(0, export.exit(), export::toString);
    assertEquals(0, run.exit(), run::toString);
    // -v printed nothing secret (the Harness checks), and the command got every value.
    seen.assertGot(DATABASE_URL, API_KEY);
    String exportId = runId(export);
    String runId = runId(run);
    assertNotEquals(exportId, runId, "each run has its own prefix");
    Map<String, List<FakeAzure.Request>> byRun =
        h.fake.requests().stream().collect(Collectors.groupingBy(FakeAzure.Request::run));
    assertEquals(Set.of(exportId, runId), byRun.keySet(), "every request belongs to one run");
    for (String id : List.of(exportId, runId)) {
      List<FakeAzure.Request> requests = byRun.get(id);
      assertTrue(requests.stream().anyMatch(r -> r.path().equals("/msi/token")), "a token request");
      assertTrue(requests.size() >= 5, "challenges, token, secrets: " + requests.size());
      Set<String> ids = new HashSet<>();
      for (FakeAzure.Request r : requests) {
        assertNotNull(r.userAgent(), r::toString);
        assertTrue(r.userAgent().startsWith("kvload/" + version + " "), r::toString);
        assertTrue(r.clientRequestId().matches(Pattern.quote(id) + "-[0-9a-f]{12}"), r::toString);
        ids.add(r.clientRequestId());
      }
      // The 401 challenge and its authorized resend are one logical request; all others differ.
      assertTrue(ids.size() >= requests.size() - 2, "ids: " + ids);
      System.out.printf(
          "AUDIT %s: %d requests, User-Agent %s, ids %s-...%n",
          id.equals(runId) ? "run" : "export",
          requests.size(),
          requests.getFirst().userAgent(),
          id);
    }
  }

  /** The request-id prefix -v printed. */
  private static String runId(Harness.Run run) {
    Matcher printed =
        Pattern.compile("kvload: run ([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}): ")
            .matcher(run.stderr());
    assertTrue(printed.find(), run::toString);
    return printed.group(1);
  }
}
