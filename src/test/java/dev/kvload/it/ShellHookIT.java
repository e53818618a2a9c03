package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvload.fake.SpecialFiles;
import dev.kvload.output.DefaultEnvFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The line of {@code kvload shell-hook}, sourced by bash and zsh, against what another user of the
 * machine plants: it must source the user's own private file and nothing else.
 *
 * <p>The test never writes to the real {@code /dev/shm}: the line's {@code /dev/shm/} is replaced
 * with a folder of the test's own (mode 0700, as good a parent as the sticky {@code /dev/shm}).
 * Files owned by another user are made with {@code chown}, so those cases need root.
 */
class ShellHookIT {
  private static final long UID = DefaultEnvFile.currentUid();
  private static final long NOBODY = 65534;

  private final Harness h = new Harness();
  private Path shm;
  private Path xdg;
  private boolean xdgSet;
  private String hook;

  /** What a case does to the machine before a terminal starts. */
  @FunctionalInterface
  interface Setup {
    void apply(ShellHookIT scene) throws IOException;
  }

  /** The line as {@code bin/kvload shell-hook bash} prints it: one process for the class. */
  private static String printed;

  @BeforeAll
  static void print() {
    try (Harness once = new Harness()) {
      var run = once.kvload("shell-hook", "bash");
      assertEquals(0, run.exit(), run::toString);
      assertEquals(1, run.stdout().lines().count(), "one line for the rc file");
      printed = run.stdout();
    }
  }

  @BeforeEach
  void scene() throws IOException {
    shm = Files.createDirectory(h.dir.resolve("shm"));
    xdg = Files.createDirectory(h.dir.resolve("xdg"));
    Files.setPosixFilePermissions(xdg, PosixFilePermissions.fromString("rwx------"));
    hook = printed.replace("/dev/shm/", shm + "/");
    assertTrue(hook.contains(shm + "/kvload-"), hook);
  }

