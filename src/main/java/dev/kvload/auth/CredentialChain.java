package dev.kvload.auth;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Credentials tried in order until one gives a token, like the SDK's ChainedTokenCredential, but
 * keeping what each one did so that a failure can be explained credential by credential. As in the
 * SDK, a credential that is not available passes to the next; one that fails otherwise (a wrong
 * secret) ends the chain; the one that worked is used alone from then on.
 */
final class CredentialChain implements TokenCredential {

  /**
   * One credential, built when first needed.
   *
   * @param claims the claims of the federated token it presents, for explaining a refusal; null
   *     when it presents none
   */
  record Link(
      String name, Supplier<TokenCredential> factory, Supplier<Map<String, String>> claims) {
    Link(String name, Supplier<TokenCredential> factory) {
      this(name, factory, null);
    }
  }

  private final AuthContext context;
  private final List<Link> links;
  private final TokenAnswers answers;
  private final Map<Link, TokenCredential> built = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Link selected;

  /**
   * @param answers what the credentials' token endpoints answered that was not a token
   */
  CredentialChain(AuthContext context, List<Link> links, TokenAnswers answers) {
    this.context = context;
    this.links = List.copyOf(links);
    this.answers = answers;
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    Link chosen = selected;
    List<Attempt> tried = new ArrayList<>();
    for (Link link : chosen == null ? links : List.of(chosen)) {
      int mark = answers.mark();
      try {
        AccessToken token =
            built.computeIfAbsent(link, l -> l.factory().get()).getTokenSync(request);
        selected = link;
        return token;
      } catch (RuntimeException e) {
        Attempt attempt = Diagnosis.of(context, link.name(), e, link.claims(), answers.since(mark));
        tried.add(attempt);
        if (attempt.result() != Attempt.Result.UNAVAILABLE) {
          break;
        }
      }
    }
    throw new CredentialFailure(context, tried);
  }

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return Mono.fromCallable(() -> getTokenSync(request));
  }
}
