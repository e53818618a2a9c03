package dev.kvload.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the strings kvload decided on into the bytes the command gets, reusing the bytes the
 * process was given wherever a string stands for them unchanged.
 *
 * <p>Why: the JVM decodes the environment and the arguments with the locale's charset (ASCII under
 * a C locale), so any other byte comes back as U+FFFD. Encoding those strings again would change
 * the variables and arguments the user never asked kvload to touch. Only what kvload adds or
 * replaces is encoded, as UTF-8.
 */
final class ProcessBytes {
  private ProcessBytes() {}

  /**
   * The command's environment, {@code NAME=value} each.
   *
   * @param given the process's own environment, in its order
   * @param wanted the environment the command must see
   * @param decoder the charset the JVM decoded {@code given} with
   */
  static List<byte[]> environment(List<byte[]> given, Map<String, String> wanted, Charset decoder) {
    List<byte[]> result = new ArrayList<>();
    Set<String> kept = new HashSet<>();
    Set<String> replaced = new HashSet<>();
    for (byte[] entry : given) {
      int eq = indexOf(entry, (byte) '=');
      if (eq < 0) {
        continue;
      }
      String name = new String(entry, 0, eq, decoder);
      String value = new String(entry, eq + 1, entry.length - eq - 1, decoder);
      String want = wanted.get(name);
      if (want == null || replaced.contains(name)) {
        continue;
      }
      if (want.equals(value)) {
        result.add(entry);
        kept.add(name);
      } else if (!kept.contains(name)) {
        // Where the old entry stood, so that the order of the environment stays as it was.
        result.add(utf8(name, want));
        replaced.add(name);
      }
    }
    wanted.forEach(
        (name, value) -> {
          if (!kept.contains(name) && !replaced.contains(name)) {
            result.add(utf8(name, value));
          }
        });
    return result;
  }

  /**
   * The command's arguments.
   *
   * @param command the command and its arguments, as the JVM decoded them
   * @param given the process's own arguments as the kernel gave them (possibly empty): the command
   *     is their tail, since {@code run} takes everything after {@code --} unchanged
   */
  static List<byte[]> arguments(List<String> command, List<byte[]> given, Charset decoder) {
    List<byte[]> result = new ArrayList<>();
    int offset = given.size() - command.size();
    for (int i = 0; i < command.size(); i++) {
      String arg = command.get(i);
      byte[] original = offset + i >= 0 ? given.get(offset + i) : null;
      result.add(
          original != null && new String(original, decoder).equals(arg)
              ? original
              : arg.getBytes(StandardCharsets.UTF_8));
    }
    return result;
  }

  /** The value of a variable in an environment block, or empty. */
  static Optional<byte[]> value(List<byte[]> environment, String name) {
    byte[] prefix = (name + "=").getBytes(StandardCharsets.UTF_8);
    for (byte[] entry : environment) {
      if (entry.length >= prefix.length
          && Arrays.equals(entry, 0, prefix.length, prefix, 0, prefix.length)) {
        return Optional.of(Arrays.copyOfRange(entry, prefix.length, entry.length));
      }
    }
    return Optional.empty();
  }

  /** Splits NUL-terminated strings, as in {@code /proc/self/cmdline}. */
  static List<byte[]> splitNul(byte[] bytes) {
    List<byte[]> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        parts.add(Arrays.copyOfRange(bytes, start, i));
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      parts.add(Arrays.copyOfRange(bytes, start, bytes.length));
    }
    return parts;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] utf8(String name, String value) {
    return (name + "=" + value).getBytes(StandardCharsets.UTF_8);
  }

  static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
