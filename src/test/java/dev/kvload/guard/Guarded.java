package dev.kvload.guard;

import java.util.Collection;
import java.util.List;

/**
 * Something in a test that knows secret values (a fake vault) or holds what kvload printed (a
 * process run, an in-process run). {@link SecretGuard} checks every field of this type after every
 * test, so a test cannot forget to.
 */
public interface Guarded {
  /** Values that must never appear where the test did not ask for them. */
  Collection<String> secretValues();

  /** Everything kvload printed so far. */
  List<Output> outputs();
}
