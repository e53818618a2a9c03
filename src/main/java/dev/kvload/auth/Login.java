package dev.kvload.auth;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.CredentialUnavailableException;
import dev.kvload.Failure;
import dev.kvload.http.Transport;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * The stored login ({@code kvload login}, {@code --auth login}), without MSAL: which app, tenant
 * and host a sign-in uses, the credential built from a stored login, and what its failures say.
 * MSAL itself is only reached through {@link MsalLogin}, once a login file exists.
 */
public final class Login {
  /**
   * The Azure CLI's public client ID, which most Azure developer tools sign in as: a first-party
   * app that every tenant knows, preauthorised for Key Vault, so no app registration or admin
   * consent is needed. Its consequences: sign-in pages and the tenant's sign-in logs show
   * "Microsoft Azure CLI", Conditional Access policies aimed at the Azure CLI apply to kvload too,
   * and its refresh tokens are family tokens (FOCI). {@code --client-id} names another public
   * client.
   */
  public static final String DEFAULT_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

  public static final String DEFAULT_TENANT = "organizations";
  public static final String CREDENTIAL = "kvload login";
  static final String DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com/";
  static final String SIGN_IN_AGAIN = "run 'kvload login' to sign in again";
  static final String FIRST_LOGIN =
      "run 'kvload login' once, in a terminal (it asks you to sign in in a browser)";

  private Login() {}

  /**
   * What the user is asked to do: open the address and enter the code. Both were checked to be
   * plain printable text, since the sign-in service chose them.
   */
  public record Prompt(String verificationUri, String userCode, java.time.Duration expiresIn) {}

  /** Entra ID refused the stored login (expired, revoked, password changed): sign in again. */
  public static final class Refused extends ClientAuthenticationException {
    private static final long serialVersionUID = 1L;

    Refused(String reason, Throwable cause) {
      super(reason, null, cause);
    }
  }

  /** {@code AZURE_AUTHORITY_HOST} as the stored login records it, with one trailing slash. */
  static String authorityHost(Map<String, String> env) {
    String given = env.get("AZURE_AUTHORITY_HOST");
    if (given == null || given.isBlank()) {
      return DEFAULT_AUTHORITY_HOST;
    }
    if (AuthorityHost.classify(given) == AuthorityHost.Kind.INVALID) {
      throw new Failure.Auth(
          List.of(
              "AZURE_AUTHORITY_HOST is not an https URL: '" + given + "'",
              "next step: set it to your cloud's sign-in host (e.g."
                  + " https://login.microsoftonline.com/), or unset it"),
          null);
    }
    URI uri = URI.create(given.strip());
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return "https://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + (uri.getPort() == -1 || uri.getPort() == 443 ? "" : ":" + uri.getPort())
        + (path.endsWith("/") ? path : path + "/");
  }

  /** Key Vault's scope in the cloud whose sign-in host this is. */
  static String vaultScope(String authorityHost) {
    String host = URI.create(authorityHost).getHost();
    return switch (host) {
      case "login.chinacloudapi.cn" -> "https://vault.azure.cn/.default";
      case "login.microsoftonline.us", "login-us.microsoftonline.com" ->
          "https://vault.usgovcloudapi.net/.default";
      default -> "https://vault.azure.net/.default";
    };
  }

  /**
   * Signs in with the device code flow.
   *
   * @param prompt shown the verification address and the user code
   * @throws Failure.Auth when the sign-in fails, is declined or expires
   */
  public static StoredLogin signIn(
      AuthSettings settings, Transport transport, Consumer<Prompt> prompt, Clock clock) {
    String host = authorityHost(transport.env());
    String tenant = settings.tenantId() != null ? settings.tenantId() : DEFAULT_TENANT;
    String clientId = settings.clientId() != null ? settings.clientId() : DEFAULT_CLIENT_ID;
    return MsalLogin.signIn(host, tenant, clientId, vaultScope(host), transport, prompt, clock);
  }

  /**
   * Why {@code --auth login} cannot work here, found with one stat: no login file, or nowhere to
   * look for one. Null when a login file exists.
   */
  static Attempt notStored(AuthContext context) {
    try {
      LoginStore store = LoginStore.of(context.env());
      return store.exists()
          ? null
          : Attempt.unavailable(CREDENTIAL, "no stored login (" + store.file() + ")", FIRST_LOGIN);
    } catch (Failure.Usage e) {
      return Attempt.unavailable(CREDENTIAL, e.lines().getFirst(), FIRST_LOGIN);
    }
  }

