package dev.kvload.output;

import dev.kvload.importing.DotenvReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the export format's dotenv text gives back to kvload import's reader, which is written from
 * the dialect's rules rather than from the writer: variable → value.
 */
public final class DotenvValues {
  private DotenvValues() {}

  public static Map<String, String> read(String text) {
    Map<String, String> values = new LinkedHashMap<>();
    DotenvReader.parse(text, "dotenv").values().forEach((k, v) -> values.put(k, v.reveal()));
    return values;
  }
}
