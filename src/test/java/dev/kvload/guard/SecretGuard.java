package dev.kvload.guard;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The suite-wide secret guard. Registered for every test class of the suite through {@code
 * META-INF/services} and {@code junit.jupiter.extensions.autodetection.enabled} (see {@code
 * junit-platform.properties}), so no test can leave it out.
 *
 * <p>After each test it gathers every {@link Guarded} field of the test instances, and the guarded
 * elements of collection fields (fakes, process harnesses, in-process runners), and checks every
 * output any of them holds against every secret value any of them knows: a value from one fake must
 * not appear in the output of another runner either. Each runner also checks each run at once, so a
 * leak fails at the line that caused it.
 */
public final class SecretGuard implements AfterEachCallback {
  @Override
  public void afterEach(ExtensionContext context) throws IllegalAccessException {
    check(context.getRequiredTestInstances().getAllInstances());
  }

  /** Checks every output of every {@link Guarded} field of these test instances. */
  static void check(List<Object> instances) throws IllegalAccessException {
    List<Guarded> guarded = new ArrayList<>();
    for (Object instance : instances) {
      for (Class<?> c = instance.getClass(); c != null; c = c.getSuperclass()) {
        for (Field field : c.getDeclaredFields()) {
          if (field.getType().isPrimitive() || field.getType().getName().startsWith("java.lang.")) {
            continue;
          }
          field.setAccessible(true);
          switch (field.get(instance)) {
            case Guarded g -> guarded.add(g);
            case Iterable<?> many -> {
              for (Object element : many) {
                if (element instanceof Guarded g) {
                  guarded.add(g);
                }
              }
            }
            case null, default -> {}
          }
        }
      }
    }
    List<String> values = new ArrayList<>();
    guarded.forEach(g -> values.addAll(g.secretValues()));
    for (Guarded g : guarded) {
      for (Output output : g.outputs()) {
        Leaks.assertNone(values, output);
      }
    }
  }
}
