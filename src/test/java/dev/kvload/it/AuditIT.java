package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every request a run sends, to the vault and to the token endpoint, says it comes from kvload and
 * which version, and carries an x-ms-client-request-id with the run's prefix, which -v prints: so a
 * user can find the run in Key Vault's diagnostic logs.
 */
class AuditIT {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void everyRequestCarriesKvloadsUserAgentAndTheRunsRequestIdPrefix() {
    h.fake.put("kvload-test", "db-url", "postgres://audit:s3cret-audit@db/app");
    h.fake.put("kvload-other", "api-key", "audit-api-key-0123456789");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl("kvload-test")
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\", \"API_KEY\": \""
            + h.fake.vaultUrl("kvload-other")
            + "/secrets/api-key\"}}");
    String version = h.kvload("--version").stdout().strip().replace("kvload ", "");

    var run = h.run().args("export", "-v", "-o", "/dev/null", "--allow-persistent").go();

    assertEquals(0, run.exit(), run::toString);
    Matcher printed =
        Pattern.compile("kvload: run ([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}): ")
            .matcher(run.stderr());
    assertTrue(printed.find(), run::toString);
    String runId = printed.group(1);
    List<FakeAzure.Request> requests = h.fake.requests();
    assertTrue(requests.stream().anyMatch(r -> r.path().equals("/msi/token")), "a token request");
    assertTrue(requests.size() >= 5, "challenges, token, secrets: " + requests.size());
    Set<String> ids = new HashSet<>();
    for (FakeAzure.Request r : requests) {
      assertNotNull(r.userAgent(), r::toString);
      assertTrue(r.userAgent().startsWith("kvload/" + version + " "), r::toString);
      assertNotNull(r.clientRequestId(), r::toString);
      assertTrue(r.clientRequestId().matches(Pattern.quote(runId) + "-[0-9a-f]{12}"), r::toString);
      ids.add(r.clientRequestId());
    }
    // The 401 challenge and its authorized resend are one logical request; all others differ.
    assertTrue(ids.size() >= requests.size() - 2, "ids: " + ids);
    System.out.printf(
        "AUDIT %d requests, User-Agent %s, ids %s-...%n",
        requests.size(), requests.getFirst().userAgent(), runId);
  }
}
