package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SecretBundleTest {
  private static final String SECRET = "s3cr3t-\"quoted\"-\\u00e9-\\n";

  static Stream<Arguments> bundles() {
    return Stream.of(
        Arguments.of(
            "what Key Vault sends",
            "{\"value\":\"v1\",\"id\":\"https://kv.vault.azure.net/secrets/db/0123abcd\","
                + "\"attributes\":{\"enabled\":true,\"nbf\":1700000000,\"exp\":1800000000,"
                + "\"created\":1,\"updated\":2,\"recoveryLevel\":\"Recoverable\"},\"tags\":{}}",
            new SecretBundle(
                "v1",
                "0123abcd",
                Instant.ofEpochSecond(1_700_000_000L),
                Instant.ofEpochSecond(1_800_000_000L))),
        Arguments.of(
            "escapes decoded",
            "{\"value\":\"a\\\"b\\\\c\\u00e9\\n\",\"id\":\"https://kv/secrets/x/v\"}",
            new SecretBundle("a\"b\\c\u00e9\n", "v", null, null)),
        Arguments.of(
            "fields in any order, unknown ones skipped with their children",
            "{\"tags\":{\"a\":[1,{\"b\":2}]},\"attributes\":{\"exp\":5,\"x\":{\"y\":1}},"
                + "\"managed\":false,\"value\":\"v\",\"id\":\"https://kv/secrets/x/ver/\"}",
            new SecretBundle("v", "ver", null, Instant.ofEpochSecond(5))),
        Arguments.of(
            "a certificate's content type",
            "{\"value\":\"MIIK\",\"contentType\":\"application/x-pkcs12\",\"kid\":\"k\"}",
            new SecretBundle("MIIK", null, null, null, "application/x-pkcs12")),
        Arguments.of("no value", "{\"id\":\"https://kv/secrets/x/v\"}", bundle(null, "v")),
        Arguments.of("a value that is not a string", "{\"value\":12}", bundle(null, null)),
        Arguments.of("an empty value", "{\"value\":\"\"}", bundle("", null)),
        Arguments.of(
            "times that are not numbers are ignored",
            "{\"value\":\"v\",\"attributes\":{\"nbf\":\"soon\",\"exp\":null}}",
            bundle("v", null)),
        Arguments.of(
            "attributes that are not an object",
            "{\"value\":\"v\",\"attributes\":[1,2]}",
            bundle("v", null)));
  }

  private static SecretBundle bundle(String value, String version) {
    return new SecretBundle(value, version, null, null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bundles")
  void parses(String name, String json, SecretBundle expected) throws Exception {
    assertEquals(expected, SecretBundle.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  static Stream<Arguments> notJson() {
    return Stream.of(
        Arguments.of("an HTML page", "<html>" + SECRET + "</html>"),
        Arguments.of("a JSON array", "[\"" + SECRET + "\"]"),
        Arguments.of("cut short", "{\"value\":\"" + SECRET),
        Arguments.of("cut after a whole field", "{\"value\":\"" + SECRET + "\","),
        Arguments.of("without its closing brace", "{\"value\":\"" + SECRET + "\""),
        Arguments.of("empty", ""),
        Arguments.of("a bare string", "\"" + SECRET + "\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notJson")
  void refusesWhatIsNotAnObjectWithoutQuotingIt(String name, String body) {
    var error =
        assertThrows(
            SecretBundle.MalformedJson.class,
            () -> SecretBundle.parse(body.getBytes(StandardCharsets.UTF_8)));
    assertFalse(String.valueOf(error.getMessage()).contains("s3cr3t"), error.getMessage());
    assertEquals(null, error.getCause());
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(
            "a disabled secret",
            "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Operation get is not allowed on a"
                + " disabled secret.\",\"innererror\":{\"code\":\"SecretDisabled\"}}}",
            "SecretDisabled"),
        Arguments.of(
            "inner error before code and message",
            "{\"error\":{\"innererror\":{\"code\":\"ForbiddenByPolicy\"},\"code\":\"Forbidden\"}}",
            "ForbiddenByPolicy"),
        Arguments.of(
            "no inner error",
            "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Public network access is disabled\"}}",
            ""),
        Arguments.of(
            "the word in a message only",
            "{\"error\":{\"code\":\"Forbidden\",\"message\":\"SecretDisabled\"}}",
            ""),
        Arguments.of(
            "a code at the wrong depth",
            "{\"innererror\":{\"code\":\"SecretDisabled\"},\"code\":\"SecretDisabled\"}",
            ""),
        Arguments.of(
            "an inner code that is not a string", "{\"error\":{\"innererror\":{\"code\":1}}}", ""),
        Arguments.of("not JSON", "<html>403</html>", ""),
        Arguments.of("empty", "", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void readsTheInnerErrorCode(String name, String json, String code) {
    assertEquals(code, SecretBundle.innerErrorCode(json.getBytes(StandardCharsets.UTF_8)));
  }

  static Stream<Arguments> urls() {
    VaultRef vault = VaultRef.parse("kvload-test");
    VaultRef local = VaultRef.parse("https://127.0.0.1:8443");
    return Stream.of(
        Arguments.of(
            "latest",
            new SecretRef(vault, "db-url", null),
            "https://kvload-test.vault.azure.net/secrets/db-url/?api-version=2025-07-01"),
        Arguments.of(
            "a version",
            new SecretRef(vault, "db-url", "0123456789abcdef0123456789abcdef"),
            "https://kvload-test.vault.azure.net/secrets/db-url/0123456789abcdef0123456789abcdef"
                + "?api-version=2025-07-01"),
        Arguments.of(
            "a vault URL with a port",
            new SecretRef(local, "a", null),
            "https://127.0.0.1:8443/secrets/a/?api-version=2025-07-01"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("urls")
  void requestsWhatTheSdkWould(String name, SecretRef ref, String url) {
    assertEquals(url, KeyVaultSource.secretUrl(ref));
  }
}
