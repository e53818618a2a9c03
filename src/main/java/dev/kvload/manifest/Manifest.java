package dev.kvload.manifest;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A parsed, valid manifest: which variable gets which secret.
 *
 * @param file where it was read from, as it is shown in messages
 * @param bindings in the order of the file
 */
public record Manifest(Path file, List<Binding> bindings) {
  public Manifest {
    bindings = List.copyOf(bindings);
  }

  public Set<VaultRef> vaults() {
    return bindings.stream()
        .map(b -> b.secret().vault())
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }
}
