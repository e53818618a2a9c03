package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.util.Context;
import dev.kvload.fake.StubResponse;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class AuthorizedTest {
  private static final String URL = "https://kvload-test.vault.azure.net/secrets/db-url/";

  private final Authorized authorized = new Authorized();
  private final HttpPipeline pipeline =
      new HttpPipelineBuilder()
          .policies(authorized)
          .httpClient(request -> Mono.just(StubResponse.of(request, 401, "")))
          .build();

  @Test
  void aRequestWithoutATokenLeavesItWaiting() {
    pipeline.sendSync(new HttpRequest(HttpMethod.GET, URL), Context.NONE).close();
    assertFalse(authorized.first().isDone());
  }

  @Test
  void theFirstRequestWithATokenCompletesIt() {
    HttpRequest request =
        new HttpRequest(HttpMethod.GET, URL).setHeader(HttpHeaderName.AUTHORIZATION, "Bearer x");
    pipeline.sendSync(request, Context.NONE).close();
    assertTrue(authorized.first().isDone());
  }

  @Test
  void theAsyncPathToo() {
    HttpRequest request =
        new HttpRequest(HttpMethod.GET, URL).setHeader(HttpHeaderName.AUTHORIZATION, "Bearer x");
    pipeline.send(request).block().close();
    assertTrue(authorized.first().isDone());
  }
}
