package dev.kvload.exec;

import java.util.Optional;
import java.util.Set;

/**
 * Puts signal dispositions where a command started directly would find them: ignored exactly when
 * they were ignored when kvload started. execve resets caught signals to default but keeps ignored
 * ones, and the JVM takes over some its parent had ignored (QUIT, PIPE, XFSZ, USR2), so that alone
 * would not do.
 */
final class SignalDispositions {
  private SignalDispositions() {}

  /**
   * @param terminationToDefault also drop the JVM's handlers of INT, TERM, HUP and QUIT now, so
   *     that one arriving while kvload execs ends the process at once instead of starting a JVM
   *     shutdown that the exec would silently cut short
   */
  static void restore(Posix posix, Inherited inherited, boolean terminationToDefault) {
    // The JVM needs its fault handlers until the very end; execve resets them.
    Set<Integer> untouchable = Signals.numbers("KILL", "STOP", "SEGV", "BUS", "FPE", "ILL", "TRAP");
    Set<Integer> termination = Signals.numbers("INT", "TERM", "HUP", "QUIT");
    boolean known = inherited.ignoredSignals().isPresent();
    for (int signal = 1; signal <= posix.platform.lastSignal(); signal++) {
      if (untouchable.contains(signal)) {
        continue;
      }
      Optional<Long> now = posix.disposition(signal);
      if (inherited.ignored(signal)) {
        if (now.isEmpty() || now.get() != Posix.SIG_IGN) {
          posix.setDisposition(signal, Posix.SIG_IGN);
        }
      } else if (now.isEmpty()) {
        continue;
      } else if (now.get() == Posix.SIG_IGN) {
        if (known) {
          posix.setDisposition(signal, Posix.SIG_DFL);
        }
      } else if (terminationToDefault
          && now.get() != Posix.SIG_DFL
          && termination.contains(signal)) {
        posix.setDisposition(signal, Posix.SIG_DFL);
      }
    }
  }
}
