package dev.kvload.exec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * No core dumps while kvload holds values and tokens: the core of a crashed kvload held the secret
 * 6 times and its tokens 18 times. Only the soft {@code RLIMIT_CORE} goes to 0; the hard limit
 * stays, so that {@code run} can give the command back the soft limit kvload was started with.
 *
 * <p>{@code bin/kvload} lowers it before the JVM starts ({@code ulimit -S -c 0}, free) and records
 * the old value (see {@link Launch}). On Linux the JVM then only reads {@code /proc/self/limits} to
 * see that it is 0; {@code getrlimit}/{@code setrlimit} are linked (tens of milliseconds) only when
 * it is not, as under {@code java -jar}, and on macOS.
 *
 * <p>The kernel does not apply the limit when the core pattern pipes to a program; systemd-coredump
 * applies it itself, other such programs may not.
 */
@SuppressWarnings("restricted") // native access is enabled in the jar's manifest
final class CoreDumps {
  /** {@code RLIMIT_CORE} on Linux and macOS alike. */
  private static final int RLIMIT_CORE = 4;

  private static final Path LIMITS = Path.of("/proc/self/limits");

  private CoreDumps() {}

  /**
   * Lowers the soft limit to 0.
   *
   * @return the soft limit found (0 when it was 0 already, {@code -1} unlimited on Linux), or empty
   *     when it could neither be read nor lowered here
   */
  static OptionalLong disable() {
    OptionalLong proc = fromProc();
    if (proc.isPresent() && proc.getAsLong() == 0) {
      return proc;
    }
    try {
      long[] limit = Native.get();
      if (limit[0] != 0) {
        Native.set(0, limit[1]);
      }
      return OptionalLong.of(limit[0]);
    } catch (RuntimeException | LinkageError e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Sets this process's soft limit, keeping the hard one: for the command, just before execve, or
   * just before the child fallback starts its child (which inherits it).
   *
   * @return false when the system would not
   */
  static boolean setSoft(long soft) {
    try {
      long[] limit = Native.get();
      Native.set(soft, limit[1]);
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Links the native calls now, on a thread that has time, rather than at the handoff. */
  static void link() {
    try {
      Native.get();
    } catch (RuntimeException | LinkageError e) {
      // restore() says so when it is called
    }
  }

  /** The soft limit {@code /proc/self/limits} shows, where there is one. */
  static OptionalLong fromProc() {
    try {
      return parse(Files.readAllLines(LIMITS));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** From the lines of {@code /proc/PID/limits}: "Max core file size 0 unlimited bytes". */
  static OptionalLong parse(List<String> lines) {
    for (String line : lines) {
      if (line.startsWith("Max core file size ")) {
        String[] fields = line.substring("Max core file size ".length()).trim().split("\\s+");
        return fields[0].equals("unlimited")
            ? OptionalLong.of(-1)
            : OptionalLong.of(Long.parseLong(fields[0]));
      }
    }
    return OptionalLong.empty();
  }

  /** The calls, linked on first use: {@code struct rlimit} is two 64-bit {@code rlim_t}. */
  private static final class Native {
    private static final MethodHandle GETRLIMIT;
    private static final MethodHandle SETRLIMIT;

    static {
      Linker linker = Linker.nativeLinker();
      SymbolLookup libc = linker.defaultLookup();
      var integer = ValueLayout.JAVA_INT;
      var address = ValueLayout.ADDRESS;
      GETRLIMIT =
          linker.downcallHandle(
              libc.findOrThrow("getrlimit"), FunctionDescriptor.of(integer, integer, address));
      SETRLIMIT =
          linker.downcallHandle(
              libc.findOrThrow("setrlimit"), FunctionDescriptor.of(integer, integer, address));
    }

    /** {soft, hard} of this process. */
    static long[] get() {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment limit = arena.allocate(16);
        if ((int) GETRLIMIT.invokeExact(RLIMIT_CORE, limit) != 0) {
          throw new IllegalStateException("getrlimit failed");
        }
        return new long[] {
          limit.get(ValueLayout.JAVA_LONG, 0), limit.get(ValueLayout.JAVA_LONG, 8)
        };
      } catch (RuntimeException e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException("getrlimit", t);
      }
    }

    static void set(long soft, long hard) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment limit = arena.allocate(16);
        limit.set(ValueLayout.JAVA_LONG, 0, soft);
        limit.set(ValueLayout.JAVA_LONG, 8, hard);
        int result = (int) SETRLIMIT.invokeExact(RLIMIT_CORE, limit);
        if (result != 0) {
          throw new IllegalStateException("setrlimit failed");
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException("setrlimit", t);
      }
    }
  }
}
