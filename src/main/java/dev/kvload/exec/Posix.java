package dev.kvload.exec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The few C library calls kvload needs to become another program, through {@code java.lang.foreign}
 * (no JNI library to ship). Linux (glibc) and macOS only: {@link #load()} is empty elsewhere.
 *
 * <p>Strings cross this boundary as bytes, never as Java strings: a name or value must reach the
 * kernel exactly as the process was given it.
 */
@SuppressWarnings("restricted") // native access is enabled in the jar's manifest
final class Posix implements CommandSearch.Files {
  static final int ENOENT = 2;
  static final int ENOEXEC = 8;
  static final int EACCES = 13;

  private static final int F_OK = 0;
  private static final int X_OK = 1;
  private static final int F_SETFD = 2;
  private static final int FD_CLOEXEC = 1;
  private static final int MFD_ALLOW_SEALING = 2;
  private static final int F_ADD_SEALS = 1033;
  private static final int F_SEAL_SEAL = 1;
  private static final int F_SEAL_SHRINK = 2;
  private static final int F_SEAL_GROW = 4;
  private static final int F_SEAL_WRITE = 8;

  /** Dispositions as {@code sigaction} stores them in {@code sa_handler}. */
  static final long SIG_DFL = 0;

  static final long SIG_IGN = 1;

  /** Larger than {@code struct sigaction} on every supported platform (glibc: 152 bytes). */
  private static final long SIGACTION_BYTES = 256;

  /** Larger than {@code sigset_t} on every supported platform (glibc: 128 bytes). */
  private static final long SIGSET_BYTES = 256;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

  /**
   * What differs between the supported systems.
   *
   * @param lastSignal the highest signal number
   * @param sigSetmask {@code SIG_SETMASK}
   * @param fdDir lists the calling process's open descriptors
   * @param rtSigaction the {@code rt_sigaction} system call number on Linux, for the signals glibc
   *     reserves for itself (32 and 33), which its {@code sigaction} refuses; -1 when unknown
   */
  record Platform(boolean linux, int lastSignal, int sigSetmask, String fdDir, long rtSigaction) {

    static Optional<Platform> current() {
      String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
      String arch = System.getProperty("os.arch", "");
      if (os.equals("linux") && GENERIC_ARCHS.contains(arch)) {
        long rtSigaction =
            switch (arch) {
              case "amd64", "x86_64" -> 13;
              case "aarch64", "riscv64" -> 134;
              default -> -1;
            };
        return Optional.of(new Platform(true, 64, 2, "/proc/self/fd", rtSigaction));
      }
      if (os.startsWith("mac")) {
        return Optional.of(new Platform(false, 31, 3, "/dev/fd", -1));
      }
      return Optional.empty();
    }

    /** 64-bit Linux architectures whose SIG_SETMASK and fcntl flags are the generic ones. */
    private static final List<String> GENERIC_ARCHS =
        List.of("amd64", "x86_64", "aarch64", "riscv64", "ppc64le", "s390x");
  }

  final Platform platform;
  private final MethodHandle execve;
  private final MethodHandle access;
  private final MethodHandle opendir;
  private final MethodHandle closedir;
  private final MethodHandle fcntl;
  private final MethodHandle sigaction;
  private final MethodHandle sigprocmask;
  private final MethodHandle kill;
  private final MethodHandle strerror;
  private final MethodHandle syscall;
  private final MethodHandle memfdCreate;
  private final MethodHandle write;
  private final MethodHandle fchmod;
  private final MethodHandle close;
  private final MemorySegment environ;
  private final MethodHandle nsGetEnviron;

  private Posix(Platform platform) {
    this.platform = platform;
    SymbolLookup libc = LINKER.defaultLookup();
    var address = ValueLayout.ADDRESS;
    var integer = ValueLayout.JAVA_INT;
    execve =
        handle(
            libc,
            "execve",
            FunctionDescriptor.of(integer, address, address, address),
            ERRNO_OPTION);
    access = handle(libc, "access", FunctionDescriptor.of(integer, address, integer));
    opendir = handle(libc, "opendir", FunctionDescriptor.of(address, address));
    closedir = handle(libc, "closedir", FunctionDescriptor.of(integer, address));
    fcntl =
        handle(
            libc,
            "fcntl",
            FunctionDescriptor.of(integer, integer, integer, integer),
            Linker.Option.firstVariadicArg(2));
    sigaction =
        handle(
            libc,
            "sigaction",
            FunctionDescriptor.of(integer, integer, address, address),
            ERRNO_OPTION);
    sigprocmask =
        handle(libc, "sigprocmask", FunctionDescriptor.of(integer, integer, address, address));
    kill = handle(libc, "kill", FunctionDescriptor.of(integer, integer, integer), ERRNO_OPTION);
    strerror = handle(libc, "strerror", FunctionDescriptor.of(address, integer));
    syscall =
        platform.rtSigaction() < 0
            ? null
            : handle(
                libc,
                "syscall",
                FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG,
                    address,
                    address,
                    ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
    // memfd_create is Linux's (glibc 2.27 and later); elsewhere files go to a folder instead.
    memfdCreate =
        platform.linux()
            ? libc.find("memfd_create")
                .map(
                    symbol ->
                        LINKER.downcallHandle(
                            symbol, FunctionDescriptor.of(integer, address, integer), ERRNO_OPTION))
                .orElse(null)
            : null;
    write =
        handle(
            libc,
            "write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, integer, address, ValueLayout.JAVA_LONG),
            ERRNO_OPTION);
    fchmod = handle(libc, "fchmod", FunctionDescriptor.of(integer, integer, integer));
    close = handle(libc, "close", FunctionDescriptor.of(integer, integer));
    if (platform.linux()) {
      environ = libc.findOrThrow("environ").reinterpret(ValueLayout.ADDRESS.byteSize());
      nsGetEnviron = null;
    } else {
      environ = null;
      nsGetEnviron = handle(libc, "_NSGetEnviron", FunctionDescriptor.of(address));
    }
  }

  /** The bindings for this system, or empty where execve cannot be called this way. */
  static Optional<Posix> load() {
    return Platform.current()
        .flatMap(
            platform -> {
              try {
                return Optional.of(new Posix(platform));
              } catch (RuntimeException | LinkageError e) {
                return Optional.empty();
              }
            });
  }

  private static MethodHandle handle(
      SymbolLookup libc, String name, FunctionDescriptor descriptor, Linker.Option... options) {
    return LINKER.downcallHandle(libc.findOrThrow(name), descriptor, options);
  }

  /**
   * Replaces the process image. Returns only when that failed.
   *
   * @return errno
   */
  int execve(byte[] path, List<byte[]> argv, List<byte[]> envp) {
    // Never freed: on success the whole address space goes, on failure kvload exits.
    Arena arena = Arena.global();
    MemorySegment state = arena.allocate(CALL_STATE);
    try {
      int result =
          (int)
              execve.invokeExact(
                  state,
                  cString(arena, path),
                  cStringArray(arena, argv),
                  cStringArray(arena, envp));
      return result == -1 ? (int) ERRNO.get(state, 0L) : 0;
    } catch (Throwable t) {
      throw new IllegalStateException("execve", t);
    }
  }

  @Override
  public boolean exists(byte[] path) {
    return access(path, F_OK);
  }

  @Override
  public boolean executable(byte[] path) {
    return access(path, X_OK);
  }

  private boolean access(byte[] path, int mode) {
    try (Arena arena = Arena.ofConfined()) {
      return (int) access.invokeExact(cString(arena, path), mode) == 0;
    } catch (Throwable t) {
      throw new IllegalStateException("access", t);
    }
  }

  @Override
  public boolean directory(byte[] path) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment dir = (MemorySegment) opendir.invokeExact(cString(arena, path));
      if (dir.equals(MemorySegment.NULL)) {
        return false;
      }
      int ignored = (int) closedir.invokeExact(dir);
      return true;
    } catch (Throwable t) {
      throw new IllegalStateException("opendir", t);
    }
  }

  /** The descriptors open in this process now. */
  List<Integer> openDescriptors() {
    try (Stream<Path> entries = Files.list(Path.of(platform.fdDir()))) {
      List<Integer> fds = new ArrayList<>();
      entries.forEach(
          entry -> {
            try {
              fds.add(Integer.parseInt(entry.getFileName().toString()));
            } catch (NumberFormatException e) {
              // not a descriptor
            }
          });
      return fds;
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + platform.fdDir(), e);
    }
  }

  /** True where {@link #memoryFile} works (Linux). */
  boolean hasMemoryFiles() {
    return memfdCreate != null;
  }

  /**
   * A file that lives in memory only ({@code memfd_create}), holding {@code content}, mode 0600,
   * sealed against any change, and left open across execve: the program reads it as {@code
   * /proc/PID/fd/N} and it is gone when the last descriptor closes.
   *
   * @param name shown in {@code /proc/PID/fd} as {@code memfd:NAME}; not a path
   * @return the descriptor
   * @throws IllegalStateException with errno's message when the kernel refuses
   */
  int memoryFile(String name, byte[] content) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd =
          (int)
              memfdCreate.invokeExact(
                  state, cString(arena, name.getBytes(StandardCharsets.UTF_8)), MFD_ALLOW_SEALING);
      if (fd < 0) {
        throw new IllegalStateException("memfd_create: " + strerror((int) ERRNO.get(state, 0L)));
      }
      MemorySegment buffer = arena.allocate(Math.max(1, content.length));
      MemorySegment.copy(content, 0, buffer, ValueLayout.JAVA_BYTE, 0, content.length);
      long done = 0;
      while (done < content.length) {
        long n =
            (long) write.invokeExact(state, fd, buffer.asSlice(done), (long) content.length - done);
        if (n <= 0) {
          int errno = (int) ERRNO.get(state, 0L);
          int ignored = (int) close.invokeExact(fd);
          throw new IllegalStateException("write: " + strerror(errno));
        }
        done += n;
      }
      int ignored = (int) fchmod.invokeExact(fd, 0600);
      ignored =
          (int)
              fcntl.invokeExact(
                  fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
      return fd;
    } catch (IllegalStateException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("memfd_create", t);
    }
  }

  /** Marks a descriptor close-on-exec; a descriptor closed meanwhile is no error. */
  void closeOnExec(int fd) {
    try {
      int ignored = (int) fcntl.invokeExact(fd, F_SETFD, FD_CLOEXEC);
    } catch (Throwable t) {
      throw new IllegalStateException("fcntl", t);
    }
  }

  /**
   * The signal's disposition: {@link #SIG_DFL}, {@link #SIG_IGN}, a handler's address, or empty
   * when the C library will not say (glibc's own signals).
   */
  Optional<Long> disposition(int signal) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment old = arena.allocate(SIGACTION_BYTES);
      MemorySegment state = arena.allocate(CALL_STATE);
      int result = (int) sigaction.invokeExact(state, signal, MemorySegment.NULL, old);
      // sa_handler is the first member of struct sigaction in glibc and on macOS.
      return result == 0
          ? Optional.of(old.get(ValueLayout.ADDRESS, 0).address())
          : Optional.empty();
    } catch (Throwable t) {
      throw new IllegalStateException("sigaction", t);
    }
  }

  /**
   * Sets a signal to {@link #SIG_DFL} or {@link #SIG_IGN}, with an empty mask and no flags.
   *
   * @return false when neither the C library nor the kernel call could do it
   */
  boolean setDisposition(int signal, long disposition) {
    try (Arena arena = Arena.ofConfined()) {
      // A zeroed struct sigaction with only sa_handler set means the same in glibc, in the kernel's
      // own layout (used below) and on macOS: no flags, empty mask.
      MemorySegment action = arena.allocate(SIGACTION_BYTES);
      action.set(ValueLayout.ADDRESS, 0, MemorySegment.ofAddress(disposition));
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) sigaction.invokeExact(state, signal, action, MemorySegment.NULL) == 0) {
        return true;
      }
      if (syscall == null) {
        return false;
      }
      // glibc refuses its internal signals (32, 33); the kernel does not. sigsetsize is 8 there.
      long result =
          (long)
              syscall.invokeExact(
                  platform.rtSigaction(), (long) signal, action, MemorySegment.NULL, 8L);
      return result == 0;
    } catch (Throwable t) {
      throw new IllegalStateException("sigaction", t);
    }
  }

  /** Unblocks every signal for the calling thread, whose mask execve hands to the new program. */
  void unblockAllSignals() {
    try (Arena arena = Arena.ofConfined()) {
      // Zeroed memory is the empty set, in glibc's sigset_t and in macOS's alike.
      MemorySegment empty = arena.allocate(SIGSET_BYTES);
      int result = (int) sigprocmask.invokeExact(platform.sigSetmask(), empty, MemorySegment.NULL);
      if (result != 0) {
        throw new IllegalStateException("sigprocmask failed");
      }
    } catch (IllegalStateException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("sigprocmask", t);
    }
  }

  /**
   * Sends a signal.
   *
   * @return 0, or errno
   */
  int kill(long pid, int signal) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int result = (int) kill.invokeExact(state, (int) pid, signal);
      return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
    } catch (Throwable t) {
      throw new IllegalStateException("kill", t);
    }
  }

  /** The C library's message for an errno, e.g. "Permission denied". */
  String strerror(int errno) {
    try {
      MemorySegment message = (MemorySegment) strerror.invokeExact(errno);
      return message.reinterpret(Integer.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    } catch (Throwable t) {
      throw new IllegalStateException("strerror", t);
    }
  }

  /** Every {@code NAME=value} entry of the C environment, as the bytes the process was given. */
  List<byte[]> environment() {
    try {
      MemorySegment array =
          platform.linux()
              ? environ.get(ValueLayout.ADDRESS, 0)
              : ((MemorySegment) nsGetEnviron.invokeExact())
                  .reinterpret(ValueLayout.ADDRESS.byteSize())
                  .get(ValueLayout.ADDRESS, 0);
      MemorySegment entries = array.reinterpret(Long.MAX_VALUE);
      List<byte[]> result = new ArrayList<>();
      for (long i = 0; ; i++) {
        MemorySegment entry = entries.getAtIndex(ValueLayout.ADDRESS, i);
        if (entry.equals(MemorySegment.NULL)) {
          return result;
        }
        result.add(bytes(entry));
      }
    } catch (Throwable t) {
      throw new IllegalStateException("environ", t);
    }
  }

  /** The program's arguments as the kernel gave them, where the system tells (Linux). */
  Optional<List<byte[]>> arguments() {
    if (!platform.linux()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ProcessBytes.splitNul(Files.readAllBytes(Path.of("/proc/self/cmdline"))));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static byte[] bytes(MemorySegment cString) {
    // ISO-8859-1 maps every byte to one char and back: the bytes come out unchanged.
    return cString
        .reinterpret(Long.MAX_VALUE)
        .getString(0, StandardCharsets.ISO_8859_1)
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static MemorySegment cString(Arena arena, byte[] bytes) {
    MemorySegment s = arena.allocate(bytes.length + 1L);
    MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
    return s;
  }

  private static MemorySegment cStringArray(Arena arena, List<byte[]> strings) {
    MemorySegment array = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1L);
    for (int i = 0; i < strings.size(); i++) {
      array.setAtIndex(ValueLayout.ADDRESS, i, cString(arena, strings.get(i)));
    }
    return array;
  }
}
