package dev.kvload.auth;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * One token per run and per tenant and scope, however many vault clients ask: each Key Vault client
 * keeps its own token cache, so without this every vault would cost a token request. A failure is
 * kept too: the vaults that ask after it get the same answer at once instead of another round of
 * credentials, IMDS probes and CLI processes.
 */
final class CachingCredential implements TokenCredential {
  private static final Duration REFRESH_MARGIN = Duration.ofMinutes(2);

  private final TokenCredential delegate;
  private final Map<Key, Slot> slots = new ConcurrentHashMap<>();

  CachingCredential(TokenCredential delegate) {
    this.delegate = delegate;
  }

  private record Key(List<String> scopes, String tenantId, String claims, boolean cae) {
    static Key of(TokenRequestContext request) {
      return new Key(
          List.copyOf(request.getScopes()),
          request.getTenantId(),
          request.getClaims(),
          request.isCaeEnabled());
    }
  }

  /** Serialises the first request for a key so concurrent callers share one token request. */
  private static final class Slot {
    private AccessToken token;
    private CredentialFailure failure;
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    Slot slot = slots.computeIfAbsent(Key.of(request), k -> new Slot());
    synchronized (slot) {
      if (slot.failure != null) {
        throw slot.failure;
      }
      if (slot.token == null
          || slot.token.getExpiresAt().isBefore(OffsetDateTime.now().plus(REFRESH_MARGIN))) {
        try {
          slot.token = delegate.getTokenSync(request);
        } catch (CredentialFailure e) {
          slot.failure = e;
          throw e;
        }
      }
      return slot.token;
    }
  }

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return Mono.fromCallable(() -> getTokenSync(request));
  }
}
