package dev.kvload.manifest;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Key Vault, always held as its https base URL ({@code https://NAME.vault.azure.net}).
 *
 * @param url scheme, host and port only: no path, query or fragment
 */
public record VaultRef(URI url) {
  // Key Vault's own rule: 3-24 characters, letters, digits and single hyphens, starting with a
  // letter and ending with a letter or digit.
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]");
  private static final String PUBLIC_SUFFIX = ".vault.azure.net";

  /**
   * Reads a vault as the manifest or {@code --vault} gives it: a bare name, or an https URL.
   *
   * @throws IllegalArgumentException with a message for users when the text is neither
   */
  public static VaultRef parse(String text) {
    return tryParse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "'"
                        + text
                        + "' is not a vault: give a vault name (3-24 letters, digits and hyphens)"
                        + " or an https URL such as https://NAME.vault.azure.net"));
  }

  /** Like {@link #parse} but empty when the text is not a vault. */
  public static Optional<VaultRef> tryParse(String text) {
    if (NAME.matcher(text).matches()) {
      return Optional.of(
          new VaultRef(URI.create("https://" + text.toLowerCase(Locale.ROOT) + PUBLIC_SUFFIX)));
    }
    if (!text.regionMatches(true, 0, "https://", 0, 8)) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(text);
      String path = uri.getRawPath();
      if (uri.getHost() == null
          || uri.getRawUserInfo() != null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || !(path == null || path.isEmpty() || path.equals("/"))) {
        return Optional.empty();
      }
      return Optional.of(new VaultRef(origin(uri)));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  static URI origin(URI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return URI.create("https://" + host + (uri.getPort() == -1 ? "" : ":" + uri.getPort()));
  }

  /**
   * The token resource of a vault in one of Azure's Key Vault domains, known before its challenge
   * says so; empty for any other host (an emulator, a proxy).
   */
  public Optional<String> knownResource() {
    String host = url.getHost();
    for (String domain :
        List.of(
            "vault.azure.net",
            "vault.azure.cn",
            "vault.usgovcloudapi.net",
            "vault.microsoftazure.de")) {
      if (host.endsWith("." + domain)) {
        return Optional.of("https://" + domain);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether kvload may talk to this vault: always inside Key Vault's domains; elsewhere only when
   * {@code allowedHosts} (from the command line or the environment, never a manifest) names its
   * host, alone or with its port.
   */
  public boolean trusted(Set<String> allowedHosts) {
    String host = url.getHost();
    return knownResource().isPresent()
        || allowedHosts.contains(host)
        || (url.getPort() != -1 && allowedHosts.contains(host + ":" + url.getPort()));
  }

  /** The name {@code az keyvault} takes: the first label of the host. */
  public String name() {
    String host = url.getHost();
    int dot = host.indexOf('.');
    return dot < 0 ? host : host.substring(0, dot);
  }

  /** The base URL as the Key Vault client wants it. */
  public String baseUrl() {
    return url.toString();
  }

  /** A short name for messages: {@code contoso-dev} for a public-cloud vault, else the URL. */
  @Override
  public String toString() {
    String host = url.getHost();
    if (url.getPort() == -1 && host.endsWith(PUBLIC_SUFFIX)) {
      return host.substring(0, host.length() - PUBLIC_SUFFIX.length());
    }
    return baseUrl();
  }
}
