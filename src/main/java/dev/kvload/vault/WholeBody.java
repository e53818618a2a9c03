package dev.kvload.vault;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.BinaryData;
import com.azure.core.util.CoreUtils;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.function.BiConsumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads each answer's whole body inside the retry loop. The Key Vault client otherwise reads the
 * body only after the pipeline has returned, so a connection lost mid-body would escape the retry
 * policy and fail the secret at once. Answers are a few kilobytes: holding them costs nothing.
 */
final class WholeBody implements HttpPipelinePolicy {
  private final BiConsumer<HttpRequest, Throwable> failed;

  /**
   * @param failed told each try that ended without a whole answer, and why
   */
  WholeBody(BiConsumer<HttpRequest, Throwable> failed) {
    this.failed = failed;
  }

  @Override
  public HttpPipelinePosition getPipelinePosition() {
    return HttpPipelinePosition.PER_RETRY;
  }

  @Override
  public HttpResponse processSync(
      HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    try {
      HttpResponse response = next.processSync();
      try (response) {
        return new Read(
            response.getRequest(),
            response.getStatusCode(),
            response.getHeaders(),
            response.getBodyAsBinaryData().toBytes());
      }
    } catch (RuntimeException e) {
      failed.accept(context.getHttpRequest(), e);
      throw e;
    }
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    return next.process()
        .flatMap(
            response ->
                response
                    .getBodyAsByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(
                        body ->
                            (HttpResponse)
                                new Read(
                                    response.getRequest(),
                                    response.getStatusCode(),
                                    response.getHeaders(),
                                    body))
                    .doFinally(signal -> response.close()))
        .doOnError(e -> failed.accept(context.getHttpRequest(), e));
  }

  /** An answer whose body is already in memory. */
  static final class Read extends HttpResponse {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;

    Read(HttpRequest request, int status, HttpHeaders headers, byte[] body) {
      super(request);
      this.status = status;
      this.headers = headers;
      this.body = body;
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
}
