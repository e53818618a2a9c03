package dev.kvload.auth;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.microsoft.aad.msal4j.DeviceCode;
import com.microsoft.aad.msal4j.DeviceCodeFlowParameters;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.ITokenCacheAccessAspect;
import com.microsoft.aad.msal4j.ITokenCacheAccessContext;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.PublicClientApplication;
import com.microsoft.aad.msal4j.SilentParameters;
import dev.kvload.Failure;
import dev.kvload.http.Transport;
import java.net.MalformedURLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * Everything of the stored login that needs MSAL: the device code sign-in and the silent one. Kept
 * apart from {@link Login} so that {@code --auth default} loads no MSAL class unless a login is
 * stored and the chain gets that far.
 *
 * <p>msal4j directly, not azure-identity's DeviceCodeCredential: that credential can keep its cache
 * only through its own persistence (a fixed {@code ~/.IdentityService/msal.cache.*} under the JVM's
 * {@code user.home}, found with a {@code secret-tool} process, and failing on Linux without
 * libsecret), never through a file of kvload's choosing; msal4j takes any store through {@link
 * ITokenCacheAccessAspect}.
 */
final class MsalLogin {
  private static final Pattern USER_CODE = Pattern.compile("[A-Za-z0-9-]{1,64}");
  private static final Pattern SAFE_URL = Pattern.compile("https://[\\x21-\\x7e]{1,300}");

  private MsalLogin() {}

  /**
   * MSAL's token cache held in memory, filled from and read back into the stored login: MSAL calls
   * before and after every use of its cache.
   */
  private static final class Cache implements ITokenCacheAccessAspect {
    private String serialised;
    private boolean changed;

    Cache(String serialised) {
      this.serialised = serialised;
    }

    @Override
    public synchronized void beforeCacheAccess(ITokenCacheAccessContext context) {
      if (serialised != null) {
        context.tokenCache().deserialize(serialised);
      }
    }

    @Override
    public synchronized void afterCacheAccess(ITokenCacheAccessContext context) {
      if (context.hasCacheChanged()) {
        serialised = context.tokenCache().serialize();
        changed = true;
      }
    }

    synchronized String serialised() {
      return serialised;
    }

    /** Whether MSAL wrote to the cache since the last call: a refresh token was redeemed. */
    synchronized boolean takeChanged() {
      boolean was = changed;
      changed = false;
      return was;
    }
  }

  private static PublicClientApplication application(
      String clientId, String authority, Cache cache, Transport transport) {
    try {
      // Instance discovery would cost every run a request to the authority's discovery endpoint
      // to learn aliases of a host kvload always names the same way; the host itself is checked
      // by AuthorityHost and fixed in the stored login.
      return PublicClientApplication.builder(clientId)
          .authority(authority)
          .instanceDiscovery(false)
          .httpClient(new MsalHttp(Credentials.identityPipeline(transport, false)))
          .executorService(transport.executor())
          .setTokenCacheAccessAspect(cache)
          .build();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new Failure.Auth(
          List.of(
              "the sign-in authority " + authority + " is not a valid URL",
              "next step: check AZURE_AUTHORITY_HOST and --tenant-id"),
          null);
    }
  }

