package dev.kvload.vault;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import dev.kvload.http.BufferedAnswer;
import reactor.core.publisher.Mono;

/**
 * Reads each answer's whole body inside the pipeline, so that a connection lost mid-body fails the
 * send, where kvload's retry loop sees it, rather than a later read of the body. Answers are a few
 * kilobytes: holding them costs nothing.
 */
final class WholeBody implements HttpPipelinePolicy {

  @Override
  public HttpPipelinePosition getPipelinePosition() {
    return HttpPipelinePosition.PER_RETRY;
  }

  @Override
  public HttpResponse processSync(
      HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    return BufferedAnswer.read(next.processSync());
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    return next.process().flatMap(BufferedAnswer::readLater);
  }
}
