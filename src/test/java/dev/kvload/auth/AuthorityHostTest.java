package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvload.auth.AuthorityHost.Kind;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuthorityHostTest {

  static Stream<Arguments> hosts() {
    return Stream.of(
        Arguments.argumentSet("unset: the public cloud", null, Kind.AZURE_CLOUD),
        Arguments.argumentSet("blank", "  ", Kind.AZURE_CLOUD),
        Arguments.argumentSet("public", "https://login.microsoftonline.com/", Kind.AZURE_CLOUD),
        Arguments.argumentSet(
            "public, no slash", "https://login.microsoftonline.com", Kind.AZURE_CLOUD),
        Arguments.argumentSet(
            "public, any case", "https://LOGIN.MicrosoftOnline.com/", Kind.AZURE_CLOUD),
        Arguments.argumentSet(
            "public on :443", "https://login.microsoftonline.com:443/", Kind.AZURE_CLOUD),
        Arguments.argumentSet("login.windows.net", "https://login.windows.net/", Kind.AZURE_CLOUD),
        Arguments.argumentSet("China", "https://login.chinacloudapi.cn/", Kind.AZURE_CLOUD),
        Arguments.argumentSet(
            "US Government", "https://login.microsoftonline.us/", Kind.AZURE_CLOUD),
        Arguments.argumentSet("Germany", "https://login.microsoftonline.de/", Kind.AZURE_CLOUD),
        Arguments.argumentSet("loopback fake", "https://127.0.0.1:8443/", Kind.OTHER),
        Arguments.argumentSet(
            "Azure Stack", "https://adfs.local.azurestack.external/adfs", Kind.OTHER),
        Arguments.argumentSet("emulator by name", "https://localhost:5001", Kind.OTHER),
        Arguments.argumentSet(
            "cloud host on another port", "https://login.microsoftonline.com:8443/", Kind.OTHER),
        Arguments.argumentSet(
            "look-alike", "https://login.microsoftonline.com.evil.example/", Kind.OTHER),
        Arguments.argumentSet("http", "http://login.microsoftonline.com/", Kind.INVALID),
        Arguments.argumentSet("no scheme", "login.microsoftonline.com", Kind.INVALID),
        Arguments.argumentSet("not a URI", "https://exa mple/", Kind.INVALID));
  }

  @ParameterizedTest
  @MethodSource("hosts")
  void classifies(String authorityHost, Kind expected) {
    assertEquals(expected, AuthorityHost.classify(authorityHost));
  }
}
