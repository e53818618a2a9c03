package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.FakeAzure.Version;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code export} refuses secrets outside their nbf/exp window (Key Vault marks them "should not be
 * retrieved") unless {@code --allow-expired}; expiring ones are still fine.
 */
class ExportValidityIT {
  static final Instant NOW = Instant.now();
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  /** Case: nbf, exp, optional?, options -> exit, what stderr says, whether the value is out. */
  static Stream<Arguments> cases() {
    Instant past = NOW.minus(Duration.ofDays(1));
    Instant future = NOW.plus(Duration.ofDays(2));
    return Stream.of(
        Arguments.of("expired", null, past, false, List.of(), 5, "expired on", false),
        Arguments.of(
            "expired, --allow-expired",
            null,
            past,
            false,
            List.of("--allow-expired"),
            0,
            "loaded 1 secret",
            true),
        Arguments.of(
            "not yet valid", future, null, false, List.of(), 5, "is not valid before", false),
        Arguments.of(
            "not yet valid, --allow-expired",
            future,
            null,
            false,
            List.of("--allow-expired"),
            0,
            "loaded 1 secret",
            true),
        Arguments.of(
            "expiring soon is still valid",
            null,
            future,
            false,
            List.of(),
            0,
            "loaded 1 secret",
            true),
        Arguments.of(
            "expired but optional: left out, with a warning",
            null,
            past,
            true,
            List.of(),
            0,
            "warning: API_KEY: secret 'api-key'",
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void window(
      String name,
      Instant nbf,
      Instant exp,
      boolean optional,
      List<String> options,
      int exit,
      String stderr,
      boolean exported) {
    String value = "sk_live_window_" + FakeAzure.newVersionId();
    h.fake.put(
        "kvload-test", "api-key", new Version(FakeAzure.newVersionId(), value, true, nbf, exp));
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl("kvload-test")
            + "\", \"secrets\": {\"API_KEY\": {\"secret\": \"api-key\", \"optional\": "
            + optional
            + "}}}");
    List<String> args = new ArrayList<>(List.of("export", "--format", "dotenv"));
    args.addAll(options);
    var run = h.run().args(args.toArray(String[]::new)).valuesOnStdout().go();
    assertEquals(exit, run.exit(), run::toString);
    assertTrue(run.stderr().contains(stderr), run::toString);
    if (exit == 5) {
      assertTrue(run.stderr().contains("kvload: API_KEY: "), "names the variable: " + run);
      assertTrue(run.stderr().contains("--allow-expired"), "says the way out: " + run);
    }
    assertEquals(exported ? "API_KEY=\"" + value + "\"\n" : "", run.stdout());
  }
}
