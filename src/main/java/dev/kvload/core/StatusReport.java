package dev.kvload.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kvload.Failure;
import dev.kvload.auth.DefaultPrediction;
import dev.kvload.auth.LoginStore;
import dev.kvload.auth.StoredLogin;
import dev.kvload.manifest.Manifest;
import dev.kvload.manifest.VaultRef;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code kvload status}: who is signed in, which credential {@code default} would use here and why,
 * and which vaults the manifest names. Reads files and the environment only (and makes the one IMDS
 * connect the chain would make); never a token, a secret or a value.
 */
public final class StatusReport {
  private StatusReport() {}

  /** What the report says, for the text and the JSON forms alike. */
  record Report(
      Path loginFile,
      StoredLogin login,
      String loginProblem,
      DefaultPrediction.Prediction prediction,
      Manifest manifest,
      String manifestProblem) {}

  public static void status(Session session, Settings settings, boolean json) {
    Report report = gather(session, settings);
    if (json) {
      json(report, session.out());
    } else {
      text(report, session.out());
    }
    session.out().flush();
  }

  private static Report gather(Session session, Settings settings) {
    Path file = null;
    StoredLogin login = null;
    String loginProblem = null;
    try {
      LoginStore store = LoginStore.of(session.env());
      file = store.file();
      Optional<StoredLogin> stored = store.load();
      login = stored.orElse(null);
    } catch (Failure e) {
      loginProblem = e.lines().getFirst();
    }
    Manifest manifest = null;
    String manifestProblem = null;
    try {
      manifest = new Loader(session, settings).manifest();
    } catch (Failure.Manifest e) {
      manifestProblem = e.lines().getFirst();
    }
    return new Report(
        file,
        login,
        loginProblem,
        DefaultPrediction.predict(settings.auth(), session.env()),
        manifest,
        manifestProblem);
  }

  private static void text(Report r, PrintStream out) {
    if (r.login() != null) {
      StoredLogin l = r.login();
      out.println("signed in as " + SignIn.who(l) + " with 'kvload login'");
      out.println("  app:             " + l.clientId() + " at " + l.authorityHost());
      out.println("  signed in:       " + l.signedIn());
      out.println("  refresh token:   last used " + l.refreshed());
      out.println("  kept in:         " + r.loginFile() + " (readable by you only, not encrypted)");
    } else if (r.loginProblem() != null) {
      out.println("login: " + r.loginProblem());
    } else {
      out.println(
          "not signed in with 'kvload login' (it would keep the login in " + r.loginFile() + ")");
    }
    DefaultPrediction.Prediction p = r.prediction();
    out.println(
        "--auth default here: "
            + (p.credential() == null ? "no credential" : p.credential())
            + " ("
            + p.reason()
            + ")");
    for (String skipped : p.skipped()) {
      out.println("  passed over " + skipped);
    }
    if (r.manifest() != null) {
      List<String> vaults = r.manifest().vaults().stream().map(VaultRef::baseUrl).toList();
      out.println(
          "manifest: "
              + r.manifest().file()
              + " names "
              + Loader.plural(vaults.size(), "vault")
              + (vaults.isEmpty() ? "" : ": " + String.join(", ", vaults)));
    } else {
      out.println("no manifest: " + r.manifestProblem());
    }
  }

  private static void json(Report r, PrintStream out) {
    try (JsonGenerator json =
        new JsonFactory()
            .createGenerator((OutputStream) out)
            .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)) {
      json.writeStartObject();
      json.writeObjectFieldStart("login");
      json.writeBooleanField("signedIn", r.login() != null);
      json.writeStringField("file", r.loginFile() == null ? null : r.loginFile().toString());
      if (r.login() != null) {
        StoredLogin l = r.login();
        json.writeStringField("user", l.username());
        json.writeStringField("tenant", l.homeTenant() != null ? l.homeTenant() : l.tenant());
        json.writeStringField("signInTenant", l.tenant());
        json.writeStringField("clientId", l.clientId());
        json.writeStringField("authorityHost", l.authorityHost());
        json.writeStringField("signedInAt", l.signedIn().toString());
        json.writeStringField("refreshTokenLastUsed", l.refreshed().toString());
      }
      if (r.loginProblem() != null) {
        json.writeStringField("problem", r.loginProblem());
      }
      json.writeEndObject();
      DefaultPrediction.Prediction p = r.prediction();
      json.writeObjectFieldStart("default");
      json.writeStringField("credential", p.credential());
      json.writeStringField("reason", p.reason());
      json.writeArrayFieldStart("passedOver");
      for (String skipped : p.skipped()) {
        json.writeString(skipped);
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeObjectFieldStart("manifest");
      if (r.manifest() != null) {
        json.writeStringField("file", r.manifest().file().toString());
        json.writeArrayFieldStart("vaults");
        for (VaultRef vault : r.manifest().vaults()) {
          json.writeString(vault.baseUrl());
        }
        json.writeEndArray();
      } else {
        json.writeNullField("file");
        json.writeStringField("problem", r.manifestProblem());
      }
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println();
  }
}
