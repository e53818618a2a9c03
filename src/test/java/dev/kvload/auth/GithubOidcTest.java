package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import dev.kvload.fake.StubResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

class GithubOidcTest {
  private static final String URL = "https://actions.example/idtoken?api-version=2.0";
  private static final String REQUEST_TOKEN = "actions-request-token-value";

  /** A mutable clock. */
  private static final class TestClock extends Clock {
    private Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** Answers every request with a fresh ID token (or the given status) and keeps the requests. */
  private static final class Endpoint implements HttpClient {
    final List<HttpRequest> requests = new ArrayList<>();
    final TestClock clock;
    int status = 200;
    int cut = -1;

    /** Seconds from issue to the ID token's exp claim; null: no exp claim. */
    Long lifetime = 300L;

    Endpoint(TestClock clock) {
      this.clock = clock;
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
      return Mono.fromCallable(() -> sendSync(request, Context.NONE));
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
      requests.add(request);
      String payload =
          "{\"iss\":\"https://token.actions.githubusercontent.com\",\"sub\":\"repo:o/r:ref:x\","
              + (lifetime == null
                  ? ""
                  : "\"exp\":" + clock.instant().plusSeconds(lifetime).getEpochSecond() + ",")
              + "\"n\":"
              + requests.size()
              + "}";
      String jwt =
          "eyJhbGciOiJSUzI1NiJ9."
              + Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(payload.getBytes(StandardCharsets.UTF_8))
              + ".sig";
      String body =
          status == 200 ? "{\"count\":1,\"value\":\"" + jwt + "\"}" : "{\"message\":\"no\"}";
      return StubResponse.of(request, status, cut < 0 ? body : body.substring(0, cut));
    }
  }

  private final TestClock clock = new TestClock();
  private final Endpoint endpoint = new Endpoint(clock);
  private final GithubOidc oidc = new GithubOidc(endpoint, URL, REQUEST_TOKEN, clock);

  @Test
  void asksForTheExchangeAudienceWithTheRequestToken() {
    oidc.get();
    HttpRequest request = endpoint.requests.getFirst();
    assertEquals(URL + "&audience=api%3A%2F%2FAzureADTokenExchange", request.getUrl().toString());
    assertEquals("bearer " + REQUEST_TOKEN, request.getHeaders().getValue("Authorization"));
  }

  @Test
  void addsTheAudienceAsFirstParameterWhenTheUrlHasNone() {
    new GithubOidc(endpoint, "https://actions.example/idtoken", REQUEST_TOKEN, clock).get();
    assertEquals(
        "https://actions.example/idtoken?audience=api%3A%2F%2FAzureADTokenExchange",
        endpoint.requests.getFirst().getUrl().toString());
  }

  @Test
  void theSdksSecondAskForItsFirstTokenIsServedFromTheFirstFetch() {
    String first = oidc.get();
    clock.now = clock.now.plusSeconds(1);
    assertEquals(first, oidc.get());
    assertEquals(1, endpoint.requests.size());
  }

  static Stream<Arguments> reuse() {
    return Stream.of(
        Arguments.of("9 s later, long-lived", 300L, 9, true),
        Arguments.of("10 s later: too old to reuse", 300L, 10, false),
        Arguments.of("9 s later, 61 s of life left", 70L, 9, true),
        Arguments.of("9 s later, exactly 60 s left", 69L, 9, false),
        Arguments.of("9 s later, 59 s left", 68L, 9, false),
        Arguments.of("no exp claim, 9 s later", null, 9, true),
        Arguments.of("no exp claim, 10 s later", null, 10, false));
  }

