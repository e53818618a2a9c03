package dev.kvload.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvload.guard.InProcessKvload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thousands of mutated manifests through {@code kvload validate}, in-process: every one must end in
 * exit 0 or 3, with short {@code kvload: } lines on stderr, nothing on stdout, and no stack trace
 * or internal error, whatever the bytes (truncated, wrong types, deep nesting, huge strings,
 * duplicate keys, BOMs, NUL bytes, invalid UTF-8, terminal escapes).
 *
 * <p>The generator is seeded: a failure names the seed and the case number, and prints the bytes
 * that broke it (hex), so it can be replayed.
 */
class HostileManifestTest {
  private static final long SEED = 0x6b766c6f6164L;
  private static final int CASES = 3000;

  /** Manifest problems are listed up to 20, plus one summary line. */
  private static final int MAX_LINES = 21;

  private static final int MAX_LINE_LENGTH = 1200;

  @TempDir Path dir;

  private final List<InProcessKvload> runners = new ArrayList<>();

  private static final List<String> VALID =
      List.of(
          """
          {
            // comments and trailing commas, as devcontainer.json
            "$schema": "https://example.test/kvload.schema.json",
            "vault": "contoso-dev",
            "secrets": {
              "DATABASE_URL": "db-connection-string",
              "STRIPE_KEY": "https://contoso-pay.vault.azure.net/secrets/stripe-key/0f1e2d3c4b5a",
              "FEATURE_X": { "secret": "feature-x", "optional": true },
              "SHARED_TOKEN": { "secret": "token", "vault": "contoso-shared", "version": "a1b2c3" },
            },
          }
          """,
          "{\"vault\":\"kv-one\",\"secrets\":{\"A\":\"a\",\"B\":{\"secret\":\"b\"}}}",
          "{\"secrets\":{\"X\":\"https://x-vault.vault.azure.net/secrets/x\"}}",
          "/* only a block comment first */ {\"vault\": \"https://localhost:8443\", \"secrets\": {}}");

  /** Fragments that have broken JSON readers before. */
  private static final List<String> FRAGMENTS =
      List.of(
          "{",
          "}",
          "[",
          "]",
          ",",
          ":",
          "\"",
          "\\",
          "//",
          "/*",
          "*/",
          "\u0000",
          "\\u0000",
          "\\ud800",
          "\\udfff\\ud800",
          "\uFEFF",
          "\u001b[31m",
          "\u202e",
          "\u2028",
          "\u0085",
          "\r\n",
          "1e999999999",
          "-0",
          "NaN",
          "Infinity",
          "true",
          "false",
          "null",
          "[]",
          "{}",
          "\"vault\": \"kv-dup\",",
          "\"secrets\": {},",
          "\"A\": \"dup\",",
          "\"secret\": \"dup\",",
          "\"optional\": \"yes\",",
          "\"unknown\": 1,",
          "\"vault\": 42,",
          "\"secrets\": [],",
          "\"A\": 7,",
          "\"A\": {\"secret\": null},",
          "\"$(rm -rf /)\": \"x\",",
          "\"A B\": \"x\",",
          "\"1A\": \"x\",");

  @Test
  void thousandsOfMutatedManifestsEndInExit0Or3WithShortMessages() throws IOException {
    Random random = new Random(SEED);
    Path file = dir.resolve("kvload.json");
    int valid = 0;
    int invalid = 0;
    long started = System.nanoTime();
    for (int n = 0; n < CASES; n++) {
      byte[] content = mutate(random);
      Files.write(file, content);
      // A fresh runner per few hundred cases keeps the guard's list of outputs small.
      InProcessKvload kvload = runner(n);
      var result = kvload.run("validate", "-m", file.toString());
      String problem = problem(result.exit(), result.stdout(), result.stderr(), file);
      if (problem != null) {
        fail(
            "seed "
                + SEED
                + " case "
                + n
                + ": "
                + problem
                + "\n--- stderr ---\n"
                + result.stderr()
                + "\n--- manifest (hex) ---\n"
                + HexFormat.of().formatHex(content, 0, Math.min(content.length, 2000)));
      }
      if (result.exit() == 0) {
        valid++;
      } else {
        invalid++;
      }
    }
    System.out.printf(
        "HOSTILE %d generated manifests (seed %d): %d valid (exit 0), %d invalid (exit 3),"
            + " in %d ms%n",
        CASES, SEED, valid, invalid, (System.nanoTime() - started) / 1_000_000);
    assertTrue(valid > 50 && invalid > 1000, "the generator reaches both outcomes");
  }

