package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.CredentialUnavailableException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class CredentialChainTest {
  private static final AuthContext CONTEXT =
      new AuthContext(new AuthSettings(AuthMode.DEFAULT, null, null), Map.of());
  private static final AccessToken TOKEN =
      new AccessToken("token", OffsetDateTime.now().plusHours(1));

  /** A credential that counts its calls and answers as told. */
  private static final class Stub implements TokenCredential {
    final AtomicInteger calls = new AtomicInteger();
    final RuntimeException failure;

    Stub(RuntimeException failure) {
      this.failure = failure;
    }

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
      return TOKEN;
    }
  }

  /** A request as Key Vault's challenge makes it (a fresh one: the SDK's type is mutable). */
  private static TokenRequestContext vault(String tenant) {
    return new TokenRequestContext()
        .addScopes("https://vault.azure.net/.default")
        .setTenantId(tenant);
  }

  private static CredentialChain.Link link(String name, Stub stub) {
    return new CredentialChain.Link(name, () -> stub);
  }

  @Test
  void passesOverUnavailableCredentialsAndKeepsTheOneThatWorked() {
    Stub unavailable = new Stub(new CredentialUnavailableException("not here"));
    Stub works = new Stub(null);
    Stub after = new Stub(null);
    var chain =
        new CredentialChain(
            CONTEXT,
            List.of(link("A", unavailable), link("B", works), link("C", after)),
            new TokenAnswers());
    assertSame(TOKEN, chain.getTokenSync(vault("t1")));
    assertSame(TOKEN, chain.getTokenSync(vault("t2")));
    assertEquals(1, unavailable.calls.get(), "the chain starts at the one that worked");
    assertEquals(2, works.calls.get());
    assertEquals(0, after.calls.get());
  }

  @Test
  void aRejectedCredentialEndsTheChain() {
    Stub unavailable = new Stub(new CredentialUnavailableException("not here"));
    Stub rejected =
        new Stub(
            new ClientAuthenticationException(
                "AADSTS7000215: Invalid client secret provided.", null));
    Stub after = new Stub(null);
    var chain =
        new CredentialChain(
            CONTEXT,
            List.of(link("A", unavailable), link("B", rejected), link("C", after)),
            new TokenAnswers());
    var failure = assertThrows(CredentialFailure.class, () -> chain.getTokenSync(vault("t1")));
    assertEquals(List.of("A", "B"), failure.attempts().stream().map(Attempt::credential).toList());
    assertEquals(Attempt.Result.REJECTED, failure.attempts().getLast().result());
    assertEquals(0, after.calls.get());
    assertEquals(null, failure.getCause(), "no cause for a retry policy to find");
    assertSame(rejected.failure, failure.error());
  }

  @Test
  void aCredentialThatCannotBeBuiltIsReported() {
    var chain =
        new CredentialChain(
            CONTEXT,
            List.of(
                new CredentialChain.Link(
                    "A",
                    () -> {
                      throw new IllegalArgumentException("Invalid tenant ID provided.");
                    })),
            new TokenAnswers());
    var failure = assertThrows(CredentialFailure.class, () -> chain.getTokenSync(vault("t1")));
    assertEquals("Invalid tenant ID provided", failure.attempts().getFirst().reason());
  }

  @Test
  void theCacheAsksOncePerTenantAndRemembersAFailure() {
    Stub works = new Stub(null);
    var cached =
        new CachingCredential(
            new CredentialChain(CONTEXT, List.of(link("A", works)), new TokenAnswers()), false);
    cached.getTokenSync(vault("t1"));
    cached.getTokenSync(vault("t1"));
    cached.getTokenSync(vault("t2"));
    assertEquals(2, works.calls.get());

    Stub unavailable = new Stub(new CredentialUnavailableException("not here"));
    var failing =
        new CachingCredential(
            new CredentialChain(CONTEXT, List.of(link("A", unavailable)), new TokenAnswers()),
            false);
    var first = assertThrows(CredentialFailure.class, () -> failing.getTokenSync(vault("t1")));
    var second = assertThrows(CredentialFailure.class, () -> failing.getTokenSync(vault("t1")));
    assertSame(first, second);
    assertEquals(1, unavailable.calls.get());
  }
}
