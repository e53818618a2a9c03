package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvload.manifest.VaultRef;
import dev.kvload.output.CheckReport.Level;
import dev.kvload.output.CheckReport.Row;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckReportTest {
  static final VaultRef DEV = VaultRef.parse("contoso-dev");
  static final VaultRef LOCAL = VaultRef.parse("https://127.0.0.1:8443");
  static final Instant EXP = Instant.parse("2026-03-01T12:30:45.123Z");
  static final String VERSION = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

  static Row row(String variable, String status, Level level, String detail, boolean optional) {
    return new Row(
        variable, "db-url", DEV, VERSION, status, EXP, null, optional, level, detail, 3, 5);
  }

  static Stream<Arguments> tableRows() {
    return Stream.of(
        Arguments.of(
            "ok",
            row("DATABASE_URL", "ok", Level.OK, null, false),
            "DATABASE_URL  db-url  contoso-dev  0f1e2d3c  ok  2026-03-01"),
        Arguments.of(
            "expiring",
            row("DATABASE_URL", "expiring", Level.WARNING, "expires in 3 days", false),
            "DATABASE_URL  db-url  contoso-dev  0f1e2d3c  expiring  2026-03-01  expires in 3 days"),
        Arguments.of(
            "optional and missing",
            new Row(
                "FEATURE_X",
                "feature-x",
                DEV,
                null,
                "missing",
                null,
                null,
                true,
                Level.WARNING,
                "not found",
                4,
                5),
            "FEATURE_X  feature-x  contoso-dev  -  missing  -  not found (optional)"),
        Arguments.of(
            "optional and ok: no note",
            new Row(
                "FEATURE_X", "feature-x", DEV, "abc", "ok", null, null, true, Level.OK, null, 4, 5),
            "FEATURE_X  feature-x  contoso-dev  abc  ok  -"),
        Arguments.of(
            "vault by URL, pinned version short already",
            new Row(
                "TOKEN",
                "token",
                LOCAL,
                "a1b2c3",
                "unreachable",
                null,
                null,
                false,
                Level.ERROR,
                "connection refused",
                5,
                5),
            "TOKEN  token  https://127.0.0.1:8443  a1b2c3  unreachable  -  connection refused"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tableRows")
  void tableRow(String name, Row row, String expected) {
    String[] lines = CheckReport.table(List.of(row)).split("\n");
    assertEquals(2, lines.length);
    assertTrue(lines[0].startsWith("VARIABLE"), lines[0]);
    assertEquals(expected, lines[1].replaceAll(" {2,}", "  "));
  }

  @Test
  void tableColumnsLineUp() {
    String table =
        CheckReport.table(
            List.of(
                row("A", "ok", Level.OK, null, false),
                row("LONGER_NAME", "not-yet-valid", Level.ERROR, "not valid before x", false)));
    List<String> lines = table.lines().toList();
    int status = lines.get(0).indexOf("STATUS");
    assertEquals(status, lines.get(1).indexOf("ok"));
    assertEquals(status, lines.get(2).indexOf("not-yet-valid"));
    lines.forEach(l -> assertEquals(l.stripTrailing(), l, "no trailing blanks"));
  }

  @Test
  void jsonIsAnArrayOfObjectsWithEveryField() throws Exception {
    JsonNode json =
        new ObjectMapper()
            .readTree(
                CheckReport.json(
                    List.of(
                        row("DATABASE_URL", "ok", Level.OK, null, false),
                        new Row(
                            "FEATURE_X",
                            "feature-x",
                            LOCAL,
                            null,
                            "missing",
                            null,
                            null,
                            true,
                            Level.WARNING,
                            "not found",
                            4,
                            5))));
    assertTrue(json.isArray());
    assertEquals(2, json.size());
    JsonNode ok = json.get(0);
    assertEquals(
        List.of(
            "variable",
            "secret",
            "vault",
            "version",
            "status",
            "level",
            "optional",
            "expires",
            "notBefore",
            "detail"),
        iterable(ok.fieldNames()));
    assertEquals("DATABASE_URL", ok.get("variable").asText());
    assertEquals("db-url", ok.get("secret").asText());
    assertEquals("https://contoso-dev.vault.azure.net", ok.get("vault").asText());
    assertEquals(VERSION, ok.get("version").asText(), "the full version, not the short one");
    assertEquals("ok", ok.get("status").asText());
    assertEquals("ok", ok.get("level").asText());
    assertFalse(ok.get("optional").asBoolean());
    assertEquals("2026-03-01T12:30:45Z", ok.get("expires").asText());
    assertTrue(ok.get("notBefore").isNull());
    assertTrue(ok.get("detail").isNull());
    JsonNode missing = json.get(1);
    assertEquals("https://127.0.0.1:8443", missing.get("vault").asText());
    assertTrue(missing.get("version").isNull());
    assertTrue(missing.get("expires").isNull());
    assertEquals("warning", missing.get("level").asText());
    assertTrue(missing.get("optional").asBoolean());
    assertEquals("not found", missing.get("detail").asText());
  }

  @Test
  void jsonOfNoRowsIsAnEmptyArray() throws Exception {
    assertEquals(0, new ObjectMapper().readTree(CheckReport.json(List.of())).size());
  }

  static Stream<Arguments> markdownRows() {
    return Stream.of(
        Arguments.of(
            "ok",
            row("DATABASE_URL", "ok", Level.OK, null, false),
            "| ✅ | `DATABASE_URL` | `db-url` | contoso-dev | `0f1e2d3c` | ok | 2026-03-01 |  |"),
        Arguments.of(
            "error",
            row("DATABASE_URL", "forbidden", Level.ERROR, "access denied (HTTP 403)", false),
            "| ❌ | `DATABASE_URL` | `db-url` | contoso-dev | `0f1e2d3c` | forbidden | 2026-03-01"
                + " | access denied (HTTP 403) |"),
        Arguments.of(
            "cells cannot break the table or inject HTML",
            row("X", "unreachable", Level.ERROR, "a|b\nc <b>&", false),
            "| ❌ | `X` | `db-url` | contoso-dev | `0f1e2d3c` | unreachable | 2026-03-01"
                + " | a\\|b\\\\u000ac \\<b\\>\\& |"),
        Arguments.of(
            "cells cannot add links, images or emphasis",
            row("X", "unreachable", Level.ERROR, "![x](https://e.test/p) *b* _i_ ~s~ `c`", false),
            "| ❌ | `X` | `db-url` | contoso-dev | `0f1e2d3c` | unreachable | 2026-03-01"
                + " | \\!\\[x\\](https://e.test/p) \\*b\\* \\_i\\_ \\~s\\~ \\`c\\` |"),
        Arguments.of(
            "optional warning",
            new Row(
                "FEATURE_X",
                "feature-x",
                DEV,
                null,
                "missing",
                null,
                null,
                true,
                Level.WARNING,
                "not found",
                4,
                5),
            "| ⚠️ | `FEATURE_X` | `feature-x` | contoso-dev |  | missing |  | not found (optional) |"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("markdownRows")
  void markdownRow(String name, Row row, String expected) {
    List<String> lines = CheckReport.markdown(List.of(row)).lines().toList();
    assertTrue(lines.get(0).startsWith("### kvload check: 1 "), lines.get(0));
    assertEquals(
        "| | Variable | Secret | Vault | Version | Status | Expires | Note |", lines.get(2));
    assertEquals(expected, lines.get(4));
  }

  static Stream<Arguments> annotationRows() {
    return Stream.of(
        Arguments.of("ok rows say nothing", row("A", "ok", Level.OK, null, false), ""),
        Arguments.of(
            "error",
            row("A", "missing", Level.ERROR, "not found", false),
            "::error file=kvload.json,line=3,col=5,title=kvload check%3A A missing::A: secret"
                + " 'db-url' in vault contoso-dev is missing: not found\n"),
        Arguments.of(
            "warning",
            row("A", "expiring", Level.WARNING, "expires in 2 days", false),
            "::warning file=kvload.json,line=3,col=5,title=kvload check%3A A expiring::A: secret"
                + " 'db-url' in vault contoso-dev is expiring: expires in 2 days\n"),
        Arguments.of(
            "optional",
            row("A", "disabled", Level.WARNING, "disabled in the vault", true),
            "::warning file=kvload.json,line=3,col=5,title=kvload check%3A A disabled::A: secret"
                + " 'db-url' in vault contoso-dev is disabled: disabled in the vault (optional, so"
                + " this fails nothing)\n"),
        Arguments.of(
            "a detail with a newline stays one command",
            row("A", "unreachable", Level.ERROR, "50%\ndown", false),
            "::error file=kvload.json,line=3,col=5,title=kvload check%3A A unreachable::A: secret"
                + " 'db-url' in vault contoso-dev is unreachable: 50%25%0Adown\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("annotationRows")
  void annotation(String name, Row row, String expected) {
    assertEquals(expected, CheckReport.annotations(List.of(row), "kvload.json"));
  }

  /** A version as a hostile vault's {@code id} could end, and a detail with every kind of trap. */
  static final String HOSTILE_VERSION = "\u001b]0;pwned\u0007";

  static final String HOSTILE_DETAIL =
      "a\u001b[2Jb\u202ec\u2066d\u200be\u009bf\ng ##[error]h ::warning::i";

  static Row hostile() {
    return new Row(
        "A",
        "db-url",
        DEV,
        HOSTILE_VERSION,
        "unreachable",
        null,
        null,
        false,
        Level.ERROR,
        HOSTILE_DETAIL,
        3,
        5);
  }

  static void assertInert(String shown) {
    assertFalse(
        shown.codePoints().anyMatch(c -> dev.kvload.Printable.unsafe(c) && c != '\n'), shown);
    for (String line : shown.lines().toList()) {
      RunnerLog runner = new RunnerLog().read(line);
      assertTrue(
          runner.actedNames().stream().allMatch(n -> n.equals("error")),
          "no command but kvload's own annotation: " + runner.acted());
    }
  }

  @Test
  void hostileStringsReachNoTerminalAndNoRunnerInTheTable() {
    String table = CheckReport.table(List.of(hostile()));
    assertInert(table);
    assertEquals(2, table.lines().count(), "one line per row");
    assertTrue(table.contains("  \\u001b]0;pwne  "), "the version, cut to 8: " + table);
    assertTrue(
        table.contains("a\\u001b[2Jb\\u202ec\\u2066d\\u200be\\u009bf\\u000ag #\\u0023[error]h"),
        table);
    assertEquals(List.of(), new RunnerLog().read(table).acted());
  }

  /** JSON keeps every string exact for a reader, and shows a terminal or the runner nothing. */
  @Test
  void hostileStringsStayExactInJsonButInert() throws Exception {
    String json = CheckReport.json(List.of(hostile()));
    assertInert(json);
    assertFalse(json.contains("#"), json);
    assertEquals(List.of(), new RunnerLog().read(json).acted());
    JsonNode row = new ObjectMapper().readTree(json).get(0);
    assertEquals(HOSTILE_VERSION, row.get("version").asText());
    assertEquals(HOSTILE_DETAIL, row.get("detail").asText());
  }

  @Test
  void surrogatePairsSurviveTheEscapesAndALoneOneStillMakesJson() throws Exception {
    Row row =
        new Row("A", "db-url", DEV, "v\ud800x", "ok", null, null, false, Level.OK, "😀", 3, 5);
    JsonNode json = new ObjectMapper().readTree(CheckReport.json(List.of(row))).get(0);
    assertEquals("😀", json.get("detail").asText());
  }

  @Test
  void hostileStringsInTheStepSummaryAndAnnotations() {
    String markdown = CheckReport.markdown(List.of(hostile()));
    assertInert(markdown);
    assertEquals(6, markdown.lines().count(), "title, blank, header, rule, one row, blank");
    String annotations = CheckReport.annotations(List.of(hostile()), "kvload.json");
    assertInert(annotations);
    RunnerLog runner = new RunnerLog().read(annotations);
    assertEquals(1, runner.acted().size(), runner.acted().toString());
    assertTrue(
        runner.acted().getFirst().contains("a\\u001b[2Jb\\u202ec"), runner.acted().toString());
  }

  @Test
  void countsFollowTheRows() {
    assertEquals(
        "2 ok, 1 missing",
        CheckReport.counts(
            List.of(
                row("A", "ok", Level.OK, null, false),
                row("B", "missing", Level.ERROR, "x", false),
                row("C", "ok", Level.OK, null, false))));
    assertEquals("no secrets mapped", CheckReport.counts(List.of()));
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
