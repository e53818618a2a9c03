package dev.kvload.fake;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** An answer for unit tests of code on azure-core's pipeline: a status and a body, no headers. */
public final class StubResponse extends HttpResponse {
  private final int status;
  private final Flux<ByteBuffer> body;

  private StubResponse(HttpRequest request, int status, Flux<ByteBuffer> body) {
    super(request);
    this.status = status;
    this.body = body;
  }

  /** A body that may fail part-way, as a dropped connection does. */
  public static HttpResponse of(HttpRequest request, int status, Flux<ByteBuffer> body) {
    return new StubResponse(request, status, body);
  }

  public static HttpResponse of(HttpRequest request, int status, String body) {
    return new StubResponse(request, status, Flux.defer(() -> Flux.just(bytes(body))));
  }

  public static ByteBuffer bytes(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int getStatusCode() {
    return status;
  }

  @Override
  @Deprecated
  public String getHeaderValue(String name) {
    return null;
  }

  @Override
  public HttpHeaders getHeaders() {
    return new HttpHeaders();
  }

  @Override
  public Flux<ByteBuffer> getBody() {
    return body;
  }

  @Override
  public Mono<byte[]> getBodyAsByteArray() {
    return body.reduce(
        new byte[0],
        (sum, next) -> {
          byte[] joined = new byte[sum.length + next.remaining()];
          System.arraycopy(sum, 0, joined, 0, sum.length);
          next.get(joined, sum.length, next.remaining());
          return joined;
        });
  }

  @Override
  public Mono<String> getBodyAsString() {
    return getBodyAsString(StandardCharsets.UTF_8);
  }

  @Override
  public Mono<String> getBodyAsString(Charset charset) {
    return getBodyAsByteArray().map(b -> new String(b, charset));
  }
}