  /**
   * The SDK asks twice for its first assertion: the second ask is served from the first fetch only
   * while it is fresh and has more than a minute of life left, or Entra ID could be shown a token
   * that expires in flight.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("reuse")
  void anIdTokenIsReusedOnlyWhileFreshAndFarFromExpiry(
      String name, Long lifetime, int secondsLater, boolean reused) {
    endpoint.lifetime = lifetime;
    String first = oidc.get();
    clock.now = clock.now.plusSeconds(secondsLater);
    String second = oidc.get();
    assertEquals(reused, first.equals(second), "same token");
    assertEquals(reused ? 1 : 2, endpoint.requests.size(), "requests to the endpoint");
  }

  @Test
  void aLaterAssertionIsAFreshIdToken() {
    String first = oidc.get();
    clock.now = clock.now.plus(Duration.ofSeconds(30));
    String second = oidc.get();
    assertNotEquals(first, second);
    assertEquals(2, endpoint.requests.size());
  }

  @Test
  void remembersTheClaimsForTheReport() {
    assertNull(oidc.last());
    oidc.get();
    assertEquals("repo:o/r:ref:x", oidc.last().subject());
    assertEquals("https://token.actions.githubusercontent.com", oidc.last().issuer());
    assertFalse(oidc.last().toString().contains("eyJ"), "toString shows no token");
  }

  @Test
  void aRefusalSaysTheStatusAndNothingSecret() {
    endpoint.status = 403;
    var e = assertThrows(GithubOidc.EndpointFailure.class, oidc::get);
    assertEquals(
        "the GitHub Actions ID-token endpoint actions.example refused the request (HTTP 403)",
        e.getMessage());
    assertFalse(e.getMessage().contains(REQUEST_TOKEN));
  }

  /** A token cut short (the parser would give the fields read so far) is no token. */
  @Test
  void anAnswerCutShortIsNoToken() {
    endpoint.cut = "{\"count\":1,\"value\":\"eyJhbGciOiJSUzI1NiJ9.e30.sig\",".length();
    var e = assertThrows(GithubOidc.EndpointFailure.class, oidc::get);
    assertEquals(
        "the GitHub Actions ID-token endpoint actions.example answered without a token",
        e.getMessage());
  }

  static Stream<Arguments> environments() {
    String url = GithubOidc.REQUEST_URL;
    String token = GithubOidc.REQUEST_TOKEN;
    Map<String, String> app = Map.of("AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t");
    return Stream.of(
        Arguments.argumentSet(
            "a laptop",
            app,
            "not running in a GitHub Actions job (ACTIONS_ID_TOKEN_REQUEST_URL and"
                + " ACTIONS_ID_TOKEN_REQUEST_TOKEN not set)",
            "github-oidc works only inside GitHub Actions"),
        Arguments.argumentSet(
            "a job without id-token: write",
            with(app, "GITHUB_ACTIONS", "true"),
            "this GitHub Actions job has no ID token (ACTIONS_ID_TOKEN_REQUEST_URL and"
                + " ACTIONS_ID_TOKEN_REQUEST_TOKEN not set)",
            "add 'permissions: id-token: write'"),
        Arguments.argumentSet(
            "a job without an app registration",
            Map.of("GITHUB_ACTIONS", "true", url, "https://x", token, "y"),
            "no app registration to sign in as (AZURE_CLIENT_ID and AZURE_TENANT_ID not set)",
            "set AZURE_CLIENT_ID and AZURE_TENANT_ID"),
        Arguments.argumentSet(
            "a job with everything", with(with(app, url, "https://x"), token, "y"), null, null));
  }

  private static Map<String, String> with(Map<String, String> env, String name, String value) {
    var copy = new java.util.HashMap<>(env);
    copy.put(name, value);
    return copy;
  }

  @ParameterizedTest
  @MethodSource("environments")
  void checksBeforeAnyRequest(Map<String, String> env, String reason, String nextStep) {
    Attempt attempt =
        GithubOidc.unavailable(
            new AuthContext(new AuthSettings(AuthMode.GITHUB_OIDC, null, null), env));
    if (reason == null) {
      assertNull(attempt);
      return;
    }
    assertEquals(reason, attempt.reason());
    assertTrue(attempt.nextStep().startsWith(nextStep), attempt.nextStep());
  }
}
