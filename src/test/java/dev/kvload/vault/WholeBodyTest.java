package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import dev.kvload.fake.StubResponse;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class WholeBodyTest {
  private static final String URL = "https://kvload-test.vault.azure.net/secrets/db-url";

  private final List<String> failures = new ArrayList<>();

  private HttpPipeline pipeline(HttpClient client) {
    return new HttpPipelineBuilder()
        .policies(
            new WholeBody(
                (request, error) ->
                    failures.add(request.getUrl() + " " + error.getClass().getSimpleName())))
        .httpClient(client)
        .build();
  }

  @Test
  void anAnswerIsReadWholeAndNothingIsReported() {
    HttpPipeline pipeline = pipeline(request -> Mono.just(answer(request, Flux.just(bytes("{}")))));
    try (HttpResponse response =
        pipeline.sendSync(new HttpRequest(HttpMethod.GET, URL), Context.NONE)) {
      assertArrayEquals(bytes("{}").array(), response.getBodyAsBinaryData().toBytes());
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void aConnectionThatFailsIsReportedWithItsRequest() {
    UncheckedIOException dropped = new UncheckedIOException(new EOFException("closed"));
    HttpPipeline pipeline = pipeline(request -> Mono.error(dropped));
    assertSame(
        dropped,
        assertThrows(
            UncheckedIOException.class,
            () -> pipeline.sendSync(new HttpRequest(HttpMethod.GET, URL), Context.NONE)));
    assertEquals(List.of(URL + " UncheckedIOException"), failures);
  }

  @Test
  void aBodyCutShortIsReported() {
    HttpPipeline pipeline =
        pipeline(
            request ->
                Mono.just(
                    answer(
                        request,
                        Flux.concat(
                            Flux.just(bytes("{\"value\":")),
                            Flux.error(new UncheckedIOException(new EOFException("cut")))))));
    assertThrows(
        RuntimeException.class,
        () -> pipeline.sendSync(new HttpRequest(HttpMethod.GET, URL), Context.NONE));
    assertEquals(1, failures.size(), failures::toString);
  }

  private static ByteBuffer bytes(String text) {
    return StubResponse.bytes(text);
  }

  private static HttpResponse answer(HttpRequest request, Flux<ByteBuffer> body) {
    return StubResponse.of(request, 200, body);
  }
}
