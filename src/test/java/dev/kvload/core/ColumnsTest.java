package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The lists import and init print: each column but the last padded to its widest cell. */
class ColumnsTest {
  static Stream<Arguments> tables() {
    return Stream.of(
        Arguments.of("no rows, no lines", List.of(), List.of()),
        Arguments.of(
            "one row: cells joined by the gap, nothing padded",
            List.of(List.of("DATABASE_URL", "db-url")),
            List.of("  DATABASE_URL  db-url")),
        Arguments.of(
            "the first column padded to its widest cell; the last never padded",
            List.of(List.of("A", "short"), List.of("LONGER_NAME", "x"), List.of("BB", "medium")),
            List.of("  A            short", "  LONGER_NAME  x", "  BB           medium")),
        Arguments.of(
            "every column but the last lined up",
            List.of(List.of("A", "1", "last"), List.of("BBB", "22222", "z")),
            List.of("  A    1      last", "  BBB  22222  z")),
        Arguments.of(
            "a short row takes the widths of the others and ends at its own last cell",
            List.of(List.of("NAME", "secret", "vault"), List.of("X")),
            List.of("  NAME  secret  vault", "  X")),
        Arguments.of(
            "a longer row later widens the column for the rows before it",
            List.of(List.of("ab", "x", "end"), List.of("a", "longer", "end")),
            List.of("  ab  x       end", "  a   longer  end")),
        Arguments.of(
            "equal widths: no padding beyond the gap",
            List.of(List.of("ab", "cd"), List.of("ef", "gh")),
            List.of("  ab  cd", "  ef  gh")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tables")
  void linesUp(String name, List<List<String>> rows, List<String> lines) {
    assertEquals(lines, Columns.of(rows, "  ", "  "));
  }

  /** Importer's "next steps" use a wider gap; the padding comes before the gap. */
  @Test
  void indentAndGapAreTheCallers() {
    assertEquals(
        List.of("> A  | 1", "> BBB| 22"),
        Columns.of(List.of(List.of("A", "1"), List.of("BBB", "22")), "> ", "| "));
  }
}
