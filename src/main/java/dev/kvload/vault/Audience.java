package dev.kvload.vault;

import dev.kvload.Printable;
import dev.kvload.manifest.VaultRef;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one token a vault may be given, whatever its challenge asks for: a bearer token works for
 * whoever holds it, so its audience decides what the host it is sent to could do with it.
 *
 * <ul>
 *   <li>A vault in Key Vault's domains gets a token for its cloud's Key Vault resource ({@code
 *       https://vault.azure.net} and the sovereign clouds' own) and for nothing else. The SDK's own
 *       check lets a vault ask for any domain above its host ({@code https://azure.net}, even
 *       {@code https://net}), so it is not relied on.
 *   <li>Any other host (an emulator, Azure Stack) is asked only where the command line allowed it;
 *       it may be given a token for its own origin, or for a domain above it (Azure Stack's {@code
 *       https://vault.local.azurestack.external} for {@code NAME.vault.local.azurestack.external}),
 *       because a token for a host's own name or its owner's domain is worth nothing elsewhere. A
 *       domain of Microsoft's clouds is refused even above the host: a token for such a resource
 *       could be one a real Azure service accepts, and the host is not Azure.
 * </ul>
 */
final class Audience {
  /**
   * Domains under which Microsoft's clouds run their services (and their token audiences). Hosts
   * below them belong to many customers (App Service, Container Apps), so a domain above an allowed
   * host is never one of these.
   */
  private static final List<String> MICROSOFT =
      List.of(
          "azure.com",
          "azure.net",
          "windows.net",
          "microsoft.com",
          "microsoftonline.com",
          "windowsazure.com",
          "azurewebsites.net",
          "cloudapp.net",
          "azure-api.net",
          "azurecr.io",
          "azure.cn",
          "chinacloudapi.cn",
          "usgovcloudapi.net",
          "azure.us",
          "microsoft.us",
          "microsoftonline.us",
          "microsoftazure.de",
          "cloudapi.de");

  private static final String DEFAULT_SUFFIX = "/.default";

  private Audience() {}

  /**
   * The scope to ask the credential for, given what the vault's challenge asked for.
   *
   * @param asked the scopes the challenge named (the SDK makes {@code resource} into {@code
   *     RESOURCE/.default})
   * @throws ChallengeRefused when the challenge names anything else; no token is asked for then
   */
  static String scope(VaultRef vault, List<String> asked) {
    if (asked.size() != 1) {
      throw new ChallengeRefused(
          "its challenge asks for "
              + asked.size()
              + " token scopes, where Key Vault names one: it is not Key Vault");
    }
    String scope = asked.getFirst();
    Optional<String> keyVault = vault.knownResource();
    Optional<URI> resource = resource(scope);
    if (keyVault.isPresent()) {
      if (resource.isPresent() && resource.get().toString().equals(keyVault.get())) {
        return keyVault.get() + DEFAULT_SUFFIX;
      }
      throw new ChallengeRefused(
          "its challenge asks for a token for "
              + shown(scope)
              + ", not Key Vault's "
              + keyVault.get()
              + ": it is not Key Vault");
    }
    if (resource.isEmpty()) {
      throw new ChallengeRefused(
          "its challenge asks for a token for "
              + shown(scope)
              + ", which is not an https origin; kvload asked for no token");
    }
    URI origin = resource.get();
    String host = vault.url().getHost();
    boolean samePort = origin.getPort() == -1 || port(origin) == port(vault.url());
    if (origin.getHost().equals(host) && samePort) {
      return origin + DEFAULT_SUFFIX;
    }
    boolean above =
        host.endsWith("." + origin.getHost()) && origin.getHost().contains(".") && samePort;
    if (above && microsoft(origin.getHost())) {
      throw new ChallengeRefused(
          "its challenge asks for a token for "
              + shown(scope)
              + ", a domain of Microsoft's clouds, whose tokens Azure services may accept; kvload"
              + " sends none to a host outside Key Vault's domains");
    }
    if (above) {
      return origin + DEFAULT_SUFFIX;
    }
    throw new ChallengeRefused(
        "its challenge asks for a token for "
            + shown(scope)
            + ", which is neither this host nor a domain above it; kvload asked for no token");
  }

  /**
   * {@code https://HOST[:PORT]}, lower case, from a scope or resource such as {@code
   * https://vault.azure.net/.default}; empty when it is anything else (a path, a query, another
   * scheme, user information).
   */
  static Optional<URI> resource(String scope) {
    String text = scope.endsWith(DEFAULT_SUFFIX) ? scope.substring(0, scope.length() - 9) : scope;
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    try {
      URI uri = new URI(text);
      if (!"https".equalsIgnoreCase(uri.getScheme())
          || uri.getHost() == null
          || uri.getRawUserInfo() != null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
        return Optional.empty();
      }
      int port = uri.getPort() == 443 ? -1 : uri.getPort();
      return Optional.of(
          URI.create(
              "https://"
                  + uri.getHost().toLowerCase(Locale.ROOT)
                  + (port == -1 ? "" : ":" + port)));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  private static int port(URI uri) {
    return uri.getPort() == -1 ? 443 : uri.getPort();
  }

  private static boolean microsoft(String host) {
    return MICROSOFT.stream().anyMatch(d -> host.equals(d) || host.endsWith("." + d));
  }

  /** A challenge's text for a message: quoted, short, escaped as all foreign text is. */
  private static String shown(String text) {
    return "'" + Printable.of(text) + "'";
  }
}
