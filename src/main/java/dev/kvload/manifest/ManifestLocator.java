package dev.kvload.manifest;

import dev.kvload.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;

/** Finds and reads the manifest in the contract's lookup order. */
public final class ManifestLocator {
  /** Tried in this order when neither {@code --manifest} nor {@code KVLOAD_MANIFEST} is given. */
  public static final List<Path> DEFAULTS =
      List.of(Path.of("kvload.json"), Path.of(".devcontainer", "kvload.json"));

  /** Manifests are a few kilobytes; anything this large is a mistake, not a manifest. */
  private static final int MAX_BYTES = 4 << 20;

  private ManifestLocator() {}

  /**
   * Loads the manifest.
   *
   * @param option the {@code --manifest} value, or null
   * @param cwd where relative paths start
   * @param vaultOverride replaces the manifest's default vault, or null
   */
  public static Manifest load(
      String option, Map<String, String> env, Path cwd, VaultRef vaultOverride) {
    Path file = locate(option, env, cwd);
    return ManifestParser.parse(
        read(file, cwd), file, cwd.resolve(file).toAbsolutePath().getParent(), vaultOverride);
  }

  static Path locate(String option, Map<String, String> env, Path cwd) {
    if (option != null && !option.isEmpty()) {
      return Path.of(option);
    }
    String fromEnv = env.get("KVLOAD_MANIFEST");
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return Path.of(fromEnv);
    }
    for (Path candidate : DEFAULTS) {
      if (Files.exists(cwd.resolve(candidate))) {
        return candidate;
      }
    }
    throw new Failure.Manifest(
        "no manifest: looked for ./kvload.json and ./.devcontainer/kvload.json in " + cwd,
        "write one with 'kvload init --vault VAULT' (or move a .env file's values into Key Vault"
            + " and a new manifest with 'kvload import .env --vault VAULT'), or pass -m FILE or set"
            + " KVLOAD_MANIFEST");
  }

  /**
   * Reads a regular file, or a link to one, and at most {@link #MAX_BYTES}: a FIFO would block the
   * read forever and a device such as {@code /dev/zero} would never end, so neither is opened.
   */
  private static byte[] read(Path file, Path cwd) {
    Path resolved = cwd.resolve(file);
    try {
      BasicFileAttributes attributes = Files.readAttributes(resolved, BasicFileAttributes.class);
      if (attributes.isDirectory()) {
        throw new Failure.Manifest(file + ": is a directory, not a manifest file");
      }
      if (!attributes.isRegularFile()) {
        throw new Failure.Manifest(
            file + ": is not a regular file (a FIFO, device or socket), so it is not read",
            "pass -m with the path of a kvload.json file");
      }
      try (InputStream in = Files.newInputStream(resolved)) {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
          throw new Failure.Manifest(
              file + ": larger than 4 MiB; is this really a kvload manifest?");
        }
        return bytes;
      }
    } catch (NoSuchFileException e) {
      throw new Failure.Manifest(
          file + ": manifest not found",
          "check the path given by -m/--manifest or KVLOAD_MANIFEST");
    } catch (IOException e) {
      throw new Failure.Manifest(file + ": cannot read the manifest: " + e.getMessage());
    }
  }

  /**
   * Where {@code init} and {@code import} write the manifest: the one kvload would read ({@code
   * --manifest}, {@code KVLOAD_MANIFEST}, then the first default that exists), else a new one in
   * {@code .devcontainer/} when that folder exists, else {@code ./kvload.json}.
   */
  public static Path target(String option, Map<String, String> env, Path cwd) {
    try {
      return locate(option, env, cwd);
    } catch (Failure.Manifest none) {
      return Files.isDirectory(cwd.resolve(".devcontainer")) ? DEFAULTS.get(1) : DEFAULTS.get(0);
    }
  }
}
