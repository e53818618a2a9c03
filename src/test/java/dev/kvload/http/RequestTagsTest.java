package dev.kvload.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestTagsTest {
  @Test
  void requestIdsShareTheRunPrefixCountUpAndAreUuids() {
    RequestTags tags = RequestTags.forRun("kvload/1.2.3");
    String first = tags.nextRequestId();
    String second = tags.nextRequestId();
    assertEquals(tags.runId() + "-000000000001", first);
    assertEquals(tags.runId() + "-000000000002", second);
    assertEquals(first, UUID.fromString(first).toString());
    assertEquals(4, UUID.fromString(first).version());
    assertEquals(2, UUID.fromString(first).variant());
    assertNotEquals(tags.runId(), RequestTags.forRun("kvload/1.2.3").runId());
  }

  static Stream<Arguments> userAgents() {
    return Stream.of(
        Arguments.of("none", null, "kvload/1.2.3"),
        Arguments.of(
            "the identity SDK's",
            "azsdk-java-azure-identity/1.18.4 (25; Linux)",
            "kvload/1.2.3 azsdk-java-azure-identity/1.18.4 (25; Linux)"),
        Arguments.of(
            "already kvload's (Key Vault client with applicationId)",
            "kvload/1.2.3 azsdk-java-azure-security-keyvault-secrets/4.11.1",
            "kvload/1.2.3 azsdk-java-azure-security-keyvault-secrets/4.11.1"));
  }

  @ParameterizedTest(name = "User-Agent {0}")
  @MethodSource("userAgents")
  void userAgentStartsWithKvloadAndItsVersion(String name, String before, String after) {
    RequestTags tags = RequestTags.forRun("kvload/1.2.3");
    HttpRequest request = new HttpRequest(HttpMethod.GET, "https://kv.test/secrets/a");
    if (before != null) {
      request.setHeader(HttpHeaderName.USER_AGENT, before);
    }
    tags.tag(request);
    assertEquals(after, request.getHeaders().getValue(HttpHeaderName.USER_AGENT));
    assertTrue(
        request.getHeaders().getValue(RequestTags.CLIENT_REQUEST_ID).startsWith(tags.runId()));
  }

  @Test
  void anIdTheSdkAlreadySetIsKept() {
    RequestTags tags = RequestTags.forRun("kvload/1.2.3");
    HttpRequest request = new HttpRequest(HttpMethod.GET, "https://kv.test/secrets/a");
    request.setHeader(RequestTags.CLIENT_REQUEST_ID, "sdk-chosen");
    tags.tag(request);
    assertEquals("sdk-chosen", request.getHeaders().getValue(RequestTags.CLIENT_REQUEST_ID));
  }
}