  /**
   * The stored login as a credential of the chain; nothing is requested until a token is asked for.
   * Unavailable (the chain goes on) when no login is stored or it is for another sign-in host.
   */
  static TokenCredential credential(
      AuthContext context, Transport transport, Consumer<String> warn, Clock clock) {
    LoginStore store;
    Optional<StoredLogin> stored;
    try {
      store = LoginStore.of(context.env());
      stored = store.load();
    } catch (Failure.Usage e) {
      return unavailable(e.lines().getFirst());
    } catch (Failure.Auth e) {
      return failed(e.lines().getFirst());
    }
    if (stored.isEmpty()) {
      return unavailable("no stored login (" + store.file() + ")");
    }
    StoredLogin login = stored.get();
    String host = authorityHost(context.env());
    if (!host.equalsIgnoreCase(login.authorityHost())) {
      return unavailable(
          "the stored login is for "
              + login.authorityHost()
              + ", but AZURE_AUTHORITY_HOST names "
              + host);
    }
    return new MsalLogin.Silent(store, login, transport, warn, clock);
  }

  private static TokenCredential unavailable(String reason) {
    return request -> Mono.error(new CredentialUnavailableException(reason));
  }

  private static TokenCredential failed(String reason) {
    return request -> Mono.error(new Refused(reason, null));
  }

  /** An Entra ID error as one line in kvload's words: its AADSTS code, else its error code. */
  static String reason(Throwable error, String errorCode) {
    String aadsts = Diagnosis.aadstsCode(error);
    return aadsts != null
        ? Diagnosis.aadsts(aadsts)
        : errorCode == null ? "no reason given" : errorCode;
  }

  /** What a failed device code sign-in says: the reason, then the next step. */
  static Failure.Auth signInFailure(
      Throwable error, String code, String clientId, String tenant, String authorityHost) {
    List<String> lines =
        switch (code) {
          case "authorization_declined", "access_denied" ->
              List.of(
                  "sign-in declined: the request was refused on the verification page ("
                      + code
                      + ")",
                  "next step: run 'kvload login' again and approve the request, as the account"
                      + " that should reach the vaults");
          case "expired_token", "code_expired" ->
              List.of(
                  "sign-in expired: the code was not entered and approved in time (" + code + ")",
                  "next step: run 'kvload login' again and enter the new code before it expires");
          default -> otherFailure(error, code, clientId, tenant, authorityHost);
        };
    return new Failure.Auth(lines, error);
  }

  private static List<String> otherFailure(
      Throwable error, String code, String clientId, String tenant, String authorityHost) {
    if (error instanceof IllegalStateException
        && "unprintable device code prompt".equals(error.getMessage())) {
      return List.of(
          "the sign-in service sent a verification address or code that kvload will not print",
          "next step: check AZURE_AUTHORITY_HOST: it must be Entra ID's sign-in host");
    }
    String reason = reason(error, code.isEmpty() ? null : code);
    String aadsts = Diagnosis.aadstsCode(error);
    if (aadsts != null) {
      String next =
          switch (aadsts) {
            case "700016" ->
                "check --client-id: Entra ID knows no app "
                    + clientId
                    + " in tenant "
                    + tenant
                    + " (leave it out to sign in as the Azure CLI's public client)";
            case "7000218" ->
                "app "
                    + clientId
                    + " is not a public client: allow public client flows in its app registration"
                    + " (Authentication), or leave --client-id out";
            case "90002", "900023", "90023", "50059" ->
                "check --tenant-id: Entra ID does not know tenant " + tenant;
            case "50020", "50034", "50053", "50057" ->
                "sign in with an account of tenant " + tenant + ", or pass its --tenant-id";
            default -> "check --tenant-id and --client-id, then run 'kvload login' again";
          };
      return List.of("sign-in refused by Entra ID: " + reason, "next step: " + next);
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException) {
        return List.of(
            "could not reach the sign-in endpoint "
                + authorityHost
                + " ("
                + t.getClass().getSimpleName()
                + ")",
            "next step: check the network, a proxy (HTTPS_PROXY) and AZURE_AUTHORITY_HOST");
      }
    }
    return List.of(
        "sign-in failed: " + (code.isEmpty() ? error.getClass().getSimpleName() : code),
        "next step: run again with -v to see the exception");
  }
}
