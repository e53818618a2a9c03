package dev.kvload.http;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.CoreUtils;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An answer whose body is already in memory, for a pipeline policy that had to read it: whoever
 * reads it next gets the same bytes. Answers here are a few kilobytes.
 */
public final class BufferedAnswer extends HttpResponse {
  private final int status;
  private final HttpHeaders headers;
  private final byte[] body;

  public BufferedAnswer(HttpRequest request, int status, HttpHeaders headers, byte[] body) {
    super(request);
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** Reads {@code response}'s whole body and closes it. */
  public static BufferedAnswer read(HttpResponse response) {
    try (response) {
      return new BufferedAnswer(
          response.getRequest(),
          response.getStatusCode(),
          response.getHeaders(),
          response.getBodyAsBinaryData().toBytes());
    }
  }

  /** Reads {@code response}'s whole body, then closes it, without blocking. */
  public static Mono<HttpResponse> readLater(HttpResponse response) {
    return response
        .getBodyAsByteArray()
        .defaultIfEmpty(new byte[0])
        .map(
            body ->
                (HttpResponse)
                    new BufferedAnswer(
                        response.getRequest(),
                        response.getStatusCode(),
                        response.getHeaders(),
                        body))
        .doFinally(signal -> response.close());
  }

  @Override
  public int getStatusCode() {
    return status;
  }

  @Override
  @Deprecated
  public String getHeaderValue(String name) {
    return headers.getValue(name);
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public Flux<ByteBuffer> getBody() {
    return Flux.defer(() -> Flux.just(ByteBuffer.wrap(body).asReadOnlyBuffer()));
  }

  @Override
  public Mono<byte[]> getBodyAsByteArray() {
    return Mono.fromSupplier(body::clone);
  }

  @Override
  public Mono<String> getBodyAsString() {
    return Mono.fromSupplier(
        () -> CoreUtils.bomAwareToString(body, headers.getValue("Content-Type")));
  }

  @Override
  public Mono<String> getBodyAsString(Charset charset) {
    return Mono.fromSupplier(() -> new String(body, charset));
  }

  @Override
  public BinaryData getBodyAsBinaryData() {
    return BinaryData.fromBytes(body);
  }

  @Override
  public Mono<InputStream> getBodyAsInputStream() {
    return Mono.fromSupplier(() -> new ByteArrayInputStream(body));
  }
}
