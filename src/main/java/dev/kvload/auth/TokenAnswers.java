package dev.kvload.auth;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import dev.kvload.http.BufferedAnswer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * Every answer from a token endpoint that was not a token, kept as the few facts kvload may show.
 * The SDK's messages about such answers quote them (MSAL's "http body: {...}", an error's
 * description, a JSON parser's "Unrecognized token '...'"), and a token endpoint's answer may hold
 * a token: {@link Diagnosis} explains a failure from these facts instead whenever there are any.
 *
 * <p>It sits in the pipeline of every SDK credential kvload builds (managed identity, Entra ID's
 * token endpoint for client secrets, certificates and federated tokens), each try on its own.
 */
final class TokenAnswers implements HttpPipelinePolicy {
  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d{1,9})");

  /** OAuth's error codes (RFC 6749 5.2 and Entra ID's few more): words, never a token. */
  private static final Set<String> OAUTH_ERRORS =
      Set.of(
          "invalid_request",
          "invalid_client",
          "invalid_grant",
          "unauthorized_client",
          "unsupported_grant_type",
          "invalid_scope",
          "invalid_resource",
          "access_denied",
          "interaction_required",
          "consent_required",
          "temporarily_unavailable",
          "server_error");

  /** Managed identity endpoints' ways of saying no identity is assigned (IMDS, App Service). */
  private static final List<String> NO_IDENTITY =
      List.of("identity not found", "no managed identity", "not been assigned", "not assigned");

  private final List<Answer> answers = new CopyOnWriteArrayList<>();

  /**
   * What one token endpoint answered instead of a token.
   *
   * @param host the endpoint's host, from the request (never from the answer)
   * @param readable false for a success whose body was not a whole JSON object with a token
   * @param aadsts the AADSTS error number the answer names, or null
   * @param error the answer's OAuth error code when it is one of OAuth's own, else null
   * @param noIdentity the answer says no managed identity is assigned
   */
  record Answer(
      String host, int status, boolean readable, String aadsts, String error, boolean noIdentity) {}

  /** Where the answers recorded from now on start, for {@link #since}. */
  int mark() {
    return answers.size();
  }

  /** The answers recorded since {@code mark}, oldest first. */
  List<Answer> since(int mark) {
    return List.copyOf(answers.subList(Math.min(mark, answers.size()), answers.size()));
  }

  @Override
  public HttpPipelinePosition getPipelinePosition() {
    return HttpPipelinePosition.PER_RETRY;
  }

  @Override
  public HttpResponse processSync(
      HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    HttpResponse response = next.processSync();
    if (!worthReading(context.getHttpRequest(), response)) {
      return response;
    }
    BufferedAnswer answer = BufferedAnswer.read(response);
    record(context.getHttpRequest(), answer);
    return answer;
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    return next.process()
        .flatMap(
            response ->
                worthReading(context.getHttpRequest(), response)
                    ? BufferedAnswer.readLater(response)
                        .doOnNext(answer -> record(context.getHttpRequest(), answer))
                    : Mono.just(response));
  }

  /**
   * Every failure, and every success of a token request (its body must be checked); other successes
   * (Entra ID's instance discovery and metadata) pass untouched.
   */
  private static boolean worthReading(HttpRequest request, HttpResponse response) {
    int status = response.getStatusCode();
    return status / 100 != 2 || request.getUrl().getPath().endsWith("/token");
  }

  private void record(HttpRequest request, HttpResponse answer) {
    Answer facts = facts(request.getUrl().getHost(), answer);
    if (facts != null) {
      answers.add(facts);
    }
  }

  /** Null for a success holding a token; otherwise what kvload may say about the answer. */
  static Answer facts(String host, HttpResponse answer) {
    int status = answer.getStatusCode();
    byte[] body = answer.getBodyAsBinaryData().toBytes();
    Map<String, String> fields = Json.whole(body);
    if (status / 100 == 2) {
      boolean token = fields != null && fields.get("access_token") != null;
      return token ? null : new Answer(host, status, false, null, null, false);
    }
    String text = new String(body, StandardCharsets.ISO_8859_1);
    Matcher aadsts = AADSTS.matcher(text);
    String error = fields == null ? null : fields.get("error");
    return new Answer(
        host,
        status,
        true,
        aadsts.find() ? aadsts.group(1) : null,
        error != null && OAUTH_ERRORS.contains(error) ? error : null,
        saysNoIdentity(text));
  }

  /** Whether an answer, or a message quoting one, says no managed identity is assigned. */
  static boolean saysNoIdentity(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    return NO_IDENTITY.stream().anyMatch(lower::contains);
  }
}
