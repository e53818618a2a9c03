import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM floor of bench/run.sh: the least a Java program must do for what `kvload run` does over
 * the network, with the JDK's own HTTP client and nothing else: a managed-identity token (App
 * Service's endpoint) and the vault's 401 challenge at once, then the secrets' GETs, 8 in flight.
 * No manifest, no SDK, no exec. Usage: JvmFloor IDENTITY_ENDPOINT IDENTITY_HEADER VAULT_URL NAME...
 */
public class JvmFloor {
  public static void main(String[] args) throws Exception {
    String vault = args[2];
    List<String> names = List.of(args).subList(3, args.length);
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpRequest tokenRequest =
          HttpRequest.newBuilder(
                  URI.create(args[0] + "?api-version=2019-08-01&resource=https://vault.azure.net"))
              .header("X-IDENTITY-HEADER", args[1])
              .build();
      var token = client.sendAsync(tokenRequest, HttpResponse.BodyHandlers.ofString());
      HttpRequest challengeRequest =
          HttpRequest.newBuilder(URI.create(vault + "/secrets/" + names.get(0) + "?api-version=7.6"))
              .build();
      var challenge = client.sendAsync(challengeRequest, HttpResponse.BodyHandlers.discarding());
      if (challenge.join().statusCode() != 401
          || challenge.join().headers().firstValue("WWW-Authenticate").isEmpty()) {
        throw new IllegalStateException("no challenge");
      }
      Matcher m = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(token.join().body());
      if (!m.find()) {
        throw new IllegalStateException("no token");
      }
      String bearer = "Bearer " + m.group(1);
      Semaphore inFlight = new Semaphore(8);
      List<CompletableFuture<HttpResponse<String>>> gets = new ArrayList<>();
      for (String name : names) {
        inFlight.acquire();
        HttpRequest get =
            HttpRequest.newBuilder(URI.create(vault + "/secrets/" + name + "?api-version=7.6"))
                .header("Authorization", bearer)
                .build();
        gets.add(
            client
                .sendAsync(get, HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> inFlight.release()));
      }
      for (var get : gets) {
        if (get.join().statusCode() != 200) {
          throw new IllegalStateException("GET " + get.join().uri() + ": " + get.join().statusCode());
        }
      }
    }
  }
}
