package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.files.FileContents;
import dev.kvload.manifest.Binding;
import dev.kvload.manifest.FileEntry;
import dev.kvload.manifest.FileFormat;
import dev.kvload.manifest.Manifest;
import dev.kvload.manifest.Template;
import dev.kvload.manifest.TemplateParser;
import dev.kvload.output.EnvFileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code kvload inject}: one template rendered with the secrets it names, to stdout or to a file
 * under the env file's rules (0600, atomic, tmpfs unless allowed).
 */
public final class Injector {
  private Injector() {}

  /**
   * @param output null or {@code -} for stdout
   */
  public record Request(Path template, Path output, boolean allowPersistent) {}

  public static void inject(Session session, Settings settings, Request request) {
    boolean toStdout = request.output() == null || request.output().toString().equals("-");
    if (toStdout && GithubActions.of(session.env()).active()) {
      // The masks would have to come first on stdout, in the middle of what a program reads.
      throw new Failure.Usage(
          "inject to stdout inside GitHub Actions: the runner must read ::add-mask:: for each"
              + " value first; write to a file with -o FILE");
    }
    Path file = session.cwd().resolve(request.template());
    String label = "template " + request.template();
    Template template =
        TemplateParser.parse(read(file, request.template()), request.template(), label);
    Loader loader = new Loader(session, settings);
    Set<String> used =
        template.variables().stream().map(Template.Variable::name).collect(Collectors.toSet());
    List<Binding> bindings = List.of();
    Path manifestFile = request.template();
    if (!used.isEmpty()) {
      Manifest manifest = loader.manifest();
      manifestFile = manifest.file();
      bindings = manifest.bindings().stream().filter(b -> used.contains(b.variable())).toList();
      Set<String> mapped = bindings.stream().map(Binding::variable).collect(Collectors.toSet());
      for (Template.Variable v : template.variables()) {
        if (!mapped.contains(v.name())) {
          throw new Failure.Manifest(
              request.template()
                  + ":"
                  + v.line()
                  + ":"
                  + v.column()
                  + ": "
                  + v.name()
                  + " is not a variable of "
                  + manifest.file()
                  + "; map it there, or name the secret by its URL");
        }
      }
    }
    FileEntry entry = new FileEntry("-", null, FileFormat.RAW, template, null, false, 1, 1);
    Manifest manifest = new Manifest(manifestFile, bindings, List.of(entry));
    Loader.requireTrustedVaults(manifest, settings.allowedVaultHosts());
    Loader.Loaded loaded = loader.loadAll(manifest, () -> {});
    Map<String, String> values = new LinkedHashMap<>();
    loaded.variables().forEach((name, value) -> values.put(name, value.reveal()));
    byte[] content =
        FileContents.of(loaded, values, session.diagnostics()::warn).getFirst().content();
    if (toStdout) {
      session.out().write(content, 0, content.length);
      session.out().flush();
      if (session.out().checkError()) {
        throw new Failure.Output("cannot write to stdout", null);
      }
      return;
    }
    Masks.print(session, loaded.maskable());
    Path target = session.cwd().resolve(request.output());
    EnvFileWriter.write(target, content, request.allowPersistent(), session.diagnostics()::verbose);
    session.diagnostics().verbose("wrote " + target);
  }

  private static byte[] read(Path file, Path shown) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(TemplateParser.MAX_BYTES + 1);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new Failure.Manifest(shown + ": no such template");
    } catch (IOException e) {
      throw new Failure.Manifest(
          shown + ": cannot read the template (" + e.getClass().getSimpleName() + ")");
    }
  }
}
