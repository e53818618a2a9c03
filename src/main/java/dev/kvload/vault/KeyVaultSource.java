package dev.kvload.vault;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.http.policy.ExponentialBackoff;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.BinaryData;
import com.azure.core.util.ClientOptions;
import com.azure.core.util.Context;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import dev.kvload.Failure;
import dev.kvload.http.Transport;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
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
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Azure Key Vault behind {@link SecretSource}: one SDK client per vault, bounded concurrency, and
 * every SDK exception translated here into an {@link Outcome} or a {@link Failure}.
 */
public final class KeyVaultSource implements SecretSource {
  private final TokenCredential credential;
  private final Transport transport;
  private final ClientOptions clientOptions;
  private final int maxInFlight;
  private final Function<Throwable, Failure.Auth> authFailure;
  private final Consumer<String> trace;
  private final Consumer<String> tokenPrefetch;
  private final Map<VaultRef, SecretClient> clients = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peakInFlight = new AtomicInteger();

  /**
   * @param applicationId sent in the User-Agent, so a vault's logs show kvload and its version
   * @param maxInFlight how many requests may be outstanding at once, across all vaults
   * @param authFailure explains a token failure for the chosen auth mode
   * @param trace receives timings for {@code -v}; never values
   * @param tokenPrefetch starts getting a token for a resource (such as {@code
   *     https://vault.azure.net}) while the first requests meet their challenges
   */
  public KeyVaultSource(
      TokenCredential credential,
      Transport transport,
      String applicationId,
      int maxInFlight,
      Function<Throwable, Failure.Auth> authFailure,
      Consumer<String> trace,
      Consumer<String> tokenPrefetch) {
    this.credential = credential;
    this.transport = transport;
    this.clientOptions = new ClientOptions().setApplicationId(applicationId);
    this.maxInFlight = maxInFlight;
    this.authFailure = authFailure;
    this.trace = trace;
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
    int threads = Math.min(maxInFlight, byVault.values().stream().mapToInt(List::size).sum());
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads, Thread.ofPlatform().daemon().name("kvload-fetch-", 0).factory());
    try {
      long start = System.nanoTime();
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
              list -> first.put(list.getFirst(), pool.submit(() -> fetchOne(list.getFirst()))));
      outcomes.putAll(await(first, deadline));
      trace.accept(
          "first secret of each vault (challenge and token) in " + millisSince(start) + " ms");
      Map<SecretRef, Future<Outcome>> rest = new LinkedHashMap<>();
      byVault
          .values()
          .forEach(
              list ->
                  list.stream()
                      .skip(1)
                      .forEach(ref -> rest.put(ref, pool.submit(() -> fetchOne(ref)))));
      outcomes.putAll(await(rest, deadline));
      trace.accept(
          "fetched "
              + outcomes.size()
              + " distinct secrets from "
              + byVault.size()
              + " vaults in "
              + millisSince(start)
              + " ms, at most "
              + peakInFlight.get()
              + " requests in flight");
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** The most requests that were outstanding at once in this run. */
  public int peakInFlight() {
    return peakInFlight.get();
  }

