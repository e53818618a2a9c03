package dev.kvload.auth;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The client assertion of {@code --auth github-oidc}: the GitHub Actions job's OIDC ID token for
 * the audience Entra ID expects, fetched from the job's token endpoint with the job's request
 * token. ID tokens live about five minutes, so each assertion the SDK asks for is a fresh one; only
 * a token fetched seconds ago is handed out again, because the SDK asks twice for its first Entra
 * token (once to build its client, once for the request).
 */
final class GithubOidc implements Supplier<String> {
  static final String CREDENTIAL = "ClientAssertionCredential (GitHub Actions OIDC)";
  static final String AUDIENCE = "api://AzureADTokenExchange";
  static final String REQUEST_URL = "ACTIONS_ID_TOKEN_REQUEST_URL";
  static final String REQUEST_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
  static final String PERMISSION_HINT =
      "add 'permissions: id-token: write' to the workflow or job, so that GitHub gives the job an"
          + " ID token";

  private static final Duration REUSE_WITHIN = Duration.ofSeconds(10);
  private static final Duration MIN_LIFETIME = Duration.ofSeconds(60);

  private final HttpClient client;
  private final String url;
  private final String requestToken;
  private final Clock clock;
  private IdToken last;

  /** An ID token and the claims a report may show (issuer and subject are not secret). */
  record IdToken(String value, Instant fetched, Instant expires, String issuer, String subject) {
    @Override
    public String toString() {
      return "IdToken[issuer=" + issuer + ", subject=" + subject + ", expires=" + expires + "]";
    }
  }

  /** The ID-token endpoint refused or failed; the message is safe to show. */
  static final class EndpointFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EndpointFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  GithubOidc(HttpClient client, String requestUrl, String requestToken, Clock clock) {
    this.client = client;
    this.url =
        requestUrl
            + (requestUrl.contains("?") ? "&" : "?")
            + "audience="
            + URLEncoder.encode(AUDIENCE, StandardCharsets.UTF_8);
    this.requestToken = requestToken;
    this.clock = clock;
  }

  /**
   * Why github-oidc cannot work here, found before any request: outside GitHub Actions, without
   * {@code id-token: write}, or without the app registration to exchange the token for.
   *
   * @return null when everything needed is there
   */
  static Attempt unavailable(AuthContext context) {
    boolean url = context.has(REQUEST_URL);
    boolean token = context.has(REQUEST_TOKEN);
    if (!url || !token) {
      List<String> names = new ArrayList<>();
      if (!url) {
        names.add(REQUEST_URL);
      }
      if (!token) {
        names.add(REQUEST_TOKEN);
      }
      String unset = Requirements.join(names);
      if (context.inGithubActions()) {
        return Attempt.unavailable(
            CREDENTIAL,
            "this GitHub Actions job has no ID token (" + unset + " not set)",
            PERMISSION_HINT);
      }
      return Attempt.unavailable(
          CREDENTIAL,
          "not running in a GitHub Actions job (" + unset + " not set)",
          "github-oidc works only inside GitHub Actions; here use --auth azure-cli after 'az"
              + " login', or --auth default");
    }
    List<String> missing = Requirements.githubApp(context);
    if (!missing.isEmpty()) {
      return Attempt.unavailable(
          CREDENTIAL,
          "no app registration to sign in as (" + Requirements.join(missing) + " not set)",
          "set AZURE_CLIENT_ID and AZURE_TENANT_ID (or pass --client-id and --tenant-id) to the"
              + " app registration that has a federated credential for this repository");
    }
    return null;
  }

  @Override
  public synchronized String get() {
    Instant now = clock.instant();
    if (last != null
        && Duration.between(last.fetched(), now).compareTo(REUSE_WITHIN) < 0
        && (last.expires() == null || last.expires().isAfter(now.plus(MIN_LIFETIME)))) {
      return last.value();
    }
    last = fetch(now);
    return last.value();
  }

  /** The last ID token's claims, for a report: which subject Entra ID was shown. */
  synchronized IdToken last() {
    return last;
  }

  private IdToken fetch(Instant now) {
    String host = URI.create(url).getHost();
    HttpRequest request =
        new HttpRequest(HttpMethod.GET, url)
            .setHeader("Authorization", "bearer " + requestToken)
            .setHeader("Accept", "application/json; api-version=2.0");
    int status;
    byte[] body;
    try (HttpResponse response = client.sendSync(request, Context.NONE)) {
      status = response.getStatusCode();
      body = response.getBodyAsBinaryData().toBytes();
    } catch (RuntimeException e) {
      throw new EndpointFailure(
          "could not reach the GitHub Actions ID-token endpoint " + host + " (" + kind(e) + ")", e);
    }
    if (status != 200) {
      throw new EndpointFailure(
          "the GitHub Actions ID-token endpoint "
              + host
              + " refused the request (HTTP "
              + status
              + ")",
          null);
    }
    // A whole answer only: from one cut short, the parser would give what it read so far.
    Map<String, String> answer = Json.whole(body);
    String value = answer == null ? null : answer.get("value");
    if (value == null || value.isBlank()) {
      throw new EndpointFailure(
          "the GitHub Actions ID-token endpoint " + host + " answered without a token", null);
    }
    Map<String, String> claims = Json.claims(value);
    Instant expires = null;
    try {
      expires =
          claims.get("exp") == null
              ? null
              : Instant.ofEpochSecond(Long.parseLong(claims.get("exp")));
    } catch (NumberFormatException e) {
      // An ID token without a readable expiry is still one; Entra ID judges it.
    }
    return new IdToken(value, now, expires, claims.get("iss"), claims.get("sub"));
  }

  private static String kind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return t.getClass().getSimpleName();
      }
    }
    return e.getClass().getSimpleName();
  }
}
