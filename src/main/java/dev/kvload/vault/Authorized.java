package dev.kvload.vault;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import java.util.concurrent.CompletableFuture;

/**
 * Sits after the challenge policy and completes {@link #first()} when a request leaves with a
 * token: from then on the vault's challenge is known and the token is cached, so the rest of the
 * vault's secrets can be requested without each drawing a 401 of its own, while the first
 * authorized request is still on its way. Waiting for that request's answer instead costs one round
 * trip.
 */
final class Authorized extends HttpPipelineSyncPolicy {
  private final CompletableFuture<Void> first = new CompletableFuture<>();

  CompletableFuture<Void> first() {
    return first;
  }

  @Override
  public HttpPipelinePosition getPipelinePosition() {
    return HttpPipelinePosition.PER_RETRY;
  }

  @Override
  protected void beforeSendingRequest(HttpPipelineCallContext context) {
    if (context.getHttpRequest().getHeaders().get(HttpHeaderName.AUTHORIZATION) != null) {
      first.complete(null);
    }
  }
}