  private Map<SecretRef, Outcome> await(Map<SecretRef, Future<Outcome>> futures, Instant deadline) {
    Map<SecretRef, Outcome> outcomes = new LinkedHashMap<>();
    Failure.Auth auth = null;
    for (var entry : futures.entrySet()) {
      Duration left = Duration.between(Instant.now(), deadline);
      try {
        outcomes.put(
            entry.getKey(),
            entry.getValue().get(Math.max(0, left.toNanos()), TimeUnit.NANOSECONDS));
      } catch (TimeoutException | CancellationException e) {
        entry.getValue().cancel(true);
        outcomes.put(
            entry.getKey(), new Outcome.Unreachable("no answer before the --timeout deadline"));
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

  private Outcome fetchOne(SecretRef ref) {
    int now = inFlight.incrementAndGet();
    peakInFlight.accumulateAndGet(now, Math::max);
    try {
      SecretClient client = clients.computeIfAbsent(ref.vault(), this::client);
      KeyVaultSecret secret =
          client
              .getSecretWithResponse(ref.name(), ref.latest() ? "" : ref.version(), Context.NONE)
              .getValue();
      SecretProperties properties = secret.getProperties();
      if (secret.getValue() == null) {
        return new Outcome.Unreachable("the vault answered without a value");
      }
      return new Outcome.Found(
          new SecretValue(secret.getValue()),
          properties.getVersion(),
          instant(properties.getNotBefore()),
          instant(properties.getExpiresOn()));
    } catch (ClientAuthenticationException e) {
      throw new AuthProblem(e);
    } catch (ResourceNotFoundException e) {
      return new Outcome.NotFound();
    } catch (HttpResponseException e) {
      return fromStatus(e);
    } catch (RuntimeException e) {
      return new Outcome.Unreachable(networkReason(e, ref.vault()));
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private SecretClient client(VaultRef vault) {
    return new SecretClientBuilder()
        .vaultUrl(vault.baseUrl())
        .credential(credential)
        .httpClient(transport.client())
        .configuration(transport.configuration())
        .clientOptions(clientOptions)
        .retryOptions(RETRY)
        .buildClient();
  }

  private static final ExponentialBackoffOptions BACKOFF =
      new ExponentialBackoffOptions()
          .setMaxRetries(4)
          .setBaseDelay(Duration.ofMillis(200))
          .setMaxDelay(Duration.ofSeconds(8));

  /**
   * The SDK's retry rules, except that a token failure is final: the credential has already tried
   * (and retried) what can be retried, and another round would only delay the report by seconds.
   */
  private static final RetryOptions RETRY =
      new RetryOptions(BACKOFF)
          .setShouldRetryCondition(
              condition ->
                  !(condition.getThrowable() instanceof ClientAuthenticationException)
                      && new ExponentialBackoff(BACKOFF).shouldRetryCondition(condition));

  private static Outcome fromStatus(HttpResponseException e) {
    int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
    // The SDK decodes an error body into a Map (its exception's value type is Object), not
    // BinaryData. Only the inner code is trusted: other 403s say "disabled" too, e.g. "Public
    // network access is disabled".
    Object value = e.getValue();
    String body = value instanceof BinaryData data ? data.toString() : String.valueOf(value);
    if (status == 403 && body.contains("SecretDisabled")) {
      return new Outcome.Disabled();
    }
    if (status == 403 || status == 401) {
      return new Outcome.Forbidden("HTTP " + status);
    }
    if (status == 429) {
      return new Outcome.Unreachable("still throttled (HTTP 429) after retrying");
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
    String host = vault.url().getHost();
    String authority = vault.url().getAuthority();
    if (inChain(e, UnknownHostException.class, UnresolvedAddressException.class)) {
      return "host " + host + " not found: check the vault name or URL";
    }
    if (inChain(e, SSLHandshakeException.class)) {
      return "TLS handshake with "
          + host
          + " failed: its certificate is not trusted or does not match the host name";
    }
    if (inChain(e, SSLException.class)) {
      return "TLS error talking to " + host;
    }
    if (inChain(e, ConnectException.class)) {
      return "connection to " + authority + " refused or unreachable";
    }
    if (inChain(e, HttpTimeoutException.class)) {
      return "no answer from " + authority + " in time";
    }
    if (inChain(e, IOException.class)) {
      return "connection to " + authority + " failed while reading the answer";
    }
    if (e.getMessage() != null && e.getMessage().startsWith("The challenge resource")) {
      return "the vault's authentication challenge names another domain: is "
          + vault.baseUrl()
          + " really a Key Vault?";
    }
    return "the vault's answer could not be read (" + e.getClass().getSimpleName() + ")";
  }

  @SafeVarargs
  private static boolean inChain(Throwable e, Class<? extends Throwable>... types) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  @Override
  public void close() {
    transport.close();
  }

  /** Carries a token failure out of a worker thread; the whole run stops on it. */
  private static final class AuthProblem extends RuntimeException {
    AuthProblem(Throwable cause) {
      super(null, cause, false, false);
    }
  }
}
