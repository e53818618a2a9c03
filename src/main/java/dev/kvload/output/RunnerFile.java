package dev.kvload.output;

import dev.kvload.Failure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A file the GitHub Actions runner hands a step ({@code $GITHUB_ENV}, {@code
 * $GITHUB_STEP_SUMMARY}). The runner owns it and reads it after the step, so it is appended to,
 * never replaced: the tmpfs rule and the atomic rename of {@link EnvFileWriter} cannot apply to a
 * file whose place the runner chose, and replacing it would drop what earlier commands of the same
 * step wrote there.
 */
public final class RunnerFile {
  private RunnerFile() {}

  /**
   * Appends {@code content} in one write to the end of {@code file}, creating it (mode 0600) when
   * the runner has not yet; a symbolic link is refused.
   *
   * @param name how messages call the file, e.g. {@code $GITHUB_ENV}
   * @throws Failure.Output when the file cannot be written
   */
  public static void append(Path file, String name, byte[] content) {
    try (FileChannel channel =
        FileChannel.open(
            file,
            Set.of(
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND,
                StandardOpenOption.CREATE,
                LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new Failure.Output(
          name + " (" + file + "): cannot append: " + e.getClass().getSimpleName(), e);
    }
  }
}
