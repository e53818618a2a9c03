package dev.kvload.importing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvload.Failure;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DotenvReaderTest {
  /** In every hostile case below, so that a message that quoted a value would be caught. */
  private static final String SECRET = "s3cr3t-v4lue";

  @TempDir Path dir;

  static Stream<Arguments> readable() {
    return Stream.of(
        Arguments.of("plain", "A=b\n", Map.of("A", "b")),
        Arguments.of("no newline at the end", "A=b", Map.of("A", "b")),
        Arguments.of("export prefix", "export A=b\n", Map.of("A", "b")),
        Arguments.of("export prefix with a tab", "export\tA=b", Map.of("A", "b")),
        Arguments.of("a variable named export", "export=1\n", Map.of("export", "1")),
        Arguments.of("blanks around =", "  A =  b  \n", Map.of("A", "b")),
        Arguments.of(
            "comments and blank lines", "# top\n\n   # indented\nA=b\n\n", Map.of("A", "b")),
        Arguments.of("a comment after a blank", "A=b # note", Map.of("A", "b")),
        Arguments.of("empty", "A=\nB=\"\"\nC=''", Map.of("A", "", "B", "", "C", "")),
        Arguments.of("= in the value", "A=b=c==", Map.of("A", "b=c==")),
        Arguments.of("a quote inside an unquoted value", "A=it's", Map.of("A", "it's")),
        Arguments.of(
            "single quotes: as written",
            "A='$HOME \\n \"x\" # not a comment'",
            Map.of("A", "$HOME \\n \"x\" # not a comment")),
        Arguments.of("single quotes over lines", "A='l1\nl2\n'", Map.of("A", "l1\nl2\n")),
        Arguments.of(
            "double quotes: escapes",
            "A=\"l1\\nl2\\t\\\"q\\\" \\\\ \\r\"",
            Map.of("A", "l1\nl2\t\"q\" \\ \r")),
        Arguments.of(
            "double quotes over lines",
            "A=\"-----BEGIN KEY-----\nMIIB+/=\n-----END KEY-----\"\nB=c",
            Map.of("A", "-----BEGIN KEY-----\nMIIB+/=\n-----END KEY-----", "B", "c")),
        Arguments.of(
            "# inside quotes", "A=\"pa#ss\" # note\nB='#x'", Map.of("A", "pa#ss", "B", "#x")),
        Arguments.of("a comment right after the quote", "A='x'#note", Map.of("A", "x")),
        Arguments.of("both quote kinds", "A=\"it's \\\"both\\\"\"", Map.of("A", "it's \"both\"")),
        Arguments.of("blanks kept inside quotes", "A='  '", Map.of("A", "  ")),
        Arguments.of("UTF-8", "A=héllo ✓ 日本語 🔑", Map.of("A", "héllo ✓ 日本語 🔑")),
        Arguments.of(
            "CRLF line ends, inside quotes too",
            "A=b\r\nB=\"x\r\ny\"\r\n",
            Map.of("A", "b", "B", "x\ny")),
        Arguments.of("CR line ends", "A=b\rB=c\r", Map.of("A", "b", "B", "c")),
        Arguments.of("a byte order mark", "\uFEFFA=b", Map.of("A", "b")),
        Arguments.of(
            "__proto__ is a variable like any other", "__proto__=x", Map.of("__proto__", "x")),
        Arguments.of(
            "$ kept as written", "A=$HOME\nB=\"${PATH}\"", Map.of("A", "$HOME", "B", "${PATH}")),
        Arguments.of(
            "the largest value Key Vault takes",
            "A=" + "x".repeat(25 * 1024),
            Map.of("A", "x".repeat(25 * 1024))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readable")
  void reads(String name, String text, Map<String, String> expected) {
    assertEquals(expected, values(DotenvReader.parse(text, ".env")));
  }

  @Test
  void keepsTheFileOrderAndWhereEachNameIs() {
    var dotenv = DotenvReader.parse("# c\nZ=1\n  export A='x\ny'\nM=2", ".env");
    assertEquals(
        List.of("Z@2:1", "A@3:10", "M@5:1"),
        dotenv.entries().stream()
            .map(e -> e.variable() + "@" + e.line() + ":" + e.column())
            .toList());
  }

  static Stream<Arguments> unreadable() {
    String big = "x".repeat(25 * 1024 + 1);
    return Stream.of(
        Arguments.of("a NUL byte", "A=" + SECRET + "\0b", ".env:1:15: a NUL byte"),
        Arguments.of(
            "a name starting with a digit",
            "1A=" + SECRET,
            ".env:1:1: '1A' is not a valid variable name"),
        Arguments.of(
            "a name with a dash",
            "DB-URL=" + SECRET,
            ".env:1:1: 'DB-URL' is not a valid variable name"),
        Arguments.of(
            "shell metacharacters in the name",
            "B=1\n$(reboot)=" + SECRET,
            ".env:2:1: '$(reboot)' is not a valid variable name"),
        Arguments.of(
            "a name with a semicolon", "A;rm=" + SECRET, "'A;rm' is not a valid variable name"),
        Arguments.of(
            "a control character in the name is shown escaped",
            "A\u001b[31m=" + SECRET,
            "'A\\u001b[31m' is not a valid variable name"),
        Arguments.of("no =", "A\n", ".env:1:1: 'A' has no '=' and no value"),
        Arguments.of(
            "no name", "=" + SECRET, ".env:1:1: a line starting with '=' names no variable"),
        Arguments.of(
            "set twice", "A=" + SECRET + "\nB=1\nA=2", ".env:3:1: A is set twice (lines 1 and 3)"),
        Arguments.of(
            "an unclosed double quote swallows the rest",
            "A=1\nB=\"" + SECRET + "\nC=2\n",
            ".env:2:3: the double-quoted value that starts here is never closed"),
        Arguments.of(
            "an unclosed single quote",
            "A='" + SECRET,
            ".env:1:3: the single-quoted value that starts here is never closed"),
        Arguments.of(
            "an unknown escape", "A=\"" + SECRET + "\\d\"", ".env:1:16: unknown escape '\\d'"),
        Arguments.of(
            "an escaped dollar", "A=\"\\$" + SECRET + "\"", ".env:1:4: unknown escape '\\$'"),
        Arguments.of(
            "columns count characters, not bytes", "A=\"é✓\\q\"", ".env:1:6: unknown escape '\\q'"),
        Arguments.of(
            "a backslash pair in single quotes",
            "A='" + SECRET + "\\\\'",
            ".env:1:16: a backslash before a backslash in a single-quoted value"),
        Arguments.of(
            "a backslash before the closing single quote",
            "A='" + SECRET + "\\'",
            "a backslash before the closing quote"),
        Arguments.of(
            "text after the closing quote",
            "A=\"" + SECRET + "\"tail",
            ".env:1:17: unexpected text after the closing quote"),
        Arguments.of("backquotes", "A=`" + SECRET + "`", ".env:1:3: a value in backquotes"),
        Arguments.of(
            "# inside an unquoted value",
            "A=pa#" + SECRET,
            ".env:1:5: '#' inside an unquoted value"),
        Arguments.of(
            "# at the start of an unquoted value",
            "A= #" + SECRET,
            ".env:1:4: the value starts with '#'"),
        Arguments.of(
            "a value larger than Key Vault takes",
            "A=" + big,
            ".env:1:1: A's value is 25601 bytes; Key Vault takes at most 25600"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadable")
  void refusesWithLineAndColumn(String name, String text, String expected) {
    var failure = assertThrows(Failure.Usage.class, () -> DotenvReader.parse(text, ".env"));
    String message = String.join("\n", failure.lines());
    assertTrue(message.contains(expected), message);
    assertTrue(message.endsWith("nothing was sent: fix .env and run the command again"), message);
    assertFalse(message.contains(SECRET), "a value reached the message: " + message);
  }

  @Test
  void reportsEveryProblemOfTheFileAtOnce() {
    var failure =
        assertThrows(
            Failure.Usage.class, () -> DotenvReader.parse("1A=x\nB\nC=\"\\q\"\nD=ok", ".env"));
    assertEquals(
        List.of(".env:1:1", ".env:2:1", ".env:3:4"),
        failure.lines().stream()
            .filter(l -> l.startsWith(".env:"))
            .map(l -> l.substring(0, l.indexOf(": ")))
            .toList());
  }

  @Test
  void warnsOfWhatOtherReadersWouldExpandButNotOfSingleQuotes() {
    var dotenv = DotenvReader.parse("A=$HOME\nB=\"x${Y}\"\nC='$HOME'\nD=5$\n", ".env");
    assertEquals(
        List.of(
            ".env:1: A holds $NAME or ${...}: docker compose and python-dotenv would expand it,"
                + " kvload imports it as written",
            ".env:2: B holds $NAME or ${...}: docker compose and python-dotenv would expand it,"
                + " kvload imports it as written"),
        dotenv.warnings());
  }

  @Test
  void valuesAreRedactedInEveryToString() {
    var dotenv = DotenvReader.parse("A=" + SECRET, ".env");
    assertFalse(dotenv.toString().contains(SECRET), dotenv.toString());
  }

  static Stream<Arguments> files() {
    return Stream.of(
        Arguments.of(
            "not UTF-8",
            new byte[] {'A', '=', 'o', 'k', '\n', 'B', '=', (byte) 0xff},
            ".env:2:3: not UTF-8 text"),
        Arguments.of("UTF-8 read as such", "A=ü".getBytes(StandardCharsets.UTF_8), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void readsFilesAsUtf8(String name, byte[] bytes, String expected) throws IOException {
    Files.write(dir.resolve(".env"), bytes);
    if (expected == null) {
      assertEquals(Map.of("A", "ü"), values(DotenvReader.read(Path.of(".env"), dir)));
    } else {
      var failure =
          assertThrows(Failure.Usage.class, () -> DotenvReader.read(Path.of(".env"), dir));
      assertTrue(failure.lines().getFirst().startsWith(expected), failure.lines().toString());
    }
  }

  /** 100 MB (sparse, so it costs no disk): only the first MiB and a byte are ever read. */
  @Test
  void refusesAHugeFileWithoutReadingIt() throws IOException {
    Path huge = dir.resolve("huge.env");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(100L << 20);
    }
    var failure = assertThrows(Failure.Usage.class, () -> DotenvReader.read(huge, dir));
    assertTrue(
        failure.lines().getFirst().contains("larger than 1 MiB"), failure.lines().toString());
  }

  @Test
  void refusesAFolderAMissingFileAndAFifo() throws Exception {
    Files.createDirectory(dir.resolve("folder"));
    assertTrue(
        assertThrows(Failure.Usage.class, () -> DotenvReader.read(Path.of("folder"), dir))
            .lines()
            .getFirst()
            .contains("is a folder"));
    assertTrue(
        assertThrows(Failure.Usage.class, () -> DotenvReader.read(Path.of("missing"), dir))
            .lines()
            .getFirst()
            .contains("no such file"));
    Path fifo = dir.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor() == 0, "mkfifo");
    // Opening a FIFO for reading would block until a writer came: it must not be opened at all.
    assertTrue(
        assertThrows(Failure.Usage.class, () -> DotenvReader.read(fifo, dir))
            .lines()
            .getFirst()
            .contains("not a regular file"));
  }

  private static Map<String, String> values(DotenvReader.Dotenv dotenv) {
    Map<String, String> values = new LinkedHashMap<>();
    dotenv.values().forEach((k, v) -> values.put(k, v.reveal()));
    return values;
  }
}
