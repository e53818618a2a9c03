package dev.kvload.http;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.CoreUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An answer whose body is already in memory, for a pipeline policy that had to read it: whoever
 * reads it next gets the same bytes. Answers here are a few kilobytes; one longer than {@link
 * #MAX_BODY} is not read on ({@link AnswerTooLarge}).
 */
public final class BufferedAnswer extends HttpResponse {
  /**
   * A secret's value is at most 25 KB; escaped as JSON (six characters for one byte at worst), with
   * its attributes and tags, a secret bundle stays under 200 KB. Token answers are a few KB.
   */
  public static final int MAX_BODY = 1 << 20;

  private final int status;
  private final HttpHeaders headers;
  private final byte[] body;

  public BufferedAnswer(HttpRequest request, int status, HttpHeaders headers, byte[] body) {
    super(request);
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /**
   * Reads {@code response}'s whole body and closes it.
   *
   * @throws AnswerTooLarge past {@link #MAX_BODY} bytes, announced or sent
   */
  public static BufferedAnswer read(HttpResponse response) {
    try (response) {
      refuseAnnounced(response);
      // A stream, not toBytes(): the JDK client's body is read as it arrives, so reading stops at
      // the limit instead of after an endless body.
      byte[] body;
      try (InputStream in = response.getBodyAsBinaryData().toStream()) {
        body = in.readNBytes(MAX_BODY + 1);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (body.length > MAX_BODY) {
        throw new AnswerTooLarge(MAX_BODY);
      }
      return new BufferedAnswer(
          response.getRequest(), response.getStatusCode(), response.getHeaders(), body);
    }
  }

  /**
   * Reads {@code response}'s whole body, then closes it, without blocking.
   *
   * @return an {@link AnswerTooLarge} error past {@link #MAX_BODY} bytes, announced or sent
   */
  public static Mono<HttpResponse> readLater(HttpResponse response) {
    return Mono.fromRunnable(() -> refuseAnnounced(response))
        .thenMany(response.getBody())
        .collect(
            ByteArrayOutputStream::new,
            (body, buffer) -> {
              if (body.size() + (long) buffer.remaining() > MAX_BODY) {
                throw new AnswerTooLarge(MAX_BODY);
              }
              byte[] bytes = new byte[buffer.remaining()];
              buffer.get(bytes);
              body.writeBytes(bytes);
            })
        .map(
            body ->
                (HttpResponse)
                    new BufferedAnswer(
                        response.getRequest(),
                        response.getStatusCode(),
                        response.getHeaders(),
                        body.toByteArray()))
        .doFinally(signal -> response.close());
  }

  /** A Content-Length past the limit is refused before any of the body is read. */
  private static void refuseAnnounced(HttpResponse response) {
    String length = response.getHeaders().getValue(HttpHeaderName.CONTENT_LENGTH);
    if (length == null) {
      return;
    }
    try {
      if (Long.parseLong(length.trim()) > MAX_BODY) {
        throw new AnswerTooLarge(MAX_BODY);
      }
    } catch (NumberFormatException e) {
      // Not a length: what arrives is counted as it is read.
    }
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
