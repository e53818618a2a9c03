package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.CredentialUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/** The early token: when it serves the request the vault's challenge makes, and when not. */
class CachingCredentialTest {
  private static final AuthContext CONTEXT =
      new AuthContext(new AuthSettings(AuthMode.DEFAULT, null, null), Map.of());

  /** A JWT-shaped token issued in {@code tid}; kvload reads the claim, never the signature. */
  private static String jwt(String tid) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String claims = tid == null ? "{}" : "{\"tid\":\"" + tid + "\"}";
    return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8))
        + ".sig";
  }

  /** Counts calls; answers with a token issued in {@code tid}, or fails. */
  private record Stub(AtomicInteger calls, String tid, RuntimeException failure)
      implements TokenCredential {
    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      return Mono.fromCallable(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
      calls.incrementAndGet();
      if (failure != null) {
        throw failure;
      }
      return new AccessToken(jwt(tid), OffsetDateTime.now().plusHours(1));
    }
  }

  private static TokenRequestContext vault(String tenant) {
    return new TokenRequestContext()
        .addScopes("https://vault.azure.net/.default")
        .setTenantId(tenant)
        .setCaeEnabled(true);
  }

  private static CachingCredential cached(Stub stub, boolean tenantAgnostic) {
    return new CachingCredential(
        new CredentialChain(
            CONTEXT, List.of(new CredentialChain.Link("A", () -> stub)), new TokenAnswers()),
        tenantAgnostic);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("issued in the challenge's tenant: one request", null, "t1", "t1", false, 1),
        Arguments.of("asked for the challenge's tenant: one request", "t1", "t9", "t1", false, 1),
        Arguments.of("issued in another tenant: asked again", null, "t2", "t1", false, 2),
        Arguments.of("opaque token, tenant unknown: asked again", null, null, "t1", false, 2),
        Arguments.of("a managed identity ignores tenants: one request", null, null, "t1", true, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theEarlyTokenServesOnlyItsTenant(
      String name,
      String prefetchTenant,
      String issuedIn,
      String challengeTenant,
      boolean agnostic,
      int calls) {
    Stub stub = new Stub(new AtomicInteger(), issuedIn, null);
    var cached = cached(stub, agnostic);
    cached.prefetch(vault(prefetchTenant));
    cached.getTokenSync(vault(challengeTenant));
    cached.getTokenSync(vault(challengeTenant));
    assertEquals(calls, stub.calls().get());
  }

  static Stream<Arguments> otherRequests() {
    TokenRequestContext vaultT1 = vault("t1");
    return Stream.of(
        Arguments.of("the same request but its tenant: served early", vaultT1, 1),
        Arguments.of(
            "another scope",
            new TokenRequestContext()
                .addScopes("https://storage.azure.com/.default")
                .setTenantId("t1")
                .setCaeEnabled(true),
            2),
        Arguments.of("a claims challenge", vault("t1").setClaims("{\"access_token\":{}}"), 2),
        Arguments.of("without CAE", vault("t1").setCaeEnabled(false), 2));
  }

  /**
   * The early token was asked for Key Vault's scope: it never serves a request for another scope, a
   * claims challenge (which needs a fresh token) or another CAE setting.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("otherRequests")
  void theEarlyTokenServesOnlyTheRequestItWasFor(
      String name, TokenRequestContext asked, int calls) {
    Stub stub = new Stub(new AtomicInteger(), "t1", null);
    var cached = cached(stub, false);
    cached.prefetch(vault(null));
    cached.getTokenSync(asked);
    // Waits for the early request (same key, same slot), which counts one call either way.
    cached.getTokenSync(vault(null));
    assertEquals(calls, stub.calls().get());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void anEarlyFailureServesOnlyWhenNoCredentialCouldTry(
      String name, RuntimeException error, int calls) {
    Stub stub = new Stub(new AtomicInteger(), null, error);
    var cached = cached(stub, false);
    cached.prefetch(vault(null));
    var failure = assertThrows(CredentialFailure.class, () -> cached.getTokenSync(vault("t1")));
    assertEquals(calls, stub.calls().get());
    assertSame(
        failure, assertThrows(CredentialFailure.class, () -> cached.getTokenSync(vault("t1"))));
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(
            "unavailable everywhere: the early answer stands",
            new CredentialUnavailableException("not here"),
            1),
        Arguments.of(
            "rejected: asked again for the challenge's tenant",
            new ClientAuthenticationException("AADSTS7000215: Invalid client secret", null),
            2));
  }
}
