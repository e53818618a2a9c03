package dev.kvload.vault;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.Context;
import com.azure.security.keyvault.secrets.implementation.KeyVaultCredentialPolicy;
import dev.kvload.Failure;
import dev.kvload.http.Transport;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import reactor.core.publisher.Mono;

/**
 * Azure Key Vault behind {@link SecretSource}: one SDK pipeline per vault, bounded concurrency, and
 * every answer and SDK exception translated here into an {@link Outcome} or a {@link Failure}.
 *
 * <p>The GET is sent through azure-core's pipeline with the Key Vault library's own challenge
 * policy, but not through its generated {@code SecretClient}: that one builds a reflective REST
 * proxy and Jackson's object mapper on first use, ~0.1 s of start-up on two cores for one GET
 * (bench/levers.md).
 *
 * <p>Two things the policy does not check are checked here. The token a challenge asks for must be
 * the one {@link Audience} allows for the vault (the policy would take any domain above the vault's
 * host). And an answer to a request that carried no token is not believed: Key Vault challenges
 * every such request, so a host that serves secrets without one is not Key Vault.
 */
public final class KeyVaultSource implements SecretSource {
  /** The Key Vault REST API version the pinned azure-security-keyvault-secrets (4.11) sends. */
  static final String API_VERSION = "2025-07-01";

  private final TrackedCredential credential;
  private final Transport transport;
  private final int maxInFlight;
  private final Function<Throwable, Failure.Auth> authFailure;
  private final Clock clock;
  private final Consumer<String> verbose;
  private final Consumer<String> tokenPrefetch;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peakInFlight = new AtomicInteger();

  /**
   * @param maxInFlight how many requests may be outstanding at once, across all vaults
   * @param authFailure explains a token failure for the chosen auth mode
   * @param verbose told about retries and the fetch's concurrency, for {@code -v}; never a value
   * @param tokenPrefetch starts getting a token for a resource (such as {@code
   *     https://vault.azure.net}) while the first requests meet their challenges
   */
  public KeyVaultSource(
      TokenCredential credential,
      Transport transport,
      int maxInFlight,
      Function<Throwable, Failure.Auth> authFailure,
      Clock clock,
      Consumer<String> verbose,
      Consumer<String> tokenPrefetch) {
    this.credential = new TrackedCredential(credential);
    this.transport = transport;
    this.maxInFlight = maxInFlight;
    this.authFailure = authFailure;
    this.clock = clock;
    this.verbose = verbose;
    this.tokenPrefetch = tokenPrefetch;
  }

