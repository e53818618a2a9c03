package dev.kvload.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TemplateParserTest {
  private static final Path FILE = Path.of("app.tmpl");
  private static final Map<String, String> VALUES =
      Map.of("TOKEN", "t0k3n", "ODD", "{{kv:TOKEN}} $HOME \\ \n 'q'");

  private static String render(String text) {
    Template t = TemplateParser.parse(text.getBytes(StandardCharsets.UTF_8), FILE, "file a");
    return t.render(VALUES, b -> "url:" + b.secret().name());
  }

  /** Case: template text and what it renders to, byte for byte. */
  static Stream<Arguments> rendered() {
    return Stream.of(
        Arguments.of("variable", "token={{kv:TOKEN}}\n", "token=t0k3n\n"),
        Arguments.of(
            "secret URL",
            "k={{kv:https://contoso.vault.azure.net/secrets/api-key}}",
            "k=url:api-key"),
        Arguments.of("the escape", "{{!kv:TOKEN}}", "{{kv:TOKEN}}"),
        Arguments.of("an escaped escape", "{{!!kv:TOKEN}}", "{{!kv:TOKEN}}"),
        Arguments.of(
            "other template syntaxes pass through",
            "{{ .Values.x }} ${HOME} %APPDATA% {{kv }} {kv:TOKEN}",
            "{{ .Values.x }} ${HOME} %APPDATA% {{kv }} {kv:TOKEN}"),
        Arguments.of(
            "a value is never read as a template",
            "{{kv:ODD}}{{kv:TOKEN}}",
            "{{kv:TOKEN}} $HOME \\ \n 'q't0k3n"),
        Arguments.of("UTF-8 and CRLF kept", "é\r\n{{kv:TOKEN}}✓\r\n", "é\r\nt0k3n✓\r\n"),
        Arguments.of("empty", "", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void rendersByteExact(String name, String text, String expected) {
    assertEquals(expected, render(text));
  }

  /** Case: a broken template and what the message says. */
  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of("unclosed", "a\n  {{kv:TOKEN\n}}", "app.tmpl:2:3: '{{kv:' is not closed"),
        Arguments.of("space in a name", "{{kv:TOK EN}}", "app.tmpl:1:1: '{{kv:TOK EN}}' names no"),
        Arguments.of("http URL", "{{kv:http://x.vault.azure.net/secrets/a}}", "names no variable"),
        Arguments.of(
            "control characters are escaped in messages",
            "{{kv:\u001b[31mX}}",
            "'{{kv:\\u001b[31mX}}'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void brokenTemplatesNameTheirPlace(String name, String text, String expected) {
    var e = assertThrows(Failure.Manifest.class, () -> render(text));
    assertTrue(e.lines().getFirst().contains(expected), e.lines()::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notText")
  void refusesWhatIsNotUtf8TextOrTooLarge(String name, byte[] bytes, String expected) {
    var e = assertThrows(Failure.Manifest.class, () -> TemplateParser.parse(bytes, FILE, "file a"));
    assertTrue(e.lines().getFirst().contains(expected), e.lines()::toString);
  }

  static Stream<Arguments> notText() {
    return Stream.of(
        Arguments.of("latin-1", new byte[] {'a', (byte) 0xe9}, "not UTF-8 text"),
        Arguments.of("too large", new byte[TemplateParser.MAX_BYTES + 1], "at most"));
  }
}
