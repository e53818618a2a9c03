package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.SpecialFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A few of the hostile manifests of {@code HostileManifestTest}, through the real process: the JVM
 * must not print a stack trace of its own (a StackOverflowError, an encoding error) either, and
 * {@code run} must start nothing.
 */
class HostileManifestIT {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  static Stream<Arguments> manifests() {
    return Stream.of(
        Arguments.of(
            "200,000 nested objects",
            ("{\"secrets\":" + "{\"a\":".repeat(200_000) + "1" + "}".repeat(200_001))
                .getBytes(StandardCharsets.UTF_8),
            "nesting depth"),
        Arguments.of(
            "duplicate keys",
            "{\"vault\":\"kv-one\",\"secrets\":{\"A\":\"a\",\"A\":\"b\"}}"
                .getBytes(StandardCharsets.UTF_8),
            "A: mapped twice"),
        Arguments.of(
            "a NUL byte and an escape sequence in a key",
            "{\"vault\":\"kv-one\",\"secrets\":{\"A\u0000\\u001b[2J\":\"a\"}}"
                .getBytes(StandardCharsets.UTF_8),
            "kvload.json:1:"),
        Arguments.of(
            "invalid UTF-8",
            new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'},
            "Invalid UTF-8"),
        Arguments.of(
            "UTF-32 garbage",
            new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF, 0, 0, 0, '{', 0x6b, 0x22, 0x6b, 0x6b},
            "save the manifest as UTF-8"));
  }

  /** Through {@code validate}, and through {@code run}, which must start nothing. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("manifests")
  void refusedWithShortMessagesAndNoStackTrace(String name, byte[] manifest, String message)
      throws IOException {
    Files.write(h.dir.resolve("kvload.json"), manifest);
    Path marker = h.dir.resolve("marker");
    var validating = h.run().args("validate").start();
    var running = h.run().args("run", "--", "touch", marker.toString()).start();
    for (var run : List.of(validating.await(), running.await())) {
      assertEquals(3, run.exit(), run::toString);
      assertEquals("", run.stdout());
      // One line per problem found before the file stopped making sense, each naming the file.
      assertTrue(run.stderr().lines().count() <= 3, run::toString);
      assertTrue(
          run.stderr().lines().allMatch(line -> line.startsWith("kvload: kvload.json")),
          run::toString);
      assertTrue(run.stderr().contains(message), run::toString);
      assertFalse(
          run.stderr().contains("Exception") || run.stderr().contains("\tat "), run::toString);
    }
    assertFalse(Files.exists(marker), "run started the command");
  }

  static Stream<Arguments> notFiles() {
    return Stream.of(
        Arguments.argumentSet("a FIFO, which would block the read", (Setup) h -> fifo(h)),
        // Only read if kvload failed to refuse it first: then it would never end.
        Arguments.argumentSet(
            "a link to a character device",
            (Setup) h -> Files.createSymbolicLink(h.dir.resolve("kvload.json"), DEV_ZERO)));
  }

  /** A manifest that is not a regular file: exit 3, naming it, before reading a byte. */
  @ParameterizedTest
  @MethodSource("notFiles")
  void aManifestThatIsNotARegularFileIsRefusedUnread(Setup setup) throws IOException {
    setup.make(h);
    for (String[] args :
        List.of(
            new String[] {"validate"}, new String[] {"-m", "kvload.json", "run", "--", "true"})) {
      var run = h.run().args(args).limit(Duration.ofSeconds(60)).go();
      assertEquals(3, run.exit(), run::toString);
      assertEquals(
          "kvload: kvload.json: is not a regular file (a FIFO, device or socket), so it is not"
              + " read\nkvload: pass -m with the path of a kvload.json file\n",
          run.stderr());
    }
  }

  @Test
  void aLinkToAManifestIsRead() throws IOException {
    Path real = h.write("real.json", "{\"vault\": \"kv-one\", \"secrets\": {\"A\": \"a\"}}");
    Files.createSymbolicLink(h.dir.resolve("kvload.json"), real.getFileName());
    var run = h.kvload("validate");
    assertEquals(0, run.exit(), run::toString);
  }

  private static final Path DEV_ZERO = Path.of("/dev/zero");

  /** Puts something at kvload.json in the test's folder. */
  @FunctionalInterface
  interface Setup {
    void make(Harness h) throws IOException;
  }

  private static void fifo(Harness h) {
    SpecialFiles.make(SpecialFiles.Kind.FIFO, h.dir.resolve("kvload.json"));
  }
}
