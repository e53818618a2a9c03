package dev.kvload.auth;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import reactor.core.publisher.Mono;

/**
 * One token per run and per tenant and scope, however many vault clients ask: each Key Vault client
 * keeps its own token cache, so without this every vault would cost a token request. A failure is
 * kept too: the vaults that ask after it get the same answer at once instead of another round of
 * credentials, IMDS probes and CLI processes.
 *
 * <p>It can also start the token request early ({@link #prefetch}), while the first vault request
 * meets its challenge: the challenge names the tenant only when it arrives, so the early token is
 * used when it turns out to be for that tenant.
 */
final class CachingCredential implements TokenCredential {
  private static final Duration REFRESH_MARGIN = Duration.ofMinutes(2);

  private final TokenCredential delegate;
  private final boolean tenantAgnostic;
  private final Map<Key, Slot> slots = new ConcurrentHashMap<>();
  private volatile Prefetched prefetched;

  /**
   * @param tenantAgnostic the credential ignores the tenant asked for (a managed identity always
   *     signs in to its own), so a token serves a request for any tenant
   */
  CachingCredential(TokenCredential delegate, boolean tenantAgnostic) {
    this.delegate = delegate;
    this.tenantAgnostic = tenantAgnostic;
  }

  private record Key(List<String> scopes, String tenantId, String claims, boolean cae) {
    static Key of(TokenRequestContext request) {
      return new Key(
          List.copyOf(request.getScopes()),
          request.getTenantId(),
          request.getClaims(),
          request.isCaeEnabled());
    }

    boolean sameButTenant(Key other) {
      return scopes.equals(other.scopes)
          && Objects.equals(claims, other.claims)
          && cae == other.cae;
    }
  }

  private record Prefetched(Key key, FutureTask<AccessToken> token) {}

  /** Serialises the first request for a key so concurrent callers share one token request. */
  private static final class Slot {
    private AccessToken token;
    private CredentialFailure failure;
  }

  /** Starts getting a token for {@code request} on a thread of its own; never throws. */
  void prefetch(TokenRequestContext request) {
    FutureTask<AccessToken> task = new FutureTask<>(() -> getTokenSync(request));
    prefetched = new Prefetched(Key.of(request), task);
    Thread.ofVirtual().name("kvload-token").start(task);
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    Key key = Key.of(request);
    Slot slot = slots.computeIfAbsent(key, k -> new Slot());
    synchronized (slot) {
      if (slot.failure != null) {
        throw slot.failure;
      }
      if (slot.token == null) {
        slot.token = fromPrefetch(key, slot);
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

  /**
   * The early token when it serves {@code key}: same scopes, and a tenant that matches (asked for,
   * or the one the token was issued in). An early failure serves when no credential could even be
   * tried, which does not depend on the tenant; any other failure is asked again, for the tenant.
   */
  private AccessToken fromPrefetch(Key key, Slot slot) {
    Prefetched early = prefetched;
    if (early == null || early.key().equals(key) || !early.key().sameButTenant(key)) {
      return null;
    }
    try {
      AccessToken token = early.token().get();
      boolean fits =
          tenantAgnostic
              || key.tenantId() == null
              || key.tenantId().equalsIgnoreCase(early.key().tenantId())
              || key.tenantId().equalsIgnoreCase(issuedIn(token));
      return fits ? token : null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CredentialFailure failure
          && failure.attempts().stream().allMatch(a -> a.result() == Attempt.Result.UNAVAILABLE)) {
        slot.failure = failure;
        throw failure;
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The {@code tid} claim of a JWT access token, unverified: only compared, never trusted. */
  private static String issuedIn(AccessToken token) {
    return Json.claims(token.getToken()).get("tid");
  }

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return Mono.fromCallable(() -> getTokenSync(request));
  }
}
