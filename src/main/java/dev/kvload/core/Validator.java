package dev.kvload.core;

import dev.kvload.manifest.Manifest;

/** {@code kvload validate}: the manifest alone; no credential, no network. */
public final class Validator {
  private Validator() {}

  public static Manifest validate(Session session, Settings settings) {
    Manifest manifest = new Loader(session, settings).manifest();
    session
        .diagnostics()
        .info(
            manifest.file()
                + " is valid: "
                + Loader.plural(manifest.bindings().size(), "variable")
                + (manifest.files().isEmpty()
                    ? ""
                    : " and " + Loader.plural(manifest.files().size(), "file"))
                + " from "
                + Loader.plural(manifest.vaults().size(), "vault"));
    return manifest;
  }
}
