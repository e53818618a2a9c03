package dev.kvload.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import dev.kvload.fake.StubResponse;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A hostile host's answer is read up to 1 MiB, no further, whichever way it is read. */
class BufferedAnswerTest {
  private static final HttpRequest REQUEST =
      new HttpRequest(HttpMethod.GET, "https://kvload-test.vault.azure.net/secrets/db");
  private static final int MAX = BufferedAnswer.MAX_BODY;

  static Stream<Arguments> bodies() {
    return Stream.of(
        Arguments.of("empty", 0, null, true),
        Arguments.of("a few kilobytes", 4096, null, true),
        Arguments.of("exactly the limit", MAX, null, true),
        Arguments.of("one byte past the limit", MAX + 1, null, false),
        Arguments.of("a Content-Length past the limit, little sent", 10, "2097152", false),
        Arguments.of("a Content-Length past any long", 10, "99999999999999999999999", true),
        Arguments.of("a Content-Length that is no number", 10, "lots", true),
        Arguments.of("a true Content-Length", 10, "10", true));
  }

  private static HttpResponse answer(int size, String contentLength) {
    HttpHeaders headers = new HttpHeaders();
    if (contentLength != null) {
      headers.set(HttpHeaderName.CONTENT_LENGTH, contentLength);
    }
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) 'x');
    return new BufferedAnswer(REQUEST, 200, headers, body);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodies")
  void readSyncKeepsTheBodyUpToTheLimit(String name, int size, String contentLength, boolean kept) {
    HttpResponse response = answer(size, contentLength);
    if (kept) {
      BufferedAnswer read = BufferedAnswer.read(response);
      assertEquals(size, read.getBodyAsBinaryData().toBytes().length);
      assertEquals(200, read.getStatusCode());
    } else {
      var e = assertThrows(AnswerTooLarge.class, () -> BufferedAnswer.read(response));
      assertEquals("an answer larger than 1 MiB", e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodies")
  void readLaterKeepsTheBodyUpToTheLimit(
      String name, int size, String contentLength, boolean kept) {
    Mono<HttpResponse> later = BufferedAnswer.readLater(answer(size, contentLength));
    if (kept) {
      assertEquals(size, later.block().getBodyAsBinaryData().toBytes().length);
    } else {
      assertThrows(AnswerTooLarge.class, later::block);
    }
  }

  /** A body without end, read as a stream: reading stops one byte past the limit. */
  @Test
  void anEndlessStreamIsReadOneBytePastTheLimitNoFurther() {
    AtomicLong served = new AtomicLong();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            served.incrementAndGet();
            return 'y';
          }
        };
    HttpResponse response = new StreamAnswer(endless);
    assertThrows(AnswerTooLarge.class, () -> BufferedAnswer.read(response));
    assertEquals(MAX + 1, served.get());
  }

  /** The same, read without blocking: the body is cancelled at the limit. */
  @Test
  void anEndlessFluxIsCancelledAtTheLimit() {
    AtomicLong served = new AtomicLong();
    Flux<ByteBuffer> endless =
        Flux.generate(
            sink -> {
              served.addAndGet(4096);
              sink.next(ByteBuffer.wrap(new byte[4096]));
            });
    Mono<HttpResponse> later = BufferedAnswer.readLater(StubResponse.of(REQUEST, 200, endless));
    assertThrows(AnswerTooLarge.class, later::block);
    assertEquals(MAX + 4096, served.get());
  }

  @Test
  void theBodyIsKeptByteForByte() {
    byte[] body = "{\"value\":\"s3cret\"}".getBytes();
    BufferedAnswer read =
        BufferedAnswer.read(new BufferedAnswer(REQUEST, 404, new HttpHeaders(), body));
    assertArrayEquals(body, read.getBodyAsBinaryData().toBytes());
    assertEquals(404, read.getStatusCode());
  }

  /** An answer whose body is a stream, as the JDK client's are when read synchronously. */
  private static final class StreamAnswer extends HttpResponse {
    private final InputStream body;

    StreamAnswer(InputStream body) {
      super(REQUEST);
      this.body = body;
    }

    @Override
    public BinaryData getBodyAsBinaryData() {
      return BinaryData.fromStream(body);
    }

    @Override
    public int getStatusCode() {
      return 200;
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
      throw new AssertionError("read as a stream");
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      throw new AssertionError("read as a stream");
    }

    @Override
    public Mono<String> getBodyAsString() {
      throw new AssertionError("read as a stream");
    }

    @Override
    public Mono<String> getBodyAsString(java.nio.charset.Charset charset) {
      throw new AssertionError("read as a stream");
    }
  }
}