  @Override
  public Map<SecretRef, Outcome> fetch(Collection<SecretRef> refs, Instant deadline) {
    Map<VaultRef, List<SecretRef>> byVault = new LinkedHashMap<>();
    for (SecretRef ref : new LinkedHashSet<>(refs)) {
      byVault.computeIfAbsent(ref.vault(), v -> new ArrayList<>()).add(ref);
    }
    Map<SecretRef, Outcome> outcomes = new LinkedHashMap<>();
    if (byVault.isEmpty()) {
      return outcomes;
    }
    Instant started = clock.instant();
    int total = byVault.values().stream().mapToInt(List::size).sum();
    int threads = Math.min(maxInFlight, total);
    // Pipelines are made per fetch: their retries must know this fetch's deadline.
    Map<String, String> lastAnswers = new ConcurrentHashMap<>();
    RetryPolicy retry =
        new RetryPolicy(new DeadlineRetry(deadline, clock, verbose, lastAnswers::put));
    Map<VaultRef, HttpPipeline> pipelines = new ConcurrentHashMap<>();
    Function<VaultRef, HttpPipeline> newPipeline =
        vault -> pipeline(vault, retry, lastAnswers::put);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads, Thread.ofPlatform().daemon().name("kvload-fetch-", 0).factory());
    try {
      // The token request starts now, beside the first requests, instead of after their 401.
      byVault.keySet().stream()
          .map(VaultRef::knownResource)
          .flatMap(Optional::stream)
          .distinct()
          .forEach(tokenPrefetch);
      // One request per vault first: it meets the 401 challenge and gets the token, which the
      // rest then reuse. Firing everything at once would draw a challenge and a token request each.
      Map<SecretRef, Future<Outcome>> first = new LinkedHashMap<>();
      byVault
          .values()
          .forEach(
              list -> {
                SecretRef ref = list.getFirst();
                first.put(ref, pool.submit(() -> fetchOne(ref, pipelines, newPipeline)));
              });
      outcomes.putAll(await(first, deadline, lastAnswers));
      verbose.accept(
          "first secret of each vault (challenge and token) in "
              + Duration.between(started, clock.instant()).toMillis()
              + " ms");
      Map<SecretRef, Future<Outcome>> rest = new LinkedHashMap<>();
      byVault
          .values()
          .forEach(
              list ->
                  list.stream()
                      .skip(1)
                      .forEach(
                          ref ->
                              rest.put(
                                  ref, pool.submit(() -> fetchOne(ref, pipelines, newPipeline)))));
      outcomes.putAll(await(rest, deadline, lastAnswers));
      verbose.accept(
          "fetched "
              + total
              + " secret"
              + (total == 1 ? "" : "s")
              + " from "
              + byVault.size()
              + " vault"
              + (byVault.size() == 1 ? "" : "s")
              + " in "
              + Duration.between(started, clock.instant()).toMillis()
              + " ms, at most "
              + peakInFlight.get()
              + " requests in flight (limit "
              + threads
              + ")");
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The most requests that were outstanding at once in this run. */
  public int peakInFlight() {
    return peakInFlight.get();
  }

  /**
   * @param lastAnswers the last retryable answer to each request, by {@link
   *     DeadlineRetry#requestKey}: what a request still retrying at the deadline had got
   */
  private Map<SecretRef, Outcome> await(
      Map<SecretRef, Future<Outcome>> futures, Instant deadline, Map<String, String> lastAnswers) {
    Map<SecretRef, Outcome> outcomes = new LinkedHashMap<>();
    Failure.Auth auth = null;
    for (var entry : futures.entrySet()) {
      Duration left = Duration.between(clock.instant(), deadline);
      try {
        outcomes.put(
            entry.getKey(),
            entry.getValue().get(Math.max(0, left.toNanos()), TimeUnit.NANOSECONDS));
      } catch (TimeoutException | CancellationException e) {
        entry.getValue().cancel(true);
        if (credential.pending() > 0 && auth == null) {
          // Still waiting for a token, not for the vault: say so, or users would chase the vault.
          auth =
              authFailure.apply(
                  new TimeoutException(
                      "no token before the --timeout deadline: the token endpoint was slow to"
                          + " answer, or kept failing"));
        }
        String last = lastAnswers.get(requestKey(entry.getKey()));
        outcomes.put(
            entry.getKey(),
            new Outcome.Unreachable(
                "no answer before the --timeout deadline"
                    + (last == null ? "" : " (the last answer was " + last + ")")));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AuthProblem problem && auth == null) {
          auth = authFailure.apply(problem.getCause());
        } else {
          outcomes.put(
              entry.getKey(),
              new Outcome.Unreachable("kvload failed: " + e.getCause().getClass().getName()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Failure.Vault(List.of("interrupted while fetching secrets"), e);
      }
    }
    if (auth != null) {
      futures.values().forEach(f -> f.cancel(true));
      throw auth;
    }
    return outcomes;
  }

  private Outcome fetchOne(
      SecretRef ref,
      Map<VaultRef, HttpPipeline> pipelines,
      Function<VaultRef, HttpPipeline> newPipeline) {
    int now = inFlight.incrementAndGet();
    peakInFlight.accumulateAndGet(now, Math::max);
    try {
      HttpPipeline pipeline = pipelines.computeIfAbsent(ref.vault(), newPipeline);
      HttpRequest request =
          new HttpRequest(HttpMethod.GET, secretUrl(ref))
              .setHeader(HttpHeaderName.ACCEPT, "application/json");
      try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
        Outcome notKeyVault = unchallenged(response);
        if (notKeyVault != null) {
          return notKeyVault;
        }
        // WholeBody has read the body already: this is its copy.
        byte[] body = response.getBodyAsBinaryData().toBytes();
        return response.getStatusCode() == 200
            ? found(SecretBundle.parse(body))
            : fromStatus(response, body);
      }
    } catch (AuthProblem e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // The credential's failures come wrapped (TrackedCredential), often inside the SDK's own.
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof TokenFailure token) {
          throw new AuthProblem(token.failure());
        }
        if (t instanceof ChallengeRefused refused) {
          return new Outcome.Unreachable(refused.getMessage());
        }
      }
      return new Outcome.Unreachable(networkReason(e, ref.vault()));
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * Null when the answer came to a request that carried a token, or says nothing about the secret
   * (throttling, a server error: what any front end may answer first). Anything else sent to a
   * request without a token (the secret, a 404, a 401 without a challenge the policy could use)
   * comes from a host that is not Key Vault, which challenges every such request.
   */
  private static Outcome unchallenged(HttpResponse response) {
    if (response.getRequest().getHeaders().get(HttpHeaderName.AUTHORIZATION) != null) {
      return null;
    }
    int status = response.getStatusCode();
    if (status == 408 || status == 429 || status >= 500) {
      return null;
    }
    return new Outcome.Unreachable(
        status == 401
            ? "this host asked for a token, but not as Key Vault does: it is not Key Vault"
            : "this host did not ask for a token: it is not Key Vault");
  }

  /** Names and versions are checked against Key Vault's alphabet when read: nothing to escape. */
  static String secretUrl(SecretRef ref) {
    return ref.vault().baseUrl()
        + "/secrets/"
        + ref.name()
        + "/"
        + (ref.latest() ? "" : ref.version())
        + "?api-version="
        + API_VERSION;
  }

  private static Outcome found(SecretBundle secret) {
    if (secret.value() == null) {
      return new Outcome.Unreachable("the vault answered without a value");
    }
    return new Outcome.Found(
        new SecretValue(secret.value()),
        secret.version(),
        secret.notBefore(),
        secret.expires(),
        secret.contentType());
  }

  private static String requestKey(SecretRef ref) {
    var url = ref.vault().url();
    return DeadlineRetry.requestKey(
        url.getHost(),
        url.getPort(),
        "/secrets/" + ref.name() + (ref.latest() ? "" : "/" + ref.version()));
  }

  /**
   * The pipeline {@code SecretClientBuilder} would build, less what kvload does not use (logging,
   * tracing, per-call headers): the SDK's User-Agent, retries within the deadline, then the
   * challenge and token, then the whole body read inside each try.
   *
   * @param failed told each try that failed without an answer (a dropped connection, a cut body),
   *     so that a request still retrying at the deadline can say what its tries got
   */
  private HttpPipeline pipeline(
      VaultRef vault, RetryPolicy retry, BiConsumer<String, String> failed) {
    return new HttpPipelineBuilder()
        .httpClient(transport.client())
        .policies(
            transport.sdkUserAgent("azure-security-keyvault-secrets.properties"),
            retry,
            // The policy's own check of the challenge is turned off: Audience's is stricter for
            // Key Vault's domains, and the policy's refuses an emulator that names its own host.
            new KeyVaultCredentialPolicy(new VaultCredential(vault, credential), true),
            new WholeBody(
                (request, error) ->
                    failed.accept(
                        DeadlineRetry.requestKey(request.getUrl()), networkReason(error, vault))))
        .build();
  }

  /**
   * An answer other than 200. Only a 403's inner error code is trusted to mean a disabled secret:
   * other 403s also say "disabled", e.g. "Public network access is disabled".
   */
  private static Outcome fromStatus(HttpResponse response, byte[] body) {
    int status = response.getStatusCode();
    if (status == 401) {
      // The challenge policy has already retried once with a fresh token.
      throw new AuthProblem(
          new ClientAuthenticationException("the vault refused the token (HTTP 401)", null));
    }
    if (status == 404) {
      return new Outcome.NotFound();
    }
    if (status == 403 && SecretBundle.innerErrorCode(body).equals("SecretDisabled")) {
      return new Outcome.Disabled();
    }
    if (status == 403) {
      return Outcome.Forbidden.of(SecretBundle.innerErrorCode(body));
    }
    if (status == 429) {
      String asked = response.getHeaderValue(HttpHeaderName.RETRY_AFTER);
      return new Outcome.Unreachable(
          "the vault was still throttling (HTTP 429"
              + (asked == null ? "" : ", Retry-After " + printable(asked))
              + ") when the --timeout deadline stopped retries");
    }
    if (status >= 500) {
      return new Outcome.Unreachable("HTTP " + status + " from the vault after retrying");
    }
    return new Outcome.Unreachable("unexpected HTTP " + status + " from the vault");
  }

  /**
   * A reason built from exception types only: a malformed answer's parser message could quote the
   * body, and the body of a successful answer is a secret.
   */
  private static String networkReason(Throwable e, VaultRef vault) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // The JDK reports an unknown host as a ConnectException around UnresolvedAddressException:
      // look for the name problem first.
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return "host " + vault.url().getHost() + " not found: check the vault name or URL";
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      switch (t) {
        case Throwable json
            when json.getClass().getName().toLowerCase(Locale.ROOT).contains("json") -> {
          // The whole body arrived (WholeBody) but is not Key Vault's JSON: a proxy or captive
          // portal answering in the vault's place, or a truncated answer.
          return "the vault's answer could not be read (not the JSON Key Vault sends): is a"
              + " proxy answering for "
              + vault.url().getHost()
              + "?";
        }
        case ConnectException c -> {
          return "connection to " + vault.url().getAuthority() + " refused or unreachable";
        }
        case HttpTimeoutException h -> {
          return "no answer from " + vault.url().getAuthority() + " in time";
        }
        case SSLHandshakeException s -> {
          return tlsReason(s, vault);
        }
        case SSLException s -> {
          return "TLS error talking to " + vault.url().getHost();
        }
        case IOException io -> {
          if (t.getCause() == null) {
            return "connection to "
                + vault.url().getAuthority()
                + " failed ("
                + io.getClass().getSimpleName()
                + ")";
          }
        }
        default -> {}
      }
    }
    return "the vault's answer could not be read (" + e.getClass().getSimpleName() + ")";
  }

