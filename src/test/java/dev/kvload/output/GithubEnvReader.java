package dev.kvload.output;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the {@code $GITHUB_ENV} heredoc form ({@code NAME<<DELIM}) as the Actions runner does. */
public final class GithubEnvReader {
  private GithubEnvReader() {}

  public static Map<String, String> read(String text) {
    Map<String, String> vars = new LinkedHashMap<>();
    List<String> lines = List.of(text.split("\n", -1));
    for (int i = 0; i < lines.size(); i++) {
      int at = lines.get(i).indexOf("<<");
      if (at < 0) {
        continue;
      }
      String name = lines.get(i).substring(0, at);
      String delimiter = lines.get(i).substring(at + 2);
      StringBuilder value = new StringBuilder();
      String sep = "";
      while (!lines.get(++i).equals(delimiter)) {
        value.append(sep).append(lines.get(i));
        sep = "\n";
      }
      vars.put(name, value.toString());
    }
    return vars;
  }
}