  @AfterEach
  void close() {
    h.close();
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (String shell : List.of("bash", "zsh")) {
      cases.add(
          Arguments.argumentSet(
              shell + ": the user's own private file is sourced",
              shell,
              false,
              (Setup) s -> s.plant(s.shmFolder(), "0700", "0600", "shm"),
              "shm"));
      cases.add(
          Arguments.argumentSet(
              shell + ": one in a private $XDG_RUNTIME_DIR is sourced",
              shell,
              false,
              (Setup) s -> s.plant(s.xdgFolder(), "0700", "0600", "xdg"),
              "xdg"));
      cases.add(
          Arguments.argumentSet(
              shell + ": a file planted by another user",
              shell,
              true,
              (Setup) s -> s.chown(s.plant(s.shmFolder(), "0700", "0644", "planted"), NOBODY),
              "unset"));
      cases.add(
          Arguments.argumentSet(
              shell + ": the user's file in a folder another user made",
              shell,
              true,
              (Setup)
                  s ->
                      s.chown(
                          s.plant(s.shmFolder(), "0755", "0600", "planted").getParent(), NOBODY),
              "unset"));
      cases.add(
          Arguments.argumentSet(
              shell + ": the folder a link to a private folder",
              shell,
              false,
              (Setup)
                  s -> {
                    Path real = s.plant(s.shm.resolve("elsewhere"), "0700", "0600", "planted");
                    Files.createSymbolicLink(s.shmFolder(), real.getParent());
                  },
              "unset"));
      cases.add(
          Arguments.argumentSet(
              shell + ": the file a link to a private file",
              shell,
              false,
              (Setup)
                  s -> {
                    Path real = s.plant(s.shmFolder(), "0700", "0600", "planted");
                    Path moved = Files.move(real, real.resolveSibling("real"));
                    Files.createSymbolicLink(real, moved);
                  },
              "unset"));
      for (String mode : List.of("0720", "0702")) {
        cases.add(
            Arguments.argumentSet(
                shell + ": the folder mode " + mode,
                shell,
                false,
                (Setup) s -> s.plant(s.shmFolder(), mode, "0600", "planted"),
                "unset"));
      }
      for (String mode : List.of("0620", "0602")) {
        cases.add(
            Arguments.argumentSet(
                shell + ": the file mode " + mode,
                shell,
                false,
                (Setup) s -> s.plant(s.shmFolder(), "0700", mode, "planted"),
                "unset"));
      }
      cases.add(
          Arguments.argumentSet(
              shell + ": the folder above writable by others, not sticky",
              shell,
              false,
              (Setup)
                  s -> {
                    s.plant(s.shmFolder(), "0700", "0600", "planted");
                    s.chmod(s.shm, "0777");
                  },
              "unset"));
      cases.add(
          Arguments.argumentSet(
              shell + ": the folder above another user's",
              shell,
              true,
              (Setup)
                  s -> {
                    s.plant(s.shmFolder(), "0700", "0600", "planted");
                    s.chown(s.shm, NOBODY);
                  },
              "unset"));
      cases.add(
          Arguments.argumentSet(
              shell + ": a FIFO in place of the file",
              shell,
              false,
              (Setup)
                  s -> {
                    Path folder = s.mkdir(s.shmFolder(), "0700");
                    SpecialFiles.make(SpecialFiles.Kind.FIFO, folder.resolve("env"));
                  },
              "unset"));
      // A world-writable or foreign $XDG_RUNTIME_DIR is not used: /dev/shm's file is, as export.
      cases.add(
          Arguments.argumentSet(
              shell + ": $XDG_RUNTIME_DIR writable by others",
              shell,
              false,
              (Setup)
                  s -> {
                    s.plant(s.xdgFolder(), "0700", "0600", "planted");
                    s.chmod(s.xdg, "1777");
                    s.plant(s.shmFolder(), "0700", "0600", "shm");
                  },
              "shm"));
      cases.add(
          Arguments.argumentSet(
              shell + ": $XDG_RUNTIME_DIR of another user (su kept it)",
              shell,
              true,
              (Setup)
                  s -> {
                    s.chown(s.plant(s.xdgFolder(), "0700", "0600", "planted"), NOBODY);
                    s.chown(s.xdgFolder(), NOBODY);
                    s.chown(s.xdg, NOBODY);
                    s.plant(s.shmFolder(), "0700", "0600", "shm");
                  },
              "shm"));
      cases.add(
          Arguments.argumentSet(
              shell + ": $XDG_RUNTIME_DIR a link to a private folder",
              shell,
              false,
              (Setup)
                  s -> {
                    s.plant(s.xdgFolder(), "0700", "0600", "planted");
                    Path link = Files.createSymbolicLink(s.h.dir.resolve("xdg-link"), s.xdg);
                    s.xdg = link;
                    s.plant(s.shmFolder(), "0700", "0600", "shm");
                  },
              "shm"));
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void sourcesOnlyTheUsersOwnPrivateFile(String shell, boolean needsRoot, Setup setup, String seen)
      throws IOException {
    assumeTrue(Shell.has(shell), shell + " is not installed here");
    assumeTrue(!needsRoot || UID == 0, "only root can give a file to another user");
    setup.apply(this);
    Map<String, String> env = h.baseEnv();
    if (xdgSet) {
      env.put("XDG_RUNTIME_DIR", xdg.toString());
    }
    Path rc = Files.writeString(h.dir.resolve("rc"), hook);
    var terminal = Shell.run(h, env, h.dir, shell, ". '" + rc + "'; echo \"${KVLOAD_SEEN-unset}\"");
    assertEquals(0, terminal.exit(), terminal::toString);
    assertEquals(seen + "\n", terminal.stdout(), terminal::toString);
    if (seen.equals("unset")) {
      assertTrue(terminal.stderr().startsWith("kvload: not sourcing "), terminal::toString);
    } else {
      assertEquals("", terminal.stderr());
    }
  }

  /** $XDG_RUNTIME_DIR/kvload; the terminal then starts with XDG_RUNTIME_DIR set. */
  private Path xdgFolder() {
    xdgSet = true;
    return xdg.resolve("kvload");
  }

  private Path shmFolder() {
    return shm.resolve("kvload-" + UID);
  }

  /** Writes {@code folder/env} setting KVLOAD_SEEN, with these modes; returns the file. */
  private Path plant(Path folder, String folderMode, String fileMode, String value)
      throws IOException {
    mkdir(folder, folderMode);
    Path file = Files.writeString(folder.resolve("env"), "export KVLOAD_SEEN='" + value + "'\n");
    chmod(file, fileMode);
    return file;
  }

  private Path mkdir(Path folder, String mode) throws IOException {
    Files.createDirectories(folder);
    chmod(folder, mode);
    return folder;
  }

  /** Octal modes, sticky bit included, which PosixFilePermissions cannot set. */
  private void chmod(Path path, String mode) {
    SpecialFiles.command("chmod", mode, path.toString());
  }

  private Path chown(Path path, long uid) {
    SpecialFiles.command("chown", "-h", Long.toString(uid), path.toString());
    return path;
  }
}