  /**
   * Signs in with the device code flow: shows the prompt, waits until the user has approved it,
   * declined it or let it expire.
   *
   * @throws Failure.Auth with the reason and the next step
   */
  static StoredLogin signIn(
      String authorityHost,
      String tenant,
      String clientId,
      String scope,
      Transport transport,
      Consumer<Login.Prompt> prompt,
      Clock clock) {
    Cache cache = new Cache(null);
    PublicClientApplication app =
        application(clientId, authorityHost + tenant + "/", cache, transport);
    Consumer<DeviceCode> shown =
        code -> {
          if (code.verificationUri() == null
              || !SAFE_URL.matcher(code.verificationUri()).matches()
              || code.userCode() == null
              || !USER_CODE.matcher(code.userCode()).matches()) {
            throw new IllegalStateException("unprintable device code prompt");
          }
          prompt.accept(
              new Login.Prompt(
                  code.verificationUri(), code.userCode(), Duration.ofSeconds(code.expiresIn())));
        };
    IAuthenticationResult result;
    try {
      result =
          app.acquireToken(DeviceCodeFlowParameters.builder(Set.of(scope), shown).build()).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure.Auth(List.of("sign-in interrupted"), e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = unwrap(e);
      String code =
          cause instanceof com.microsoft.aad.msal4j.MsalException msal && msal.errorCode() != null
              ? msal.errorCode()
              : "";
      throw Login.signInFailure(cause, code, clientId, tenant, authorityHost);
    }
    IAccount account = result.account();
    if (account == null || cache.serialised() == null) {
      throw new Failure.Auth(
          List.of(
              "the sign-in service answered without an account (no id_token or client_info)",
              "next step: check AZURE_AUTHORITY_HOST: it must be Entra ID's sign-in host"),
          null);
    }
    Instant now = clock.instant();
    return new StoredLogin(
        authorityHost,
        tenant,
        clientId,
        account.username() == null ? "" : account.username(),
        homeTenant(account),
        now,
        now,
        cache.serialised());
  }

  /** The tenant part of MSAL's home account id ({@code uid.utid}). */
  private static String homeTenant(IAccount account) {
    String id = account.homeAccountId();
    int dot = id == null ? -1 : id.indexOf('.');
    return dot < 0 ? null : id.substring(dot + 1);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The stored login as a credential: MSAL's silent sign-in, which redeems the refresh token (MSAL
   * keeps no access token that expires within 5 minutes) and never prompts. A rotated refresh token
   * is written back at once.
   */
  static final class Silent implements TokenCredential {
    private final LoginStore store;
    private final Consumer<String> warn;
    private final Clock clock;
    private final Cache cache;
    private final PublicClientApplication app;
    private StoredLogin login;

    Silent(
        LoginStore store,
        StoredLogin login,
        Transport transport,
        Consumer<String> warn,
        Clock clock) {
      this.store = store;
      this.login = login;
      this.warn = warn;
      this.clock = clock;
      this.cache = new Cache(login.msalCache());
      this.app =
          application(
              login.clientId(), login.authorityHost() + login.tenant() + "/", cache, transport);
    }

    @Override
    public synchronized AccessToken getTokenSync(TokenRequestContext request) {
      try {
        IAccount account = account();
        String tenant =
            request.getTenantId() != null
                ? request.getTenantId()
                : login.homeTenant() != null ? login.homeTenant() : login.tenant();
        // The authority named here, with its port: left to itself, MSAL sends the refresh token to
        // the host of the account's cached environment, which it stores without a port (443).
        SilentParameters parameters =
            SilentParameters.builder(Set.copyOf(request.getScopes()), account)
                .authorityUrl(login.authorityHost() + tenant + "/")
                .build();
        IAuthenticationResult result = app.acquireTokenSilently(parameters).get();
        if (cache.takeChanged()) {
          keep();
        }
        return new AccessToken(
            result.accessToken(), result.expiresOnDate().toInstant().atOffset(ZoneOffset.UTC));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClientAuthenticationException("interrupted", null, e);
      } catch (MalformedURLException e) {
        throw new Login.Refused("the stored login names an invalid authority", e);
      } catch (ExecutionException | CompletionException e) {
        Throwable cause = unwrap(e);
        if (cause instanceof MsalServiceException service) {
          throw new Login.Refused(
              "Entra ID refused the stored login: " + Login.reason(service, service.errorCode()),
              service);
        }
        if (cause instanceof MsalClientException client
            && "cache_miss".equals(client.errorCode())) {
          throw new Login.Refused("the stored login holds no refresh token for its account", null);
        }
        throw cause instanceof RuntimeException runtime
            ? runtime
            : new ClientAuthenticationException("silent sign-in failed", null, cause);
      }
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      return Mono.fromCallable(() -> getTokenSync(request));
    }

    private IAccount account() throws InterruptedException, ExecutionException {
      Set<IAccount> accounts = app.getAccounts().get();
      if (accounts.isEmpty()) {
        throw new Login.Refused("the stored login holds no account", null);
      }
      return accounts.iterator().next();
    }

    /**
     * Writes the rotated refresh token back. Failing that, this run still has its token; the next
     * one may find the old refresh token refused and ask for {@code kvload login}.
     */
    private void keep() {
      login = login.refreshed(cache.serialised(), clock.instant());
      try {
        store.save(login, line -> {});
      } catch (Failure.Output e) {
        warn.accept(
            "could not keep the refreshed login ("
                + e.lines().getFirst()
                + "); the next run may need 'kvload login'");
      }
    }
  }
}
