package dev.kvload.http;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every request of a run carries so that it can be found in Key Vault's diagnostic logs: a
 * User-Agent that starts with kvload and its version, and an {@code x-ms-client-request-id} made of
 * a per-run prefix and a sequence number.
 *
 * <p>The id keeps the GUID shape ({@code 8-4-4-4-12} hex digits) that Azure services expect: the
 * first four groups are random per run, the last one counts the run's requests, so a user can
 * search the logs for the prefix that {@code -v} prints.
 */
public final class RequestTags {
  static final HttpHeaderName CLIENT_REQUEST_ID = HttpHeaderName.X_MS_CLIENT_REQUEST_ID;

  private final String applicationId;
  private final String runId;
  private final AtomicLong sequence = new AtomicLong();

  private RequestTags(String applicationId, String runId) {
    this.applicationId = applicationId;
    this.runId = runId;
  }

  /**
   * @param applicationId put first in every User-Agent, e.g. {@code kvload/1.2.0}
   */
  public static RequestTags forRun(String applicationId) {
    byte[] random = new byte[10];
    new SecureRandom().nextBytes(random);
    // Version 4 and the RFC 4122 variant, so that a whole id reads as a random UUID.
    random[6] = (byte) ((random[6] & 0x0f) | 0x40);
    random[8] = (byte) ((random[8] & 0x3f) | 0x80);
    String hex = HexFormat.of().formatHex(random);
    return new RequestTags(
        applicationId,
        hex.substring(0, 8)
            + "-"
            + hex.substring(8, 12)
            + "-"
            + hex.substring(12, 16)
            + "-"
            + hex.substring(16, 20));
  }

  /** The prefix shared by every request id of this run. */
  public String runId() {
    return runId;
  }

  public String applicationId() {
    return applicationId;
  }

  /** The id of the run's next request: {@code RUNID-000000000001}, then 2, 3, ... */
  String nextRequestId() {
    return runId + "-" + String.format("%012x", sequence.incrementAndGet());
  }

  /** Adds the run's tags to a request about to be sent, keeping whatever the SDK already set. */
  void tag(HttpRequest request) {
    HttpHeaders headers = request.getHeaders();
    if (headers.getValue(CLIENT_REQUEST_ID) == null) {
      headers.set(CLIENT_REQUEST_ID, nextRequestId());
    }
    String agent = headers.getValue(HttpHeaderName.USER_AGENT);
    if (agent == null || agent.isBlank()) {
      headers.set(HttpHeaderName.USER_AGENT, applicationId);
    } else if (!agent.startsWith(applicationId)) {
      headers.set(HttpHeaderName.USER_AGENT, applicationId + " " + agent);
    }
  }
}
