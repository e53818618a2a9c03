package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import dev.kvload.manifest.VaultRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SecretListingTest {
  private static final VaultRef VAULT = VaultRef.parse("kv-one");
  private static final String QUERY = "?api-version=7.4&$skiptoken=eyJOZXh0In0&maxresults=25";

  static Stream<Arguments> nextLinks() {
    return Stream.of(
        Arguments.of(
            "the vault, port 443 written out as Key Vault writes it",
            VAULT,
            "https://kv-one.vault.azure.net:443/secrets" + QUERY,
            Optional.of("/secrets" + QUERY)),
        Arguments.of(
            "the vault, no port",
            VAULT,
            "https://kv-one.vault.azure.net/secrets" + QUERY,
            Optional.of("/secrets" + QUERY)),
        Arguments.of(
            "the vault's host in capitals",
            VAULT,
            "HTTPS://KV-ONE.VAULT.AZURE.NET/secrets?x=1",
            Optional.of("/secrets?x=1")),
        Arguments.of(
            "a vault on another port",
            VaultRef.parse("https://kv-one.vault.azure.net:8443"),
            "https://kv-one.vault.azure.net:8443/secrets?x=1",
            Optional.of("/secrets?x=1")),
        Arguments.of(
            "another host", VAULT, "https://evil.example/secrets" + QUERY, Optional.empty()),
        Arguments.of(
            "another vault", VAULT, "https://kv-two.vault.azure.net/secrets", Optional.empty()),
        Arguments.of(
            "the vault's name as a prefix of another host",
            VAULT,
            "https://kv-one.vault.azure.net.evil.example/secrets",
            Optional.empty()),
        Arguments.of(
            "the vault's name as user information",
            VAULT,
            "https://kv-one.vault.azure.net@evil.example/secrets",
            Optional.empty()),
        Arguments.of(
            "user information before the vault",
            VAULT,
            "https://user:pass@kv-one.vault.azure.net/secrets",
            Optional.empty()),
        Arguments.of(
            "plain http", VAULT, "http://kv-one.vault.azure.net/secrets", Optional.empty()),
        Arguments.of(
            "another port", VAULT, "https://kv-one.vault.azure.net:8443/secrets", Optional.empty()),
        Arguments.of(
            "another path", VAULT, "https://kv-one.vault.azure.net/keys", Optional.empty()),
        Arguments.of(
            "a secret's path",
            VAULT,
            "https://kv-one.vault.azure.net/secrets/db-url",
            Optional.empty()),
        Arguments.of(
            "a path that climbs out",
            VAULT,
            "https://kv-one.vault.azure.net/secrets/../keys",
            Optional.empty()),
        Arguments.of(
            "a fragment", VAULT, "https://kv-one.vault.azure.net/secrets#x", Optional.empty()),
        Arguments.of("a relative link", VAULT, "/secrets?x=1", Optional.empty()),
        Arguments.of("no URL at all", VAULT, "::: not a url", Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nextLinks")
  void followsOnlyLinksOnTheVaultsOwnOrigin(
      String name, VaultRef vault, String link, Optional<String> expected) {
    assertEquals(expected, SecretListing.onVault(vault, link));
  }

  static Stream<Arguments> pages() {
    return Stream.of(
        Arguments.of(
            "enabled secrets only, no certificate keys",
            """
            {"value": [
              {"id": "https://kv-one.vault.azure.net/secrets/db-url", "attributes": {"enabled": true}},
              {"id": "https://kv-one.vault.azure.net/secrets/off", "attributes": {"enabled": false}},
              {"id": "https://kv-one.vault.azure.net/secrets/cert", "managed": true,
               "attributes": {"enabled": true}},
              {"id": "https://kv-one.vault.azure.net/secrets/no-attributes"},
              {"attributes": {"enabled": true}}
            ], "nextLink": "https://kv-one.vault.azure.net:443/secrets?x=1"}
            """,
            List.of("db-url", "no-attributes"),
            "https://kv-one.vault.azure.net:443/secrets?x=1"),
        Arguments.of("the last page", "{\"value\": [], \"nextLink\": null}", List.of(), null),
        Arguments.of(
            "an empty nextLink ends it too",
            "{\"value\": [], \"nextLink\": \"\"}",
            List.of(),
            null),
        Arguments.of(
            "names come as the vault wrote them, for the caller to check",
            "{\"value\": [{\"id\": \"https://h/secrets/a\\u001b[2Jb/\"}]}",
            List.of("a\u001b[2Jb"),
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pages")
  void readsAPage(String name, String json, List<String> names, String next) throws IOException {
    var page = SecretListing.parse(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(names, page.names());
    assertEquals(next, page.nextLink());
  }

  static Stream<Arguments> notListings() {
    return Stream.of(
        Arguments.of("not JSON", "<html>portal</html>"),
        Arguments.of("an array", "[]"),
        Arguments.of("cut short", "{\"value\": [{\"id\": \"https://h/secrets/a\"}"),
        Arguments.of("value is no array of objects", "{\"value\": [1, 2]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notListings")
  void refusesWhatIsNotAListing(String name, String body) {
    assertThrows(
        IOException.class, () -> SecretListing.parse(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void followsEachPageOnTheVault() {
    List<String> asked = new ArrayList<>();
    List<String> names =
        SecretListing.all(
            VAULT,
            "/secrets?p=0",
            at -> {
              asked.add(at);
              return at.equals("/secrets?p=0")
                  ? new SecretListing.Page(
                      List.of("a"), "https://kv-one.vault.azure.net:443/secrets?p=1")
                  : new SecretListing.Page(List.of("b"), null);
            },
            10);
    assertEquals(List.of("a", "b"), names);
    assertEquals(List.of("/secrets?p=0", "/secrets?p=1"), asked);
  }

  static Stream<Arguments> stops() {
    String vault = "https://kv-one.vault.azure.net/secrets?p=";
    return Stream.of(
        Arguments.of(
            "a link to another host: not followed, no token sent",
            (IntFunction<String>) page -> "https://evil.example/secrets?api-version=7.4",
            10,
            1,
            "points its next page at https://evil.example/secrets?api-version=7.4, which is not"
                + " this vault: not followed, and no token was sent there"),
        Arguments.of(
            "a link with a terminal escape, shown escaped",
            (IntFunction<String>) page -> "https://evil.example/secrets?steal=\u001b[2J",
            10,
            1,
            "points its next page at https://evil.example/secrets?steal=\\u001b[2J"),
        Arguments.of(
            "a link back to an earlier page",
            (IntFunction<String>) page -> vault + ((page + 1) % 2),
            100,
            2,
            "points back to a page it already sent"),
        Arguments.of(
            "pages without end",
            (IntFunction<String>) page -> vault + (page + 1),
            7,
            7,
            "did not end after 7 pages (7 names)"));
  }

  /**
   * @param next the nextLink of the page with this number (0 first)
   * @param asked how many pages are fetched before it stops
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stops")
  void stopsAListingThatWouldGoWrong(
      String name, IntFunction<String> next, int maxPages, int asked, String expected) {
    List<String> fetched = new ArrayList<>();
    var failure =
        assertThrows(
            Failure.Vault.class,
            () ->
                SecretListing.all(
                    VAULT,
                    "/secrets?p=0",
                    at -> {
                      fetched.add(at);
                      return new SecretListing.Page(List.of("s"), next.apply(fetched.size() - 1));
                    },
                    maxPages));
    assertEquals(asked, fetched.size(), fetched::toString);
    assertTrue(failure.lines().getFirst().contains(expected), failure.lines().toString());
  }
}
