package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.core.http.HttpPipelineBuilder;
import dev.kvload.fake.StubResponse;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/** MSAL's HTTP client: requests pass through; slow_down becomes a longer wait, never a failure. */
class MsalHttpTest {
  private static final String POLL =
      "client_id=x&grant_type=device_code&device_code=abc&client_info=1";

  static Stream<Arguments> bodies() {
    return Stream.of(
        Arguments.argumentSet("device code grant, short form", POLL, true),
        Arguments.argumentSet(
            "device code grant, RFC form",
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=abc",
            true),
        Arguments.argumentSet(
            "refresh token grant", "grant_type=refresh_token&refresh_token=r", false),
        Arguments.argumentSet(
            "a value that only mentions the grant",
            "grant_type=refresh_token&scope=grant_type%3Ddevice_code",
            false),
        Arguments.argumentSet("no body", null, false));
  }

  @ParameterizedTest
  @MethodSource("bodies")
  void tellsPolls(String body, boolean poll) {
    assertEquals(poll, MsalHttp.isDevicePoll(body));
  }

  @Test
  void slowDownAddsFiveSecondsBeforeEveryLaterPollAndKeepsMsalPolling() throws Exception {
    Deque<String> answers =
        new ArrayDeque<>(
            List.of(
                "{\"error\":\"slow_down\",\"error_description\":\"AADSTS70000: slow down\"}",
                "{\"error\":\"authorization_pending\",\"error_description\":\"AADSTS70016: wait\"}",
                "{\"error\":\"slow_down\",\"error_description\":\"AADSTS70000: slow down\"}",
                "{\"access_token\":\"t\"}"));
    List<Duration> waits = new ArrayList<>();
    MsalHttp http =
        new MsalHttp(
            new HttpPipelineBuilder()
                .httpClient(
                    request -> {
                      String body = answers.removeFirst();
                      return Mono.just(
                          StubResponse.of(request, body.contains("error") ? 400 : 200, body));
                    })
                .build(),
            waits::add);
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      var response =
          http.exchange(
              "POST",
              URI.create("https://login.example/t/oauth2/v2.0/token").toURL(),
              Map.of(),
              POLL);
      errors.add(String.valueOf(Json.topLevel(response.body().getBytes()).get("error")));
    }
    assertEquals(
        List.of("authorization_pending", "authorization_pending", "authorization_pending", "null"),
        errors);
    assertEquals(
        List.of(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10)), waits);
  }
}
