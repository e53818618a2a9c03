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
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.Context;
import com.azure.security.keyvault.secrets.implementation.KeyVaultCredentialPolicy;
import dev.kvload.Failure;
import dev.kvload.http.AnswerTooLarge;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
   * This process's place in a throttled fleet, drawn once: it stretches every wait a vault asks for
   * by the same share ({@link VaultGate}).
   */
  private final double place = ThreadLocalRandom.current().nextDouble();

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
    Attempts attempts = new Attempts(deadline, threads);
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
                first.put(ref, pool.submit(() -> fetchOne(ref, attempts)));
              });
      outcomes.putAll(await(first, attempts));
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
                      .forEach(ref -> rest.put(ref, pool.submit(() -> fetchOne(ref, attempts)))));
      outcomes.putAll(await(rest, attempts));
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
      return throttledSaySo(outcomes, byVault, attempts);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The most requests that were outstanding at once in this run. */
  public int peakInFlight() {
    return peakInFlight.get();
  }

  /**
   * Every secret a throttling vault kept from the run gets one reason, which says how many were
   * still missing and what the vault did: the waits it asked for, or how long kvload's own grew.
   */
  private static Map<SecretRef, Outcome> throttledSaySo(
      Map<SecretRef, Outcome> outcomes, Map<VaultRef, List<SecretRef>> byVault, Attempts attempts) {
    byVault.forEach(
        (vault, list) -> {
          List<SecretRef> held =
              list.stream()
                  .filter(
                      ref ->
                          outcomes.get(ref) instanceof Outcome.Unreachable u
                              && u.kind() == Outcome.Why.THROTTLED)
                  .toList();
          if (held.isEmpty()) {
            return;
          }
          String reason =
              "throttled: "
                  + held.size()
                  + " of "
                  + list.size()
                  + " secret"
                  + (list.size() == 1 ? "" : "s")
                  + " still missing at the --timeout deadline ("
                  + attempts.gate(vault).summary()
                  + ")";
          held.forEach(
              ref -> outcomes.put(ref, new Outcome.Unreachable(reason, Outcome.Why.THROTTLED)));
        });
    return outcomes;
  }

  private Map<SecretRef, Outcome> await(
      Map<SecretRef, Future<Outcome>> futures, Attempts attempts) {
    Map<SecretRef, Outcome> outcomes = new LinkedHashMap<>();
    Failure.Auth auth = null;
    for (var entry : futures.entrySet()) {
      Duration left = Duration.between(clock.instant(), attempts.deadline);
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
        outcomes.put(entry.getKey(), attempts.late(entry.getKey()));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AuthProblem problem && auth == null) {
          auth = authFailure.apply(problem.getCause());
        } else {
          outcomes.put(
              entry.getKey(),
              new Outcome.Unreachable(
                  "kvload failed: " + e.getCause().getClass().getName(), Outcome.Why.NETWORK));
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

  /**
   * One secret, sent again as long as the deadline allows when the vault throttles (through its
   * {@link VaultGate}) or the request meets a fault that may pass ({@link DeadlineRetry}).
   */
  private Outcome fetchOne(SecretRef ref, Attempts attempts) throws InterruptedException {
    VaultGate gate = attempts.gate(ref.vault());
    HttpPipeline pipeline = attempts.pipeline(ref.vault());
    List<Throwable> failures = new ArrayList<>();
    // Retries for faults of this request's own; a throttling is the gate's and counts no try.
    int tries = 0;
    while (true) {
      VaultGate.Permit permit = gate.enter(attempts.retry.latestStart());
      if (permit == null) {
        return attempts.late(ref);
      }
      HttpResponse answer;
      int now = inFlight.incrementAndGet();
      peakInFlight.accumulateAndGet(now, Math::max);
      try {
        answer =
            pipeline.sendSync(
                new HttpRequest(HttpMethod.GET, secretUrl(ref))
                    .setHeader(HttpHeaderName.ACCEPT, "application/json"),
                Context.NONE);
      } catch (RuntimeException e) {
        gate.left(permit, false);
        // The credential's failures come wrapped (TrackedCredential), often inside the SDK's own.
        for (Throwable t = e; t != null; t = t.getCause()) {
          if (t instanceof TokenFailure token) {
            throw new AuthProblem(token.failure());
          }
          if (t instanceof ChallengeRefused refused) {
            return new Outcome.Unreachable(refused.getMessage(), Outcome.Why.NOT_KEY_VAULT);
          }
          if (t instanceof AnswerTooLarge) {
            return new Outcome.Unreachable(
                networkReason(t, ref.vault()), Outcome.Why.NOT_KEY_VAULT);
          }
        }
        String reason = networkReason(e, ref.vault());
        attempts.lastAnswers.put(ref, reason);
        Duration wait = attempts.retry.retryFailure(e, tries, failures);
        if (wait == null) {
          return new Outcome.Unreachable(reason, Outcome.Why.NETWORK);
        }
        failures.add(e);
        tries++;
        Thread.sleep(wait);
        continue;
      } finally {
        inFlight.decrementAndGet();
      }
      try (HttpResponse response = answer) {
        int status = response.getStatusCode();
        if (VaultGate.closes(status)) {
          throttled(ref, response, gate, permit, attempts);
          continue;
        }
        gate.left(permit, true);
        String notKeyVault = unchallenged(response);
        if (notKeyVault != null) {
          return new Outcome.Unreachable(notKeyVault, Outcome.Why.NOT_KEY_VAULT);
        }
        if (DeadlineRetry.retryable(status)) {
          attempts.lastAnswers.put(ref, "HTTP " + status);
          Duration wait = attempts.retry.retryAnswer(response, tries);
          if (wait != null) {
            tries++;
            Thread.sleep(wait);
            continue;
          }
        }
        // WholeBody has read the body already: this is its copy.
        byte[] body = response.getBodyAsBinaryData().toBytes();
        return status == 200 ? found(SecretBundle.parse(body)) : fromStatus(response, body);
      } catch (AuthProblem e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        // An answer that is not Key Vault's JSON; never its text, which could hold a value.
        return new Outcome.Unreachable(networkReason(e, ref.vault()), Outcome.Why.NETWORK);
      }
    }
  }

  /**
   * A throttling answer closes the vault to every worker of the run (the worker then waits at the
   * gate with the others). Says what happened for {@code -v}.
   */
  private void throttled(
      SecretRef ref,
      HttpResponse response,
      VaultGate gate,
      VaultGate.Permit permit,
      Attempts attempts) {
    int status = response.getStatusCode();
    Instant now = clock.instant();
    Duration asked = DeadlineRetry.retryAfter(response.getHeaders(), now);
    // Only the status: a secret held back by a throttled vault is reported from the gate's summary
    // of the waits (late, throttledSaySo), never from a header's raw text.
    attempts.lastAnswers.put(ref, "HTTP " + status);
    VaultGate.Closed closed = gate.throttled(permit, status, asked, now);
    String where = DeadlineRetry.describe(response) + ": HTTP " + status;
    if (!attempts.retry.fits(closed.reopens())) {
      verbose.accept(
          where
              + (asked != null ? ", the vault asks to wait " + DeadlineRetry.ms(asked) : "")
              + "; not retrying, the --timeout deadline is too close");
    } else if (closed.fresh()) {
      verbose.accept(
          where
              + (asked != null
                  ? ", the vault asks to wait " + DeadlineRetry.ms(asked)
                  : ", no Retry-After")
              + "; vault "
              + ref.vault()
              + " closed to every request of this run for "
              + DeadlineRetry.ms(closed.waits())
              + (asked != null ? " (jitter added)" : " (kvload's backoff, with jitter)")
              + ", then one request, then at most "
              + closed.limit()
              + " in flight");
    } else {
      verbose.accept(
          where
              + " to a request sent before the vault closed; it opens again in "
              + DeadlineRetry.ms(Duration.between(now, closed.reopens())));
    }
  }

  /**
   * Why an answer is not believed, or null when it came to a request that carried a token, or says
   * nothing about the secret (throttling, a server error: what any front end may answer first).
   * Anything else sent to a request without a token (the secret, a 404, a 401 without a challenge
   * the policy could use) comes from a host that is not Key Vault, which challenges every such
   * request.
   */
  static String unchallenged(HttpResponse response) {
    if (response.getRequest().getHeaders().get(HttpHeaderName.AUTHORIZATION) != null) {
      return null;
    }
    int status = response.getStatusCode();
    if (status == 408 || status == 429 || status >= 500) {
      return null;
    }
    return status == 401
        ? "this host asked for a token, but not as Key Vault does: it is not Key Vault"
        : "this host did not ask for a token: it is not Key Vault";
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

  /**
   * The pipeline {@code SecretClientBuilder} would build, less what kvload does not use (logging,
   * tracing, per-call headers) and less the SDK's retry policy, which kvload's own loop replaces
   * ({@link #fetchOne}): the SDK's User-Agent, then the challenge and token, then the whole body
   * read inside the send.
   */
  private HttpPipeline pipeline(VaultRef vault) {
    return pipeline(transport, credential, vault);
  }

  /**
   * The pipeline of {@link #pipeline(VaultRef)}, with {@code more} policies (e.g. a retry policy)
   * ahead of the challenge: {@link KeyVaultStore} writes and lists through it.
   *
   * @param credential a {@link TrackedCredential}, so that a token failure reaches the caller as a
   *     {@link TokenFailure} and is not retried as a network failure
   */
  static HttpPipeline pipeline(
      Transport transport, TokenCredential credential, VaultRef vault, HttpPipelinePolicy... more) {
    List<HttpPipelinePolicy> policies = new ArrayList<>();
    policies.add(transport.sdkUserAgent("azure-security-keyvault-secrets.properties"));
    policies.addAll(List.of(more));
    // The policy's own check of the challenge is turned off: Audience's is stricter for
    // Key Vault's domains, and the policy's refuses an emulator that names its own host.
    policies.add(new KeyVaultCredentialPolicy(new VaultCredential(vault, credential), true));
    policies.add(new WholeBody());
    return new HttpPipelineBuilder()
        .httpClient(transport.client())
        .policies(policies.toArray(HttpPipelinePolicy[]::new))
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
    if (status >= 500) {
      return new Outcome.Unreachable(
          "HTTP " + status + " from the vault after retrying", Outcome.Why.SERVER_ERROR);
    }
    return new Outcome.Unreachable(
        "unexpected HTTP " + status + " from the vault", Outcome.Why.SERVER_ERROR);
  }

  /**
   * A reason built from exception types only: a malformed answer's parser message could quote the
   * body, and the body of a successful answer is a secret.
   */
  static String networkReason(Throwable e, VaultRef vault) {
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
        case AnswerTooLarge big -> {
          return big.getMessage()
              + " came from "
              + vault.url().getHost()
              + ", where Key Vault's are a few kilobytes: is a proxy answering for it?";
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

  @Override
  public void close() {
    transport.close();
  }

  /** What one fetch's workers share: the deadline, and per vault a pipeline and a gate. */
  private final class Attempts {
    final Instant deadline;
    final DeadlineRetry retry;

    /** What each secret's last try got, for one still unanswered at the deadline. */
    final Map<SecretRef, String> lastAnswers = new ConcurrentHashMap<>();

    private final int threads;
    private final Map<VaultRef, HttpPipeline> pipelines = new ConcurrentHashMap<>();
    private final Map<VaultRef, VaultGate> gates = new ConcurrentHashMap<>();

    Attempts(Instant deadline, int threads) {
      this.deadline = deadline;
      this.threads = threads;
      this.retry = new DeadlineRetry(deadline, clock, verbose);
    }

    HttpPipeline pipeline(VaultRef vault) {
      return pipelines.computeIfAbsent(vault, KeyVaultSource.this::pipeline);
    }

    VaultGate gate(VaultRef vault) {
      return gates.computeIfAbsent(
          vault,
          v ->
              new VaultGate(threads, clock, place, () -> ThreadLocalRandom.current().nextDouble()));
    }

    /**
     * A secret still unanswered at the deadline: held back by a vault that throttled the run, or
     * sent and not answered in time.
     */
    Outcome late(SecretRef ref) {
      VaultGate gate = gates.get(ref.vault());
      String last = lastAnswers.get(ref);
      boolean heldBack =
          gate != null
              && gate.throttledEver()
              && (last == null || last.startsWith("HTTP 429") || last.startsWith("HTTP 503"));
      if (heldBack && gate.throttling()) {
        // The reason is filled in once every worker is done: throttledSaySo.
        return new Outcome.Unreachable("throttled", Outcome.Why.THROTTLED);
      }
      if (heldBack) {
        return new Outcome.Unreachable(
            "HTTP 503 from the vault after retrying (" + gate.summary() + ")",
            Outcome.Why.SERVER_ERROR);
      }
      return new Outcome.Unreachable(
          "no answer before the --timeout deadline"
              + (last == null ? "" : " (the last answer was " + last + ")"),
          Outcome.Why.TIMEOUT);
    }
  }

  /** Counts token requests still waiting for an answer, so a deadline can blame the right end. */
  static final class TrackedCredential implements TokenCredential {
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