  static Stream<Arguments> namedCases() {
    return Stream.of(
        named("empty file", "", 3, "must be a JSON object"),
        named("only whitespace", " \n\t ", 3, "must be a JSON object"),
        named("only a BOM", "\uFEFF", 3, "kvload.json:1:"),
        named(
            "BOM before a valid manifest",
            "\uFEFF{\"vault\":\"kv-one\",\"secrets\":{\"A\":\"a\"}}",
            0,
            "is valid"),
        named("a JSON array", "[1, 2]", 3, "must be a JSON object"),
        named("a string", "\"kvload\"", 3, "must be a JSON object"),
        named(
            "duplicate top-level key",
            "{\"vault\":\"kv-one\",\"vault\":\"kv-two\",\"secrets\":{\"A\":\"a\"}}",
            3,
            ":1:19: duplicate key 'vault'"),
        named(
            "variable mapped twice",
            "{\"vault\":\"kv-one\",\"secrets\":{\"A\":\"a\",\"A\":\"b\"}}",
            3,
            "A: mapped twice: each variable may appear once"),
        named(
            "duplicate key in a secret object",
            "{\"vault\":\"kv-one\",\"secrets\":{\"A\":{\"secret\":\"a\",\"secret\":\"b\"}}}",
            3,
            "A: duplicate key 'secret'"),
        named(
            "duplicate key holding a newline and an escape sequence",
            "{\"vault\":\"kv-one\",\"secrets\":{\"A\\n\\u001b[2J\":\"a\",\"A\\n\\u001b[2J\":\"b\"}}",
            3,
            "A\\u000a\\u001b[2J: mapped twice"),
        named(
            "unknown key with a right-to-left override",
            "{\"vault\":\"kv-one\",\"secrets\":{},\"ev\\u202eil\":1}",
            3,
            "unknown key 'ev\\u202eil'"),
        named("NUL byte", "{\"vault\":\"kv\u0000one\",\"secrets\":{}}", 3, "kvload.json:1:"),
        named(
            "wrong types everywhere",
            "{\"vault\":1,\"secrets\":{\"A\":[],\"B\":{\"secret\":2,\"optional\":\"no\"}}}",
            3,
            "\"vault\" must be a string, got a number"),
        named("truncated", "{\"vault\":\"kv-one\",\"secrets\":{\"A\":\"a", 3, "kvload.json:1:"),
        named("unterminated comment", "{\"secrets\":{}} /* never ends", 3, "kvload.json:1:"));
  }

