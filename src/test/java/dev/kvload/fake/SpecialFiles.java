package dev.kvload.fake;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

/**
 * Files that are not regular files, made inside a test's own folder: never a real {@code /dev} node
 * as a target. A device node can only be made by root ({@code mknod}); elsewhere the test that
 * needs one is skipped, saying why.
 */
public final class SpecialFiles {
  /** The kinds a test can ask for. */
  public enum Kind {
    FIFO,
    SOCKET,
    CHARACTER_DEVICE,
    BLOCK_DEVICE
  }

  private SpecialFiles() {}

  public static Path make(Kind kind, Path path) {
    switch (kind) {
      case FIFO -> command("mkfifo", path.toString());
      case SOCKET -> socket(path);
      case CHARACTER_DEVICE -> {
        // 1,3 are /dev/null's numbers: harmless even if something wrote through the node.
        assumeTrue(
            status("mknod", path.toString(), "c", "1", "3") == 0,
            "mknod needs root (CAP_MKNOD): the character device case is skipped");
      }
      case BLOCK_DEVICE -> {
        // Major 240 is reserved for local use and names no device here: opening the node fails
        // (ENXIO), so even a writer that opened it could reach no disk.
        assumeTrue(
            status("mknod", path.toString(), "b", "240", "0") == 0,
            "mknod needs root (CAP_MKNOD): the block device case is skipped");
      }
    }
    return path;
  }

  /** A socket file, as a server's bind leaves it; nobody listens once this returns. */
  private static void socket(Path path) {
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command (chmod, chown, mkfifo) that must succeed. */
  public static void command(String... command) {
    if (status(command) != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
  }

  private static int status(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
