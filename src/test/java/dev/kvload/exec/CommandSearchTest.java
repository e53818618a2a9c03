package dev.kvload.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvload.ExitStatus;
import dev.kvload.Failure;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandSearchTest {
  enum Kind {
    PROGRAM,
    DATA,
    FOLDER
  }

  /** A file system of a few paths. */
  private static final Map<String, Kind> FILES =
      Map.of(
          "/usr/bin/git", Kind.PROGRAM,
          "/opt/tools/git", Kind.PROGRAM,
          "/home/me/bin/git", Kind.DATA,
          "/home/me/bin/notes", Kind.DATA,
          "/srv/git", Kind.FOLDER,
          "./app", Kind.PROGRAM,
          "app", Kind.PROGRAM,
          "./data.txt", Kind.DATA,
          "./sub", Kind.FOLDER,
          "/bin/ls", Kind.PROGRAM);

  private static final CommandSearch.Files FAKE =
      new CommandSearch.Files() {
        @Override
        public boolean exists(byte[] path) {
          return FILES.containsKey(text(path));
        }

        @Override
        public boolean directory(byte[] path) {
          return FILES.get(text(path)) == Kind.FOLDER;
        }

        @Override
        public boolean executable(byte[] path) {
          Kind kind = FILES.get(text(path));
          return kind == Kind.PROGRAM || kind == Kind.FOLDER;
        }
      };

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] find(String name, String path) {
    return CommandSearch.find(
        name,
        name.getBytes(StandardCharsets.UTF_8),
        path == null ? null : path.getBytes(StandardCharsets.UTF_8),
        FAKE);
  }

  static Stream<Arguments> found() {
    return Stream.of(
        Arguments.argumentSet(
            "first folder that has it", "git", "/usr/bin:/opt/tools", "/usr/bin/git"),
        Arguments.argumentSet(
            "a folder of the same name is skipped", "git", "/srv:/opt/tools", "/opt/tools/git"),
        Arguments.argumentSet(
            "a file without x is skipped when a later one runs",
            "git",
            "/home/me/bin:/usr/bin",
            "/usr/bin/git"),
        Arguments.argumentSet("an empty entry is the current folder", "app", "/usr/bin:", "app"),
        Arguments.argumentSet("PATH unset: /bin:/usr/bin", "ls", null, "/bin/ls"),
        Arguments.argumentSet("a name with a slash is not searched", "./app", "/usr/bin", "./app"));
  }

  @ParameterizedTest
  @MethodSource("found")
  void finds(String name, String path, String expected) {
    assertEquals(expected, text(find(name, path)));
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.argumentSet(
            "not on PATH", "nope", "/usr/bin", ExitStatus.NOT_FOUND, "nope: command not found"),
        Arguments.argumentSet(
            "only a file without x on PATH",
            "notes",
            "/usr/bin:/home/me/bin",
            ExitStatus.NOT_EXECUTABLE,
            "notes: Permission denied"),
        Arguments.argumentSet(
            "no such path",
            "./nope",
            "/usr/bin",
            ExitStatus.NOT_FOUND,
            "./nope: No such file or directory"),
        Arguments.argumentSet(
            "a path without x",
            "./data.txt",
            "/usr/bin",
            ExitStatus.NOT_EXECUTABLE,
            "./data.txt: Permission denied"),
        Arguments.argumentSet(
            "a folder", "./sub", "/usr/bin", ExitStatus.NOT_EXECUTABLE, "./sub: Is a directory"),
        Arguments.argumentSet(
            "an empty name", "", "/usr/bin", ExitStatus.NOT_FOUND, "'': command not found"),
        Arguments.argumentSet(
            "an empty PATH searches only the current folder",
            "git",
            "",
            ExitStatus.NOT_FOUND,
            "git: command not found"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void fails(String name, String path, int status, String message) {
    Failure.Command failure = assertThrows(Failure.Command.class, () -> find(name, path));
    assertEquals(status, ExitStatus.of(failure));
    assertEquals(java.util.List.of(message), failure.lines());
  }
}
