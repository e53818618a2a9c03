package dev.kvload.core;

import dev.kvload.manifest.SecretRef;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A secret source held in memory: outcomes by secret name, for in-process tests of the core. */
public final class InMemorySource implements SecretSource, SourceFactory {
  private final Map<String, Outcome> byName = new HashMap<>();
  private final List<SecretRef> asked = new ArrayList<>();

  public InMemorySource put(String name, Outcome outcome) {
    byName.put(name, outcome);
    return this;
  }

  /** Every reference asked for, in order, across all fetches. */
  public List<SecretRef> asked() {
    return asked;
  }

  @Override
  public Map<SecretRef, Outcome> fetch(Collection<SecretRef> refs, Instant deadline) {
    Map<SecretRef, Outcome> out = new LinkedHashMap<>();
    for (SecretRef ref : refs) {
      if (!out.containsKey(ref)) {
        asked.add(ref);
        out.put(ref, byName.getOrDefault(ref.name(), new Outcome.NotFound()));
      }
    }
    return out;
  }

  @Override
  public SecretSource open(Settings settings, Session session) {
    return this;
  }

  @Override
  public void close() {}
}
