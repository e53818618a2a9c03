package dev.kvload.http;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import reactor.core.publisher.Mono;

/**
 * Tags every request on its way to the wire, whichever SDK pipeline built it (Key Vault, the
 * credential, MSAL): the one place all of a run's traffic passes.
 */
final class TaggingHttpClient implements HttpClient {
  private final HttpClient delegate;
  private final RequestTags tags;

  TaggingHttpClient(HttpClient delegate, RequestTags tags) {
    this.delegate = delegate;
    this.tags = tags;
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request) {
    tags.tag(request);
    return delegate.send(request);
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request, Context context) {
    tags.tag(request);
    return delegate.send(request, context);
  }

  @Override
  public HttpResponse sendSync(HttpRequest request, Context context) {
    tags.tag(request);
    return delegate.sendSync(request, context);
  }
}
