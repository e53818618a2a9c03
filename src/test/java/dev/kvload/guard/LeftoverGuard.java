package dev.kvload.guard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves something behind on the machine: a {@link TestFolder} not removed
 * when its test ended, or {@code /dev/null} no longer a character device (as root, one {@code
 * export -o /dev/null} once replaced it with a file of test secrets). Registered for every test
 * class like {@link SecretGuard}.
 */
public final class LeftoverGuard implements BeforeAllCallback, AfterAllCallback {
  static final Path DEV_NULL = Path.of("/dev/null");

  /** {@code S_IFMT} and {@code S_IFCHR} of {@code st_mode}. */
  private static final int TYPE = 0170000;

  private static final int CHARACTER_DEVICE = 0020000;

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LeftoverGuard.class);

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    context.getStore(NAMESPACE).put("devNull", characterDevice(DEV_NULL));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (context.getRequiredTestClass().getEnclosingClass() != null) {
      return; // a nested class: its outer class may still hold folders, and is checked after it
    }
    check(
        context.getRequiredTestClass().getSimpleName(),
        DEV_NULL,
        context.getStore(NAMESPACE).get("devNull", Boolean.class));
  }

  /**
   * Fails when {@code devNull} was a character device before the test class and is not now, or when
   * this run's {@link TestFolder}s are still there (removed first, so one class's leftover does not
   * fail every class after it).
   */
  static void check(String test, Path devNull, boolean devNullBefore) throws IOException {
    if (devNullBefore && !characterDevice(devNull)) {
      throw new AssertionError(
          test
              + " left "
              + devNull
              + " other than a character device: as root, restore it (rm /dev/null; mknod -m 666"
              + " /dev/null c 1 3), then find what wrote there");
    }
    List<Path> left = TestFolder.present();
    if (!left.isEmpty()) {
      left.forEach(TestFolder::remove);
      throw new AssertionError(
          test
              + " left "
              + left
              + " behind (removed now): close each Harness, TmpfsFolder and TestFolder when its"
              + " test ends");
    }
  }

  static boolean characterDevice(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & TYPE) == CHARACTER_DEVICE;
  }
}
