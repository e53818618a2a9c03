package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.aad.msal4j.MsalServiceException;
import dev.kvload.Failure;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The sign-in host and scope of a login, and what each way a device code sign-in fails says. */
class LoginTest {
  static Stream<Arguments> hosts() {
    return Stream.of(
        Arguments.argumentSet(
            "unset: Entra ID's public cloud",
            null,
            "https://login.microsoftonline.com/",
            "https://vault.azure.net/.default"),
        Arguments.argumentSet(
            "no trailing slash, upper case, default port",
            "https://LOGIN.chinacloudapi.cn:443",
            "https://login.chinacloudapi.cn/",
            "https://vault.azure.cn/.default"),
        Arguments.argumentSet(
            "US Government",
            "https://login.microsoftonline.us/",
            "https://login.microsoftonline.us/",
            "https://vault.usgovcloudapi.net/.default"),
        Arguments.argumentSet(
            "a port is kept: the refresh token goes only there",
            "https://127.0.0.1:8443",
            "https://127.0.0.1:8443/",
            "https://vault.azure.net/.default"));
  }

  @ParameterizedTest
  @MethodSource("hosts")
  void authorityHostAndScope(String given, String host, String scope) {
    Map<String, String> env = given == null ? Map.of() : Map.of("AZURE_AUTHORITY_HOST", given);
    assertEquals(host, Login.authorityHost(env));
    assertEquals(scope, Login.vaultScope(host));
  }

  @ParameterizedTest
  @MethodSource("dev.kvload.auth.LoginTest#invalidHosts")
  void refusesAnAuthorityHostThatIsNotHttps(String given) {
    Failure.Auth e =
        assertThrows(
            Failure.Auth.class, () -> Login.authorityHost(Map.of("AZURE_AUTHORITY_HOST", given)));
    assertTrue(e.lines().getFirst().contains("not an https URL"));
  }

  static Stream<String> invalidHosts() {
    return Stream.of("http://login.microsoftonline.com", "login.microsoftonline.com", "https://");
  }

  private static MsalServiceException entra(String error, String description) {
    return new MsalServiceException(description, error);
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.argumentSet(
            "declined (Entra ID's word)",
            entra("authorization_declined", "AADSTS70000: The user declined."),
            "authorization_declined",
            List.of(
                "sign-in declined: the request was refused on the verification page"
                    + " (authorization_declined)",
                "next step: run 'kvload login' again and approve the request, as the account that"
                    + " should reach the vaults")),
        Arguments.argumentSet(
            "denied (RFC 8628's word)",
            entra("access_denied", "denied"),
            "access_denied",
            List.of(
                "sign-in declined: the request was refused on the verification page"
                    + " (access_denied)",
                "next step: run 'kvload login' again and approve the request, as the account that"
                    + " should reach the vaults")),
        Arguments.argumentSet(
            "expired, said by Entra ID",
            entra("expired_token", "AADSTS70020: expired."),
            "expired_token",
            List.of(
                "sign-in expired: the code was not entered and approved in time (expired_token)",
                "next step: run 'kvload login' again and enter the new code before it expires")),
        Arguments.argumentSet(
            "an app that is not a public client",
            entra(
                "invalid_client",
                "AADSTS7000218: The request body must contain the following parameter:"
                    + " 'client_assertion' or 'client_secret'.\r\nTrace ID: x"),
            "invalid_client",
            List.of(
                "sign-in refused by Entra ID: AADSTS7000218: Neither a client secret nor a client"
                    + " assertion was sent",
                "next step: app app-id is not a public client: allow public client flows in its"
                    + " app registration (Authentication), or leave --client-id out")),
        Arguments.argumentSet(
            "an unknown app",
            entra("unauthorized_client", "AADSTS700016: Application with identifier 'x'."),
            "unauthorized_client",
            List.of(
                "sign-in refused by Entra ID: AADSTS700016: Application not found in the"
                    + " directory",
                "next step: check --client-id: Entra ID knows no app app-id in tenant contoso"
                    + " (leave it out to sign in as the Azure CLI's public client)")),
        Arguments.argumentSet(
            "no network",
            new RuntimeException(new ConnectException("refused")),
            "",
            List.of(
                "could not reach the sign-in endpoint https://login.example/ (ConnectException)",
                "next step: check the network, a proxy (HTTPS_PROXY) and AZURE_AUTHORITY_HOST")),
        Arguments.argumentSet(
            "a prompt kvload will not print",
            new IllegalStateException("unprintable device code prompt"),
            "",
            List.of(
                "the sign-in service sent a verification address or code that kvload will not"
                    + " print",
                "next step: check AZURE_AUTHORITY_HOST: it must be Entra ID's sign-in host")));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void signInFailure(Throwable error, String code, List<String> lines) {
    assertEquals(
        lines,
        Login.signInFailure(error, code, "app-id", "contoso", "https://login.example/").lines());
  }
}
