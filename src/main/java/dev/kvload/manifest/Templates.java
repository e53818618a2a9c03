package dev.kvload.manifest;

import dev.kvload.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Reads a template the manifest names, from inside the manifest's own folder only. */
final class Templates {
  private Templates() {}

  /**
   * @param folder the manifest's folder
   * @param manifest the manifest as shown in messages
   * @param relative checked by {@link FilePaths} already
   */
  static Template read(Path folder, Path manifest, String relative, String label) {
    Path shown = manifest.resolveSibling(relative);
    Path file = folder.resolve(relative);
    try {
      // A link in a cloned repository could point at any file of the user's (~/.ssh/id_ed25519),
      // which kvload would then copy into a file a program is given: only the repository's own.
      Path real = file.toRealPath();
      if (!real.startsWith(folder.toRealPath())
          || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new Failure.Manifest(
            shown
                + ": the template is a link or leaves the manifest's folder; templates must be"
                + " regular files beside the manifest");
      }
      try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
        byte[] bytes = in.readNBytes(TemplateParser.MAX_BYTES + 1);
        return TemplateParser.parse(bytes, shown, label);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new Failure.Manifest(shown + ": no such template");
    } catch (IOException e) {
      throw new Failure.Manifest(
          shown + ": cannot read the template (" + e.getClass().getSimpleName() + ")");
    }
  }
}
