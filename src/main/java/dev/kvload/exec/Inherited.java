package dev.kvload.exec;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the process was started with, as {@code bin/kvload} recorded it in {@link #VARIABLE} just
 * before it exec'd the JVM: the descriptors without close-on-exec and the ignored signals. The JVM
 * opens descriptors and takes over signals before any Java code runs, so only the launcher script
 * can still see them.
 *
 * <p>The record starts with the PID the launcher ran as, which exec keeps: a record with another
 * PID was inherited from some other kvload and is not believed.
 *
 * @param descriptors the descriptors to hand on to the command
 * @param ignoredSignals bit {@code n-1} set when signal {@code n} was ignored; empty when unknown
 */
record Inherited(Set<Integer> descriptors, OptionalLong ignoredSignals) {
  /** {@code PID;FD,FD,...;SIGIGN-HEX}, e.g. {@code 4242;0,1,2,3;0000000000001000}. */
  static final String VARIABLE = "KVLOAD_INHERITED";

  /** Without a record: the standard three, and nothing known about signals. */
  static final Inherited STANDARD = new Inherited(Set.of(0, 1, 2), OptionalLong.empty());

  static Inherited from(Map<String, String> env, long pid) {
    String text = env.get(VARIABLE);
    if (text == null) {
      return STANDARD;
    }
    String[] parts = text.split(";", -1);
    if (parts.length != 3 || !parts[0].equals(Long.toString(pid))) {
      return STANDARD;
    }
    try {
      Set<Integer> descriptors = new LinkedHashSet<>();
      for (String fd : parts[1].split(",")) {
        if (!fd.isEmpty()) {
          descriptors.add(Integer.parseInt(fd));
        }
      }
      OptionalLong ignored =
          parts[2].isEmpty()
              ? OptionalLong.empty()
              : OptionalLong.of(Long.parseUnsignedLong(parts[2], 16));
      return new Inherited(Set.copyOf(descriptors), ignored);
    } catch (NumberFormatException e) {
      return STANDARD;
    }
  }

  /** True when signal {@code n} is known to have been ignored when the process started. */
  boolean ignored(int signal) {
    return ignoredSignals.isPresent()
        && signal >= 1
        && signal <= 64
        && (ignoredSignals.getAsLong() & (1L << (signal - 1))) != 0;
  }
}