  /**
   * Which of the two usual certificate problems it is. The JDK's messages name hosts and issuers,
   * never anything secret, but only the known shapes are used to keep the message short.
   */
  private static String tlsReason(SSLHandshakeException e, VaultRef vault) {
    String host = vault.url().getHost();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (t instanceof CertificateException
          && (message.startsWith("No subject alternative") || message.startsWith("No name"))) {
        return "TLS certificate refused: the certificate of "
            + vault.url().getAuthority()
            + " does not name "
            + host
            + " (host name mismatch); check the vault URL";
      }
      if (message.contains("unable to find valid certification path")
          || message.contains("PKIX path")) {
        return "TLS certificate refused: the certificate of "
            + vault.url().getAuthority()
            + " is not signed by a trusted authority; behind a TLS-inspecting proxy, give"
            + " Java its CA (KVLOAD_JAVA_OPTS=-Djavax.net.ssl.trustStore=...)";
      }
    }
    return "TLS handshake with "
        + host
        + " failed: its certificate is not trusted or does not match the host name";
  }

  /** Header values from the network, shortened and stripped of control characters. */
  private static String printable(String text) {
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }

  @Override
  public void close() {
    transport.close();
  }

  /** Counts token requests still waiting for an answer, so a deadline can blame the right end. */
  private static final class TrackedCredential implements TokenCredential {
    private final TokenCredential delegate;
    private final AtomicInteger pending = new AtomicInteger();

    TrackedCredential(TokenCredential delegate) {
      this.delegate = delegate;
    }

    int pending() {
      return pending.get();
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
      pending.incrementAndGet();
      try {
        return delegate.getTokenSync(request);
      } catch (RuntimeException e) {
        throw new TokenFailure(e);
      } finally {
        pending.decrementAndGet();
      }
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      return Mono.defer(
          () -> {
            pending.incrementAndGet();
            return delegate
                .getToken(request)
                .onErrorMap(RuntimeException.class, TokenFailure::new)
                .doFinally(signal -> pending.decrementAndGet());
          });
    }
  }

  /**
   * One vault's credential: asks for the token {@link Audience} allows for the vault, or refuses
   * before any token is asked for.
   */
  private static final class VaultCredential implements TokenCredential {
    private final VaultRef vault;
    private final TokenCredential delegate;

    VaultCredential(VaultRef vault, TokenCredential delegate) {
      this.vault = vault;
      this.delegate = delegate;
    }

    /** The policy makes a fresh context for each token it asks for: it is set right in place. */
    private TokenRequestContext allowed(TokenRequestContext request) {
      return request.setScopes(
          new ArrayList<>(List.of(Audience.scope(vault, request.getScopes()))));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
      return delegate.getTokenSync(allowed(request));
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      return Mono.defer(() -> delegate.getToken(allowed(request)));
    }
  }

  /** Carries a token failure out of a worker thread; the whole run stops on it. */
  private static final class AuthProblem extends RuntimeException {
    AuthProblem(Throwable cause) {
      super(null, cause, false, false);
    }
  }
}
