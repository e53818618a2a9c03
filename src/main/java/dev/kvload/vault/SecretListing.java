package dev.kvload.vault;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kvload.Failure;
import dev.kvload.Printable;
import dev.kvload.manifest.VaultRef;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Key Vault's secret listing ({@code GET /secrets}): what one page says, and where the next page
 * may be fetched from. The listing holds names and attributes only; no value is read to make it.
 *
 * <p>A page's {@code nextLink} is an absolute URL chosen by whoever answered. Following it blindly
 * would send the vault's token to any host a hostile or broken answer names, so only a link on the
 * vault's own origin is followed, and only its path and query are used. A listing that never ends
 * (a link back to an earlier page, or pages without end) is cut off.
 */
final class SecretListing {
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * @param names the enabled secrets' names on this page, as the vault wrote them (unchecked)
   * @param nextLink the next page's URL, or null on the last page
   */
  record Page(List<String> names, String nextLink) {}

  private SecretListing() {}

  /**
   * Reads one page. Disabled secrets are left out (their values cannot be read), and so are the
   * secrets Key Vault manages for a certificate ({@code "managed": true}): a certificate's key is
   * not an environment variable, and Key Vault refuses to change it as a secret anyway.
   *
   * @throws IOException when the body is not a listing; the message never quotes it
   */
  static Page parse(byte[] body) throws IOException {
    List<String> names = new ArrayList<>();
    String nextLink = null;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new SecretBundle.MalformedJson();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken token = p.nextToken();
        if (field.equals("value") && token == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            item(p).ifPresent(names::add);
          }
          if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new SecretBundle.MalformedJson();
          }
        } else if (field.equals("nextLink")) {
          nextLink = token == JsonToken.VALUE_STRING ? p.getText() : null;
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new SecretBundle.MalformedJson();
      }
    } catch (IOException | RuntimeException e) {
      // Jackson's messages can quote what they choke on.
      throw new SecretBundle.MalformedJson();
    }
    return new Page(names, nextLink == null || nextLink.isEmpty() ? null : nextLink);
  }

  /** One listed secret, from its opening brace to its closing one: its name when it is usable. */
  private static Optional<String> item(JsonParser p) throws IOException {
    String id = null;
    boolean enabled = true;
    boolean managed = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken token = p.nextToken();
      switch (field) {
        case "id" -> id = token == JsonToken.VALUE_STRING ? p.getText() : null;
        case "managed" -> managed = token == JsonToken.VALUE_TRUE;
        case "attributes" -> {
          if (token != JsonToken.START_OBJECT) {
            p.skipChildren();
            continue;
          }
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String attribute = p.currentName();
            JsonToken v = p.nextToken();
            if (attribute.equals("enabled")) {
              enabled = v != JsonToken.VALUE_FALSE;
            } else {
              p.skipChildren();
            }
          }
        }
        default -> p.skipChildren();
      }
    }
    if (id == null || !enabled || managed) {
      return Optional.empty();
    }
    return Optional.of(name(id));
  }

  /** What follows {@code /secrets/} in a listed secret's id, without a trailing slash. */
  static String name(String id) {
    int at = id.indexOf("/secrets/");
    String name = at < 0 ? id : id.substring(at + "/secrets/".length());
    return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
  }

  /**
   * The path and query to ask the vault for, when {@code nextLink} points at the listing on the
   * vault's own origin (https, the same host, the same port, 443 written or not); empty for any
   * other place.
   */
  static Optional<String> onVault(VaultRef vault, String nextLink) {
    try {
      URI link = new URI(nextLink);
      URI own = vault.url();
      if (!"https".equalsIgnoreCase(link.getScheme())
          || link.getRawUserInfo() != null
          || link.getHost() == null
          || !link.getHost().toLowerCase(Locale.ROOT).equals(own.getHost())
          || port(link) != port(own)
          || link.getRawFragment() != null
          || !"/secrets".equals(link.getRawPath())) {
        return Optional.empty();
      }
      return Optional.of(
          link.getRawPath() + (link.getRawQuery() == null ? "" : "?" + link.getRawQuery()));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  private static int port(URI uri) {
    return uri.getPort() == -1 ? 443 : uri.getPort();
  }

  /**
   * Every name of every page, starting with the page at {@code first} (a path and query on the
   * vault) and following each page's link.
   *
   * @param fetch gets the page at a path and query on the vault
   * @throws Failure.Vault when a link points elsewhere, back to an earlier page, or when there are
   *     more than {@code maxPages} pages
   */
  static List<String> all(
      VaultRef vault, String first, Function<String, Page> fetch, int maxPages) {
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String next = first;
    for (int pages = 0; next != null; pages++) {
      if (pages == maxPages) {
        throw new Failure.Vault(
            List.of(
                "vault "
                    + vault
                    + ": the secret listing did not end after "
                    + maxPages
                    + " pages ("
                    + names.size()
                    + " names); kvload stopped there and wrote nothing"),
            null);
      }
      if (!seen.add(next)) {
        throw new Failure.Vault(
            List.of(
                "vault "
                    + vault
                    + ": the secret listing points back to a page it already sent; kvload"
                    + " stopped there and wrote nothing"),
            null);
      }
      Page page = fetch.apply(next);
      names.addAll(page.names());
      if (page.nextLink() == null) {
        break;
      }
      String link = page.nextLink();
      next =
          onVault(vault, link)
              .orElseThrow(
                  () ->
                      new Failure.Vault(
                          List.of(
                              "vault "
                                  + vault
                                  + ": the secret listing points its next page at "
                                  + Printable.of(link)
                                  + ", which is not this vault: not followed, and no token was"
                                  + " sent there",
                              "is something other than Key Vault answering for "
                                  + vault.url().getHost()
                                  + "?"),
                          null));
    }
    return names;
  }
}
