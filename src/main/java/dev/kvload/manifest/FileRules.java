package dev.kvload.manifest;

import dev.kvload.Printable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What must hold between files and variables once both are read. */
final class FileRules {
  private FileRules() {}

  static void check(
      List<Binding> bindings, List<FileEntry> files, List<String> problems, Path file) {
    Set<String> variables = new HashSet<>();
    bindings.forEach(b -> variables.add(b.variable()));
    Map<String, FileEntry> envs = new HashMap<>();
    Set<String> paths = new HashSet<>();
    files.forEach(f -> paths.add(f.path()));
    for (FileEntry f : files) {
      String where = file + ":" + f.line() + ":" + f.column() + ": " + f.label() + ": ";
      if (f.env() != null) {
        if (variables.contains(f.env())) {
          problems.add(
              where
                  + "\"env\": "
                  + f.env()
                  + " is already mapped in \"secrets\"; give the file's path another variable");
        } else if (envs.putIfAbsent(f.env(), f) != null) {
          problems.add(
              where
                  + "\"env\": "
                  + f.env()
                  + " already receives the path of "
                  + envs.get(f.env()).label());
        }
      }
      // "a" and "a/b" cannot both be files.
      String[] segments = f.path().split("/");
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < segments.length - 1; i++) {
        prefix.append(i == 0 ? "" : "/").append(segments[i]);
        if (paths.contains(prefix.toString())) {
          problems.add(
              where + "'" + prefix + "' is a file of its own, so it cannot be a folder too");
        }
      }
      if (f.template() != null) {
        for (Template.Variable v : f.template().variables()) {
          if (!variables.contains(v.name())) {
            problems.add(
                f.template().file()
                    + ":"
                    + v.line()
                    + ":"
                    + v.column()
                    + ": "
                    + Printable.of(v.name())
                    + " is not a variable of the manifest's \"secrets\"; map it there, or name the"
                    + " secret by its URL");
          }
        }
      }
    }
  }
}
