package dev.kvload.fake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Runs {@link FakeAzure} on its own, for the demo and the benchmarks.
 *
 * <p>Usage: {@code FakeAzureMain DIR [--secrets N] [--delay-ms MS] [--manifests N,M,...]}. Writes
 * into DIR a manifest ({@code kvload.json}, N secrets in the {@code kvload-demo} vault), one
 * manifest {@code kvload-K.json} of the first K secrets for each K of {@code --manifests}, and
 * {@code env}, a file of {@code export} lines that point kvload at the fake; then serves until
 * killed.
 */
public final class FakeAzureMain {
  private FakeAzureMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path dir = Path.of(args[0]).toAbsolutePath();
    int count = 5;
    long delayMs = 0;
    List<Integer> subsets = List.of();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--secrets" -> count = Integer.parseInt(args[++i]);
        case "--delay-ms" -> delayMs = Long.parseLong(args[++i]);
        case "--manifests" ->
            subsets = Stream.of(args[++i].split(",")).map(Integer::parseInt).toList();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Files.createDirectories(dir);
    TestTls tls = TestTls.in(dir.resolve("tls"));
    FakeAzure fake = FakeAzure.start(tls);
    fake.delay(Duration.ofMillis(delayMs));
    String vault = "kvload-demo";
    Map<String, String> entries = new LinkedHashMap<>();
    Map<String, String> demo = new LinkedHashMap<>();
    demo.put("DATABASE_URL", "postgres://app:s3cr3t-d3m0@db.internal:5432/app");
    demo.put("STRIPE_KEY", "sk_test_d3m0_4eC39HqLyjWDarjtT1zdp7dc");
    demo.put("SESSION_SECRET", "it's \"quoted\" $and\\slashed\nand multi-line ✓");
    int i = 0;
    for (var e : demo.entrySet()) {
      if (i++ >= count) {
        break;
      }
      String secret = e.getKey().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
      fake.put(vault, secret, e.getValue());
      entries.put(e.getKey(), secret);
    }
    for (; i < count; i++) {
      String secret = "secret-" + i;
      fake.put(vault, secret, "value-" + i + "-" + FakeAzure.newVersionId());
      entries.put("SECRET_" + i, secret);
    }
    Files.writeString(dir.resolve("kvload.json"), manifest(fake.vaultUrl(vault), entries, count));
    for (int k : subsets) {
      Files.writeString(
          dir.resolve("kvload-" + k + ".json"), manifest(fake.vaultUrl(vault), entries, k));
    }
    StringBuilder env = new StringBuilder();
    Map<String, String> vars = new LinkedHashMap<>(fake.env());
    vars.put("KVLOAD_JAVA_OPTS", tls.javaOptions());
    vars.forEach((k, v) -> env.append("export ").append(k).append("='").append(v).append("'\n"));
    Files.writeString(dir.resolve("env"), env);
    Files.writeString(dir.resolve("ready"), fake.vaultUrl(vault) + "\n");
    System.out.println("fake Azure serving " + fake.vaultUrl(vault) + " (" + count + " secrets)");
    new CountDownLatch(1).await();
  }

  private static String manifest(String vaultUrl, Map<String, String> entries, int count) {
    StringBuilder manifest = new StringBuilder();
    manifest.append("{\n  // A demo manifest: every secret lives in the local fake vault.\n");
    manifest.append("  \"vault\": \"").append(vaultUrl).append("\",\n");
    manifest.append("  \"secrets\": {\n");
    entries.entrySet().stream()
        .limit(count)
        .forEach(
            e ->
                manifest
                    .append("    \"")
                    .append(e.getKey())
                    .append("\": \"")
                    .append(e.getValue())
                    .append("\",\n"));
    return manifest.append("  }\n}\n").toString();
  }
}
