package dev.kvload.core;

import java.util.ArrayList;
import java.util.List;

/** Rows of words lined up in columns, for the lists that import and init print. */
final class Columns {
  private Columns() {}

  /**
   * Each row as one line, every column but the last padded to its widest cell.
   *
   * @param indent put before each line
   * @param gap put between columns
   */
  static List<String> of(List<List<String>> rows, String indent, String gap) {
    List<Integer> widths = new ArrayList<>();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        if (widths.size() <= i) {
          widths.add(0);
        }
        widths.set(i, Math.max(widths.get(i), row.get(i).length()));
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        line.append(cell);
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths.get(i) - cell.length())).append(gap);
        }
      }
      lines.add(line.toString());
    }
    return lines;
  }
}
