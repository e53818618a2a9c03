package dev.kvload.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Tells an Azure cloud's sign-in host from any other ({@code AZURE_AUTHORITY_HOST}: Azure Stack, an
 * emulator, a test fake). MSAL validates an authority by asking login.microsoftonline.com about it
 * ("instance discovery"); for a host that is not an Azure cloud that request is useless, leaks the
 * host's name, and fails where only the private host is reachable, so kvload turns it off.
 */
public final class AuthorityHost {
  /** The hosts MSAL's instance discovery knows (msal4j's trusted hosts): public and sovereign. */
  static final Set<String> AZURE_CLOUDS =
      Set.of(
          "login.microsoftonline.com",
          "login.windows.net",
          "login.microsoft.com",
          "sts.windows.net",
          "login.chinacloudapi.cn",
          "login-us.microsoftonline.com",
          "login.microsoftonline.us",
          "login.microsoftonline.de");

  /** What an {@code AZURE_AUTHORITY_HOST} value is. */
  public enum Kind {
    /** Unset, or a public or sovereign Azure cloud: MSAL may validate it as usual. */
    AZURE_CLOUD,
    /** Anything else: instance discovery must be off. */
    OTHER,
    /** Not an https URL with a host: the SDK would refuse it. */
    INVALID
  }

  private AuthorityHost() {}

  public static Kind classify(String authorityHost) {
    if (authorityHost == null || authorityHost.isBlank()) {
      return Kind.AZURE_CLOUD;
    }
    URI uri;
    try {
      uri = new URI(authorityHost.strip());
    } catch (URISyntaxException e) {
      return Kind.INVALID;
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      return Kind.INVALID;
    }
    boolean defaultPort = uri.getPort() == -1 || uri.getPort() == 443;
    return defaultPort && AZURE_CLOUDS.contains(uri.getHost().toLowerCase(Locale.ROOT))
        ? Kind.AZURE_CLOUD
        : Kind.OTHER;
  }
}
