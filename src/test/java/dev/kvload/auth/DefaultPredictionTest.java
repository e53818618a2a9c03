package dev.kvload.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@code kvload status} says --auth default would use, from the environment alone. */
class DefaultPredictionTest {
  @TempDir Path home;

  static Stream<Arguments> places() {
    return Stream.of(
        Arguments.argumentSet(
            "a service principal in the environment comes first",
            Map.of("AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t", "AZURE_CLIENT_SECRET", "s"),
            false,
            "EnvironmentCredential"),
        Arguments.argumentSet(
            "App Service's managed identity endpoint",
            Map.of("IDENTITY_ENDPOINT", "https://127.0.0.1:1/msi", "IDENTITY_HEADER", "h"),
            true,
            "ManagedIdentityCredential"),
        Arguments.argumentSet(
            "no IMDS, a stored login: the login", Map.of(), true, Login.CREDENTIAL),
        Arguments.argumentSet("no IMDS, no login, no tools: none", Map.of(), false, null),
        Arguments.argumentSet(
            "prod leaves the login out", Map.of("AZURE_TOKEN_CREDENTIALS", "prod"), true, null));
  }

  @ParameterizedTest
  @MethodSource("places")
  void predicts(Map<String, String> vars, boolean loggedIn, String credential) throws Exception {
    Map<String, String> env = new HashMap<>(vars);
    env.put("HOME", home.toString());
    env.put("PATH", home.resolve("bin").toString());
    env.put("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:1");
    if (loggedIn) {
      Path file = LoginStore.of(env).file();
      Files.createDirectories(file.getParent());
      Files.writeString(file, "{}");
    }
    DefaultPrediction.Prediction p =
        DefaultPrediction.predict(new AuthSettings(AuthMode.DEFAULT, null, null), env);
    assertEquals(credential, p.credential(), p::toString);
    assertTrue(!p.reason().isBlank());
  }
}
