package dev.kvload.exec;

import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the process was started with, for {@code run} to hand on to its command: the descriptors
 * without close-on-exec and the ignored signals, as {@code bin/kvload} recorded them just before it
 * exec'd the JVM (the JVM opens descriptors and takes over signals before any Java code runs, so
 * only the launcher script can still see them), and the soft core-dump limit, which kvload keeps at
 * 0 for itself ({@link CoreDumps}).
 *
 * <p>The record comes from the java command line ({@link Launch#PROPERTY}), which only whoever
 * starts the JVM can set; an environment variable (as {@link #VARIABLE} once was) reaches a {@code
 * java -jar kvload.jar} started by anyone who sets it. The record also starts with the PID the
 * launcher ran as, which exec keeps.
 *
 * @param descriptors the descriptors to hand on to the command
 * @param ignoredSignals bit {@code n-1} set when signal {@code n} was ignored; empty when unknown
 * @param coreLimit the soft {@code RLIMIT_CORE} to give the command back; empty: leave it as it is
 */
record Inherited(Set<Integer> descriptors, OptionalLong ignoredSignals, OptionalLong coreLimit) {
  /**
   * Where older launchers put the record. Never believed now; still kept out of the command's
   * environment.
   */
  static final String VARIABLE = "KVLOAD_INHERITED";

  /** Without a record: the standard three, nothing known about signals, no limit to restore. */
  static final Inherited STANDARD =
      new Inherited(Set.of(0, 1, 2), OptionalLong.empty(), OptionalLong.empty());

  /** The launcher's record, with the core limit kvload found at start. */
  static Inherited of(Launch launch, long pid) {
    Inherited launcher = from(launch.record(), pid);
    OptionalLong found = launch.coreFound();
    // Found 0: the launcher lowered it, and recorded what it was (or it was 0 all along).
    OptionalLong core =
        found.isPresent() && found.getAsLong() == 0 && launcher.coreLimit().isPresent()
            ? launcher.coreLimit()
            : found;
    // 0 is what the command gets anyway: nothing to restore, no native call to link for it.
    if (core.isPresent() && core.getAsLong() == 0) {
      core = OptionalLong.empty();
    }
    return new Inherited(launcher.descriptors(), launcher.ignoredSignals(), core);
  }

  static Inherited from(String text, long pid) {
    if (text == null) {
      return STANDARD;
    }
    String[] parts = text.split(";", -1);
    if (parts.length < 3 || parts.length > 4 || !parts[0].equals(Long.toString(pid))) {
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
      OptionalLong core =
          parts.length < 4 || parts[3].isEmpty()
              ? OptionalLong.empty()
              : OptionalLong.of(parts[3].equals("unlimited") ? -1 : Long.parseLong(parts[3]));
      return new Inherited(Set.copyOf(descriptors), ignored, core);
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
