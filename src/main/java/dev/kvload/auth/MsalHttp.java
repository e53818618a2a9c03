package dev.kvload.auth;

import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.util.Context;
import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * MSAL's HTTP client for the stored login: the run's transport (its proxy settings, trust store and
 * request tags), and one repair to MSAL's device code polling.
 *
 * <p>msal4j 1.23 polls the token endpoint every {@code interval} seconds while the answer is {@code
 * authorization_pending}, and ends the sign-in on any other error, {@code slow_down} included. RFC
 * 8628 (section 3.5) asks a client told to slow down to wait 5 seconds longer before that poll and
 * every later one; so here each {@code slow_down} adds 5 seconds to a wait before every later poll,
 * and MSAL is told {@code authorization_pending} instead, which keeps it polling.
 */
final class MsalHttp implements IHttpClient {
  static final Duration SLOW_DOWN = Duration.ofSeconds(5);
  private static final String PENDING =
      "{\"error\":\"authorization_pending\",\"error_description\":\"slow_down: polling more"
          + " slowly\"}";

  /** Waits; replaced in tests. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final HttpPipeline pipeline;
  private final Sleeper sleeper;
  private Duration extra = Duration.ZERO;

  MsalHttp(HttpPipeline pipeline) {
    this(pipeline, Thread::sleep);
  }

  MsalHttp(HttpPipeline pipeline, Sleeper sleeper) {
    this.pipeline = pipeline;
    this.sleeper = sleeper;
  }

  @Override
  public IHttpResponse send(HttpRequest request) throws Exception {
    return exchange(request.httpMethod().name(), request.url(), request.headers(), request.body());
  }

  HttpResponse exchange(String method, URL url, Map<String, String> headers, String body)
      throws InterruptedException {
    boolean poll = isDevicePoll(body);
    Duration wait = waitBeforePoll(poll);
    if (!wait.isZero()) {
      sleeper.sleep(wait);
    }
    com.azure.core.http.HttpRequest outgoing =
        new com.azure.core.http.HttpRequest(HttpMethod.valueOf(method), url);
    if (headers != null) {
      outgoing.setHeaders(new HttpHeaders(headers));
    }
    if (body != null) {
      outgoing.setBody(body.getBytes(StandardCharsets.UTF_8));
    }
    try (com.azure.core.http.HttpResponse response = pipeline.sendSync(outgoing, Context.NONE)) {
      String text = response.getBodyAsBinaryData().toString();
      int status = response.getStatusCode();
      if (poll && status == 400 && slowDown(text)) {
        text = PENDING;
      }
      HttpResponse answer = new HttpResponse().statusCode(status);
      if (text != null && !text.isEmpty()) {
        answer.body(text);
      }
      Map<String, List<String>> answered =
          response.getHeaders().stream()
              .collect(
                  Collectors.toMap(HttpHeader::getName, HttpHeader::getValuesList, (a, b) -> a));
      answer.addHeaders(answered);
      return answer;
    }
  }

  private synchronized Duration waitBeforePoll(boolean poll) {
    return poll ? extra : Duration.ZERO;
  }

  private synchronized boolean slowDown(String body) {
    if (!"slow_down".equals(Json.topLevel(body.getBytes(StandardCharsets.UTF_8)).get("error"))) {
      return false;
    }
    extra = extra.plus(SLOW_DOWN);
    return true;
  }

  /** A token request of the device code grant, short or long form: a poll. */
  static boolean isDevicePoll(String body) {
    if (body == null) {
      return false;
    }
    for (String pair : body.split("&")) {
      if (pair.equals("grant_type=device_code")
          || pair.equals("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code")) {
        return true;
      }
    }
    return false;
  }
}
