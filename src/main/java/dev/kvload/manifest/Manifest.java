package dev.kvload.manifest;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A parsed, valid manifest: which variable gets which secret, and which files are made of which.
 *
 * @param file where it was read from, as it is shown in messages
 * @param bindings in the order of the file
 * @param files in the order of the file
 */
public record Manifest(Path file, List<Binding> bindings, List<FileEntry> files) {
  public Manifest {
    bindings = List.copyOf(bindings);
    files = List.copyOf(files);
  }

  public Manifest(Path file, List<Binding> bindings) {
    this(file, bindings, List.of());
  }

  /** Every secret to fetch: the variables', then the files'. */
  public List<Binding> allBindings() {
    return Stream.concat(bindings.stream(), files.stream().flatMap(f -> f.sources().stream()))
        .toList();
  }

  public Set<VaultRef> vaults() {
    return allBindings().stream()
        .map(b -> b.secret().vault())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
