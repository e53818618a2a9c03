package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import dev.kvload.fake.StubResponse;
import dev.kvload.http.AnswerTooLarge;
import dev.kvload.http.BufferedAnswer;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class WholeBodyTest {
  private static final String URL = "https://kvload-test.vault.azure.net/secrets/db-url";

  private HttpPipeline pipeline(HttpClient client) {
    return new HttpPipelineBuilder().policies(new WholeBody()).httpClient(client).build();
  }

  @Test
  void anAnswerIsReadWhole() {
    HttpPipeline pipeline = pipeline(request -> Mono.just(answer(request, Flux.just(bytes("{}")))));
    try (HttpResponse response =
        pipeline.sendSync(new HttpRequest(HttpMethod.GET, URL), Context.NONE)) {
      assertArrayEquals(bytes("{}").array(), response.getBodyAsBinaryData().toBytes());
    }
  }

  @Test
  void aConnectionThatFailsFailsTheSend() {
    UncheckedIOException dropped = new UncheckedIOException(new EOFException("closed"));
    HttpPipeline pipeline = pipeline(request -> Mono.error(dropped));
    assertSame(
        dropped,
        assertThrows(
            UncheckedIOException.class,
            () -> pipeline.sendSync(new HttpRequest(HttpMethod.GET, URL), Context.NONE)));
  }

  @Test
  void aBodyCutShortFailsTheSend() {
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
  }

  private static ByteBuffer bytes(String text) {
    return StubResponse.bytes(text);
  }

  private static HttpResponse answer(HttpRequest request, Flux<ByteBuffer> body) {
    return StubResponse.of(request, 200, body);
  }

  /** The SDK's asynchronous sends get the whole body too, and the same bound on it. */
  @Test
  void anAsynchronousSendReadsTheWholeBodyWithinItsBound() {
    HttpPipeline small = pipeline(request -> Mono.just(answer(request, Flux.just(bytes("{}")))));
    try (HttpResponse response = small.send(new HttpRequest(HttpMethod.GET, URL)).block()) {
      assertArrayEquals(bytes("{}").array(), response.getBodyAsBinaryData().toBytes());
    }
    HttpPipeline endless =
        pipeline(
            request ->
                Mono.just(
                    answer(
                        request,
                        Flux.range(0, 2)
                            .map(i -> ByteBuffer.wrap(new byte[BufferedAnswer.MAX_BODY])))));
    assertThrows(
        AnswerTooLarge.class, () -> endless.send(new HttpRequest(HttpMethod.GET, URL)).block());
  }

  /** Each try of a request reads its own answer whole, not only the last one. */
  @Test
  void itRunsOnEveryTry() {
    assertEquals(HttpPipelinePosition.PER_RETRY, new WholeBody().getPipelinePosition());
  }
}
