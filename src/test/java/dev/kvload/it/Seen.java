package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A command for {@code kvload run} that writes into a file, for each named variable, the SHA-256 of
 * what it found in its environment: a test learns what the command got without any value on stdout,
 * on stderr or on disk. The file exists only when the command started.
 */
final class Seen {
  private final Path file;
  private final List<String> variables;

  Seen(Path file, String... variables) {
    this.file = file;
    this.variables = List.of(variables);
  }

  /** What follows {@code kvload run [options] --}. */
  String[] command() {
    List<String> command = new ArrayList<>();
    command.add("sh");
    command.add("-c");
    command.add("for name in \"$@\"; do printenv \"$name\" | sha256sum; done > \"$0\"");
    command.add(file.toString());
    command.addAll(variables);
    return command.toArray(String[]::new);
  }

  /** The command got these values, in the order of the variables. */
  void assertGot(String... values) {
    StringBuilder expected = new StringBuilder();
    for (String value : values) {
      expected.append(sha256(value + "\n")).append("  -\n");
    }
    try {
      assertEquals(expected.toString(), Files.readString(file), "what the command got");
    } catch (IOException e) {
      throw new UncheckedIOException("the command did not start", e);
    }
  }

  void assertNotStarted(Object run) {
    assertFalse(Files.exists(file), () -> "the command started: " + run);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
