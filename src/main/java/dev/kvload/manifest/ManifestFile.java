package dev.kvload.manifest;

import dev.kvload.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * A manifest that kvload writes ({@code init}, {@code import}): read as UTF-8 text, and written
 * only as a regular file. A symbolic link in its place is refused, never followed: a cloned
 * repository's {@code kvload.json} could point anywhere the user may write.
 */
public final class ManifestFile {
  private static final int MAX_BYTES = 4 << 20;

  private ManifestFile() {}

  /**
   * The manifest's text, or empty when there is none yet.
   *
   * @param shown the path as messages show it
   * @throws Failure.Output when a link, a folder or a special file stands there
   * @throws Failure.Manifest when it is too large or not UTF-8
   */
  public static Optional<String> read(Path file, String shown) {
    if (!exists(file, shown)) {
      return Optional.empty();
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new Failure.Output(
          shown + ": cannot read the manifest (" + e.getClass().getSimpleName() + ")", e);
    }
    if (bytes.length > MAX_BYTES) {
      throw new Failure.Manifest(shown + ": larger than 4 MiB; is this really a kvload manifest?");
    }
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      throw new Failure.Manifest(
          shown + ": not UTF-8 text; kvload edits UTF-8 manifests only: save it as UTF-8");
    }
  }

  /**
   * Creates the manifest; refused when anything, a link included, is in its place.
   *
   * @throws Failure.Output when it cannot be written
   */
  public static void create(Path file, String shown, String text) {
    try {
      Path folder = file.toAbsolutePath().getParent();
      Files.createDirectories(folder);
      Files.write(
          file,
          text.getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      throw new Failure.Output(
          shown + ": already exists; kvload leaves it as it is (init --force replaces it)", e);
    } catch (IOException e) {
      throw new Failure.Output(
          shown + ": cannot write the manifest (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /**
   * Replaces the manifest at once (a file beside it, then a rename): a reader never sees half of
   * it. The new file keeps the old one's permissions; a link in its place is refused.
   *
   * @throws Failure.Output when it cannot be written
   */
  public static void replace(Path file, String shown, String text) {
    Path temp = null;
    try {
      Optional<BasicFileAttributes> old = attributes(file);
      if (old.isPresent()) {
        refuseUnlessRegular(old.get(), shown);
      }
      Path folder = file.toAbsolutePath().getParent();
      temp = Files.createTempFile(folder, ".kvload-", ".json.tmp");
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      if (old.isPresent()) {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        Files.setPosixFilePermissions(temp, mode);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
    } catch (IOException | UnsupportedOperationException e) {
      throw new Failure.Output(
          shown + ": cannot write the manifest (" + e.getClass().getSimpleName() + ")", e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // Nothing more to do: the failure above is what matters.
        }
      }
    }
  }

  /**
   * Whether a manifest is at {@code file}.
   *
   * @throws Failure.Output when a link, a folder or a special file stands there
   */
  public static boolean exists(Path file, String shown) {
    try {
      Optional<BasicFileAttributes> attributes = attributes(file);
      attributes.ifPresent(a -> refuseUnlessRegular(a, shown));
      return attributes.isPresent();
    } catch (IOException e) {
      throw new Failure.Output(
          shown + ": cannot tell what is there (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static Optional<BasicFileAttributes> attributes(Path file) throws IOException {
    try {
      return Optional.of(
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** A link, folder or special file where the manifest should be: refused, left untouched. */
  private static void refuseUnlessRegular(BasicFileAttributes attributes, String shown) {
    if (attributes.isSymbolicLink()) {
      throw new Failure.Output(
          shown
              + ": is a symbolic link; kvload writes manifests only as regular files and never"
              + " through a link: pass -m with the file it points to",
          null);
    }
    if (!attributes.isRegularFile()) {
      throw new Failure.Output(
          shown + ": is not a regular file (a folder, FIFO, device or socket); left untouched",
          null);
    }
  }
}
