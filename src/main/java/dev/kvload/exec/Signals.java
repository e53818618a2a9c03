package dev.kvload.exec;

import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * Signal numbers by name, as this platform numbers them (Linux and macOS differ), and Java handlers
 * for the fallback. The one place that uses {@code sun.misc.Signal} (module jdk.unsupported), the
 * only supported way for Java code to receive a signal.
 */
final class Signals {
  private Signals() {}

  /** The numbers of the named signals this platform has; unknown names are left out. */
  static Set<Integer> numbers(String... names) {
    Set<Integer> numbers = new HashSet<>();
    for (String name : names) {
      number(name).ifPresent(numbers::add);
    }
    return numbers;
  }

  static OptionalInt number(String name) {
    try {
      // Only looks the number up: no handler is installed.
      return OptionalInt.of(new Signal(name).getNumber());
    } catch (IllegalArgumentException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * Calls {@code receiver} with the signal's number each time it arrives, on a thread of the JVM's.
   *
   * @return false when this platform has no such signal or the JVM keeps it for itself
   */
  static boolean handle(String name, IntConsumer receiver) {
    try {
      Signal.handle(new Signal(name), signal -> receiver.accept(signal.getNumber()));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
