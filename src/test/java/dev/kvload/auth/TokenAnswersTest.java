package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import dev.kvload.http.BufferedAnswer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/** What is kept of a token endpoint's answer: facts, never its text. */
class TokenAnswersTest {
  private static final String TOKEN_URL = "https://login.example/tenant/oauth2/v2.0/token";
  private static final String DISCOVERY_URL = "https://login.example/common/discovery/instance";
  private static final String OPAQUE = "opaque-token-0123456789";

  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.argumentSet(
            "a token: nothing kept",
            TOKEN_URL,
            200,
            "{\"access_token\":\"" + OPAQUE + "\",\"expires_in\":3599}",
            null),
        Arguments.argumentSet(
            "discovery, not a token request: nothing kept",
            DISCOVERY_URL,
            200,
            "{\"tenant_discovery_endpoint\":\"https://login.example/x\"}",
            null),
        Arguments.argumentSet(
            "a token cut short",
            TOKEN_URL,
            200,
            "{\"access_token\":\"" + OPAQUE,
            new TokenAnswers.Answer("login.example", 200, false, null, null, false)),
        Arguments.argumentSet(
            "a whole object without a token",
            TOKEN_URL,
            200,
            "{\"value\":\"" + OPAQUE + "\"}",
            new TokenAnswers.Answer("login.example", 200, false, null, null, false)),
        Arguments.argumentSet(
            "two objects",
            TOKEN_URL,
            200,
            "{\"access_token\":\"a\"}{\"access_token\":\"b\"}",
            new TokenAnswers.Answer("login.example", 200, false, null, null, false)),
        Arguments.argumentSet(
            "Entra ID's refusal: the AADSTS number and the OAuth error",
            TOKEN_URL,
            401,
            "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client"
                + " secret "
                + OPAQUE
                + "\",\"error_codes\":[7000215]}",
            new TokenAnswers.Answer(
                "login.example", 401, true, "7000215", "invalid_client", false)),
        Arguments.argumentSet(
            "an error code that is not OAuth's is not kept",
            TOKEN_URL,
            400,
            "{\"error\":\"" + OPAQUE + "\"}",
            new TokenAnswers.Answer("login.example", 400, true, null, null, false)),
        Arguments.argumentSet(
            "IMDS: no identity",
            "http://169.254.169.254/metadata/identity/oauth2/token",
            400,
            "{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}",
            new TokenAnswers.Answer("169.254.169.254", 400, true, null, "invalid_request", true)),
        Arguments.argumentSet(
            "an HTML error page",
            TOKEN_URL,
            502,
            "<html><body>" + OPAQUE + "</body></html>",
            new TokenAnswers.Answer("login.example", 502, true, null, null, false)));
  }

  @ParameterizedTest
  @MethodSource("answers")
  void keepsFactsOnly(String url, int status, String body, TokenAnswers.Answer expected) {
    TokenAnswers answers = new TokenAnswers();
    HttpPipeline pipeline =
        new HttpPipelineBuilder()
            .httpClient(
                request ->
                    Mono.just(
                        new BufferedAnswer(
                            request,
                            status,
                            new HttpHeaders(),
                            body.getBytes(StandardCharsets.UTF_8))))
            .policies(answers)
            .build();
    int mark = answers.mark();
    try (HttpResponse response =
        pipeline.sendSync(new HttpRequest(HttpMethod.POST, url), Context.NONE)) {
      assertEquals(body, response.getBodyAsBinaryData().toString(), "the SDK still reads it all");
    }
    List<TokenAnswers.Answer> kept = answers.since(mark);
    assertEquals(expected == null ? List.of() : List.of(expected), kept);
    assertFalse(kept.toString().contains(OPAQUE), kept::toString);
  }
}
