package dev.kvload.vault;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import dev.kvload.http.BufferedAnswer;
import java.util.function.BiConsumer;
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
      return BufferedAnswer.read(next.processSync());
    } catch (RuntimeException e) {
      failed.accept(context.getHttpRequest(), e);
      throw e;
    }
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    return next.process()
        .flatMap(BufferedAnswer::readLater)
        .doOnError(e -> failed.accept(context.getHttpRequest(), e));
  }
}