  private static Arguments named(String name, String json, int exit, String message) {
    return Arguments.of(name, json.getBytes(StandardCharsets.UTF_8), exit, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namedCases")
  void namedHostileManifests(String name, byte[] content, int exit, String message)
      throws IOException {
    Path file = dir.resolve("kvload.json");
    Files.write(file, content);
    var result = runner(0).run("validate", "-m", file.toString());
    assertEquals(exit, result.exit(), result::toString);
    assertTrue(result.stderr().contains(message), result::toString);
    assertEquals(null, problem(result.exit(), result.stdout(), result.stderr(), file));
  }

  static Stream<Arguments> largeCases() {
    return Stream.of(
        Arguments.of("100,000 nested arrays", nested(100_000, "[", "]"), "must be a JSON object"),
        Arguments.of("100,000 nested objects", nested(100_000, "{\"a\":", "}"), "nesting depth"),
        Arguments.of(
            "nested arrays as a secret's value",
            "{\"secrets\":{\"A\":" + nested(50_000, "[", "]") + "}}",
            "nesting depth"),
        Arguments.of(
            "a 3 MB secret name",
            "{\"vault\":\"kv-one\",\"secrets\":{\"A\":\"" + "x".repeat(3_000_000) + "\"}}",
            "is not a secret name"),
        Arguments.of(
            "a 3 MB variable name",
            "{\"vault\":\"kv-one\",\"secrets\":{\"" + "A".repeat(3_000_000) + "\":\"a b\"}}",
            "exceeds the maximum allowed (50000)"),
        Arguments.of(
            "a 3 MB vault",
            "{\"vault\":\"" + "v".repeat(3_000_000) + "\",\"secrets\":{}}",
            "is not a vault"),
        Arguments.of("5 MB of whitespace", "{" + " ".repeat(5_000_000) + "}", "larger than 4 MiB"),
        Arguments.of(
            "10,000 problems",
            "{\"secrets\":{" + "\"A\":1,".repeat(10_000) + "}}",
            "more problems"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("largeCases")
  void largeHostileManifests(String name, String json, String message) throws IOException {
    Path file = dir.resolve("kvload.json");
    Files.writeString(file, json);
    var result = runner(0).run("validate", "-m", file.toString());
    assertEquals(3, result.exit(), result::toString);
    assertTrue(result.stderr().contains(message), result::toString);
    assertEquals(null, problem(result.exit(), result.stdout(), result.stderr(), file));
  }

  @Test
  void utf16ManifestsAreReadOrRefusedCleanly() throws IOException {
    String json = "{\"vault\":\"kv-one\",\"secrets\":{\"A\":\"a\"}}";
    Path file = dir.resolve("kvload.json");
    for (var charset :
        List.of(
            StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, StandardCharsets.ISO_8859_1)) {
      for (String prefix : List.of("", "\uFEFF")) {
        Files.write(file, (prefix + json + "\u00e9").getBytes(charset));
        var result = runner(0).run("validate", "-m", file.toString());
        assertEquals(
            null,
            problem(result.exit(), result.stdout(), result.stderr(), file),
            charset + ": " + result);
      }
    }
  }

  /** What is wrong with a run's outcome, or null when it is as it must be. */
  private static String problem(int exit, String stdout, String stderr, Path file) {
    if (exit != 0 && exit != 3) {
      return "exit " + exit;
    }
    if (!stdout.isEmpty()) {
      return "something on stdout";
    }
    List<String> lines = stderr.lines().toList();
    if (lines.isEmpty()) {
      return "no message";
    }
    if (lines.size() > MAX_LINES) {
      return lines.size() + " lines on stderr";
    }
    for (String line : lines) {
      if (!line.startsWith("kvload: ")) {
        return "a line without the kvload: prefix: " + line;
      }
      if (line.length() > MAX_LINE_LENGTH) {
        return "a line of " + line.length() + " characters";
      }
      if (line.contains("Exception")
          || line.contains("\tat ")
          || line.contains("internal error")
          || line.contains("dev.kvload.")) {
        return "a stack trace or internal error: " + line;
      }
      if (line.codePoints().anyMatch(HostileManifestTest::unsafe)) {
        return "a raw control, format or separator character in: " + line;
      }
    }
    if (exit == 0 && !lines.getFirst().contains("is valid")) {
      return "exit 0 without saying it is valid";
    }
    if (exit == 3 && !lines.getFirst().contains(file.toString())) {
      return "the first line does not name the file";
    }
    return null;
  }

  private static boolean unsafe(int c) {
    int type = Character.getType(c);
    return c == '\r'
        || type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.SURROGATE;
  }

  private InProcessKvload runner(int n) {
    if (n % 500 == 0 || runners.isEmpty()) {
      runners.add(new InProcessKvload(dir));
    }
    return runners.getLast();
  }

  // --- the generator

  private static byte[] mutate(Random random) {
    byte[] base = VALID.get(random.nextInt(VALID.size())).getBytes(StandardCharsets.UTF_8);
    int rounds = 1 + random.nextInt(4);
    for (int i = 0; i < rounds; i++) {
      base = MUTATIONS.get(random.nextInt(MUTATIONS.size())).apply(new Mutation(random, base));
    }
    return base;
  }

  private record Mutation(Random random, byte[] bytes) {
    int position() {
      return bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
    }

    byte[] insert(int at, byte[] piece) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(bytes, 0, at);
      out.writeBytes(piece);
      out.write(bytes, at, bytes.length - at);
      return out.toByteArray();
    }

    byte[] replace(int from, int to, byte[] piece) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(bytes, 0, from);
      out.writeBytes(piece);
      out.write(bytes, to, bytes.length - to);
      return out.toByteArray();
    }
  }

  private static final List<Function<Mutation, byte[]>> MUTATIONS =
      List.of(
          // truncated anywhere
          m -> java.util.Arrays.copyOf(m.bytes(), m.position()),
          // random bytes, including invalid UTF-8 lead and continuation bytes
          m -> {
            byte[] b = m.bytes().clone();
            for (int i = 0; i < 1 + m.random().nextInt(4) && b.length > 0; i++) {
              b[m.random().nextInt(b.length)] = (byte) m.random().nextInt(256);
            }
            return b;
          },
          // a hostile fragment inserted
          m ->
              m.insert(
                  m.position(),
                  FRAGMENTS
                      .get(m.random().nextInt(FRAGMENTS.size()))
                      .getBytes(StandardCharsets.UTF_8)),
          // a fragment replacing a run of bytes
          m -> {
            int from = m.position();
            int to = Math.min(m.bytes().length, from + m.random().nextInt(12));
            return m.replace(
                from,
                to,
                FRAGMENTS
                    .get(m.random().nextInt(FRAGMENTS.size()))
                    .getBytes(StandardCharsets.UTF_8));
          },
          // deep nesting at a random place
          m ->
              m.insert(
                  m.position(),
                  nested(500 + m.random().nextInt(3000), "[", "]")
                      .getBytes(StandardCharsets.UTF_8)),
          // unbalanced nesting
          m -> m.insert(m.position(), "{[".repeat(2000).getBytes(StandardCharsets.UTF_8)),
          // a huge string
          m ->
              m.insert(
                  m.position(),
                  ("\"" + "k".repeat(10_000 + m.random().nextInt(200_000)) + "\"")
                      .getBytes(StandardCharsets.UTF_8)),
          // BOMs and other encodings' markers in front
          m -> {
            byte[][] boms = {
              {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
              {(byte) 0xFE, (byte) 0xFF},
              {(byte) 0xFF, (byte) 0xFE},
              {0, 0, (byte) 0xFE, (byte) 0xFF},
              {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, (byte) 0xEF, (byte) 0xBB, (byte) 0xBF}
            };
            return m.insert(0, boms[m.random().nextInt(boms.length)]);
          },
          // the whole manifest re-encoded
          m -> {
            String text = new String(m.bytes(), StandardCharsets.UTF_8);
            var charsets =
                List.of(
                    StandardCharsets.UTF_16BE,
                    StandardCharsets.UTF_16LE,
                    StandardCharsets.ISO_8859_1,
                    java.nio.charset.Charset.forName("UTF-32"));
            return text.getBytes(charsets.get(m.random().nextInt(charsets.size())));
          },
          // a NUL byte or a C1 control, raw
          m -> m.insert(m.position(), new byte[] {0}),
          m -> m.insert(m.position(), new byte[] {(byte) 0xC2, (byte) 0x9B}),
          // garbage after the end
          m -> m.insert(m.bytes().length, "} {\"more\": 1}".getBytes(StandardCharsets.UTF_8)),
          // a value swapped for another type
          m -> {
            String text = new String(m.bytes(), StandardCharsets.UTF_8);
            String[] types = {"1", "[]", "{}", "null", "true", "\"\"", "-1.5e3", "[[\"a\"]]"};
            return text.replaceFirst(
                    ":\\s*\"[^\"]*\"", ": " + types[m.random().nextInt(types.length)])
                .getBytes(StandardCharsets.UTF_8);
          },
          // a key duplicated
          m -> {
            String text = new String(m.bytes(), StandardCharsets.UTF_8);
            int brace = text.indexOf('{', 1 + m.random().nextInt(Math.max(1, text.length())));
            if (brace < 0) {
              brace = text.indexOf('{');
            }
            return brace < 0
                ? m.bytes()
                : (text.substring(0, brace + 1)
                        + "\"vault\": \"kv-dup\", \"A\": \"x\", \"secret\": \"y\","
                        + text.substring(brace + 1))
                    .getBytes(StandardCharsets.UTF_8);
          });

  private static String nested(int depth, String open, String close) {
    return open.repeat(depth) + close.repeat(depth);
  }
}
