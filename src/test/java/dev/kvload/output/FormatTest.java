package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FormatTest {
  /** Values that break naive quoting, each on its own. */
  static Stream<Arguments> awkwardValues() {
    return Stream.of(
        Arguments.of("plain", "hunter2"),
        Arguments.of("empty", ""),
        Arguments.of("single quote", "it's"),
        Arguments.of("double quote", "say \"hi\""),
        Arguments.of("both quotes", "'\"'\"'"),
        Arguments.of("dollar", "$HOME ${HOME} $(id) `id`"),
        Arguments.of("backslashes", "C:\\path\\n\\\\"),
        Arguments.of("newlines", "line1\nline2\n"),
        Arguments.of("carriage return", "a\r\nb"),
        Arguments.of("tab", "a\tb"),
        Arguments.of("utf8", "héllo wörld ✓ 日本 🔑"),
        Arguments.of("pem", "-----BEGIN KEY-----\nMIIB+/=\n-----END KEY-----"),
        Arguments.of("trailing spaces", "  padded  "),
        Arguments.of("heredoc lookalike", "EOF\nghadelimiter_\n"),
        Arguments.of("shell metacharacters", "a;b|c&d>e<f*g?h[i]~j#k!"));
  }

  @ParameterizedTest(name = "sh round-trips {0} through bash")
  @MethodSource("awkwardValues")
  void shRoundTripsThroughBash(String name, String value, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("env");
    Files.write(file, Format.SH.render(Map.of("V", value)));
    // printf %s so bash adds nothing; sourcing with set -a as users do.
    Process p =
        new ProcessBuilder(
                "bash", "-c", "set -a; . \"$1\"; printf %s \"$V\"", "bash", file.toString())
            .redirectErrorStream(false)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
    assertEquals(value, new String(out, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "dotenv round-trips {0}")
  @MethodSource("awkwardValues")
  void dotenvRoundTrips(String name, String value) {
    String text = new String(Format.DOTENV.render(Map.of("V", value)), StandardCharsets.UTF_8);
    assertEquals(Map.of("V", value), DotenvValues.read(text));
  }

  @ParameterizedTest(name = "json round-trips {0}")
  @MethodSource("awkwardValues")
  void jsonRoundTrips(String name, String value) throws IOException {
    assertEquals(Map.of("V", value), readJson(Format.JSON.render(Map.of("V", value))));
  }

  @ParameterizedTest(name = "github round-trips {0}")
  @MethodSource("awkwardValues")
  void githubRoundTrips(String name, String value) {
    String text = new String(Format.GITHUB.render(Map.of("V", value)), StandardCharsets.UTF_8);
    assertEquals(Map.of("V", value), GithubEnvReader.read(text));
  }

  @Test
  void keepsManifestOrder() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("Z", "1");
    vars.put("A", "2");
    assertEquals(
        "export Z='1'\nexport A='2'\n", new String(Format.SH.render(vars), StandardCharsets.UTF_8));
    assertEquals(
        "Z=\"1\"\nA=\"2\"\n", new String(Format.DOTENV.render(vars), StandardCharsets.UTF_8));
  }

  @Test
  void githubDelimitersAreRandom() {
    String a = new String(Format.GITHUB.render(Map.of("V", "x")), StandardCharsets.UTF_8);
    String b = new String(Format.GITHUB.render(Map.of("V", "x")), StandardCharsets.UTF_8);
    assertTrue(!a.equals(b), "two renders used the same delimiter");
  }

  @ParameterizedTest(name = "parses {0}")
  @MethodSource("names")
  void parsesNames(String text, Format expected) {
    assertEquals(expected, Format.parse(text));
  }

  static Stream<Arguments> names() {
    return Stream.of(
        Arguments.of("sh", Format.SH),
        Arguments.of("dotenv", Format.DOTENV),
        Arguments.of("JSON", Format.JSON),
        Arguments.of("github", Format.GITHUB));
  }

  static Stream<Arguments> dotenvPitfalls() {
    return Stream.of(
        Arguments.of("plain", "hunter2", null),
        Arguments.of("a lone dollar", "pa$$ 5$", null),
        Arguments.of("newlines and quotes of the other kind", "it's\nfine", null),
        Arguments.of(
            "ends with a backslash: python-dotenv loses it and the next",
            "C:\\temp\\",
            "ends with \\, which makes python-dotenv lose it and the next variable; holds \" or"
                + " \\, which Node's dotenv leaves escaped"),
        Arguments.of(
            "${VAR}",
            "x${HOME}",
            "holds $NAME or ${...}, which docker compose expands (python-dotenv: ${...})"),
        Arguments.of(
            "$VAR",
            "$PATH",
            "holds $NAME or ${...}, which docker compose expands (python-dotenv: ${...})"),
        Arguments.of(
            "a double quote", "say \"hi\"", "holds \" or \\, which Node's dotenv leaves escaped"),
        Arguments.of(
            "a backslash inside", "a\\nb", "holds \" or \\, which Node's dotenv leaves escaped"));
  }

  /** What dotenv readers misread, in words that never quote the value; other formats have none. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dotenvPitfalls")
  void dotenvPitfall(String name, String value, String pitfall) {
    assertEquals(java.util.Optional.ofNullable(pitfall), Format.DOTENV.pitfall(value));
    for (Format other : new Format[] {Format.SH, Format.JSON, Format.GITHUB}) {
      assertEquals(java.util.Optional.empty(), other.pitfall(value));
    }
  }

  @Test
  void rejectsUnknownFormat() {
    var e = assertThrows(IllegalArgumentException.class, () -> Format.parse("yaml"));
    assertTrue(e.getMessage().contains("sh, dotenv, json or github"));
  }

  static Map<String, String> readJson(byte[] bytes) throws IOException {
    Map<String, String> vars = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(bytes)) {
      assertEquals(JsonToken.START_OBJECT, p.nextToken());
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        assertEquals(JsonToken.VALUE_STRING, p.nextToken());
        vars.put(name, p.getText());
      }
    }
    return vars;
  }
}
