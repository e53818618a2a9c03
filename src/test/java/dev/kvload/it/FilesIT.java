package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.TestCertificate;
import dev.kvload.fake.TmpfsFolder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secrets as files, end to end: {@code export} writes them on tmpfs all or none, {@code run} hands
 * them over in memory (a memfd) or, as a child, in a private tmpfs folder it removes.
 */
class FilesIT {
  private static final String VAULT = "kvload-test";

  /** Odd bytes for a raw file: NUL (no variable could hold it), quotes, newlines, escapes. */
  private static final String NOTES = "line 1\nit's \"q\" $HOME \\ \u0000 \u001b[31m é ✓\n";

  /**
   * Binary: NUL, 0xFF, and bytes that are no UTF-8; then text no other value holds, so that the
   * decoded bytes leaking anywhere are seen.
   */
  private static final byte[] BLOB = blob();

  private Harness h;
  private TmpfsFolder shm;
  private TestCertificate tls;

  @BeforeEach
  void start() {
    h = new Harness();
    shm = new TmpfsFolder();
    tls = TestCertificate.make(h.dir, "localhost");
    h.fake.put(VAULT, "notes", NOTES);
    h.fake.put(VAULT, "blob", Base64.getMimeEncoder().encodeToString(BLOB));
    h.fake.put(VAULT, "api-token", "tok-3f9a");
    h.fake.put(VAULT, "extra", "extra-77c1");
    h.fake.put(VAULT, "web-tls", certificate(tls.pfxBase64(), TestCertificate.PKCS12));
    h.fake.put(VAULT, "pem-tls", certificate(tls.pem(), TestCertificate.PEM));
    h.guard(convertedForms());
  }

  private static byte[] blob() {
    byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\n', 0, (byte) 0x80};
    byte[] text = "decoded-blob-5d0e".getBytes(StandardCharsets.US_ASCII);
    byte[] all = java.util.Arrays.copyOf(binary, binary.length + text.length);
    System.arraycopy(text, 0, all, binary.length, text.length);
    return all;
  }

  /**
   * What kvload makes of the stored values, guarded as the values are: the fake holds the PFX in
   * base64 and the key inside a PEM with its certificate, so the key extracted as PKCS#8 (as PEM,
   * as one line of base64, any one of its lines), the PFX's bytes and the decoded binary would leak
   * unseen otherwise.
   */
  private List<String> convertedForms() {
    List<String> forms = new java.util.ArrayList<>();
    String keyPem = TestCertificate.pem("PRIVATE KEY", tls.key().getEncoded());
    forms.add(keyPem);
    forms.add(Base64.getEncoder().encodeToString(tls.key().getEncoded()));
    keyPem.lines().filter(l -> l.length() >= 16 && !l.startsWith("-----")).forEach(forms::add);
    forms.add(new String(Base64.getDecoder().decode(tls.pfxBase64()), StandardCharsets.UTF_8));
    forms.add(new String(BLOB, StandardCharsets.UTF_8));
    forms.add("decoded-blob-5d0e");
    return forms;
  }

  @AfterEach
  void stop() {
    h.close();
    shm.close();
  }

  private static FakeAzure.Version certificate(String value, String contentType) {
    return new FakeAzure.Version(FakeAzure.newVersionId(), value, true, null, null, contentType);
  }

  private void manifest(String extraFiles) {
    h.write(
        "app.ini.tmpl",
        "token = {{kv:API_TOKEN}}\nextra = {{kv:"
            + h.fake.vaultUrl(VAULT)
            + "/secrets/extra}}\nliteral = {{!kv:API_TOKEN}}\nhelm = {{ .Values.x }}\n");
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"API_TOKEN\": \"api-token\"},\n"
            + " \"files\": {\n"
            + "  \"notes.txt\": {\"secret\": \"notes\", \"env\": \"NOTES_FILE\"},\n"
            + "  \"keystore.bin\": {\"secret\": \"blob\", \"format\": \"base64\", \"env\":"
            + " \"BLOB_FILE\"},\n"
            + "  \"tls/server.pem\": {\"secret\": \"web-tls\", \"format\": \"pem\"},\n"
            + "  \"tls/cert.pem\": {\"secret\": \"web-tls\", \"format\": \"cert\", \"env\":"
            + " \"TLS_CERT\"},\n"
            + "  \"tls/key.pem\": {\"secret\": \"web-tls\", \"format\": \"key\", \"env\":"
            + " \"TLS_KEY\"},\n"
            + "  \"tls/server.pfx\": {\"secret\": \"web-tls\", \"format\": \"pfx\"},\n"
            + "  \"pem/cert.pem\": {\"secret\": \"pem-tls\", \"format\": \"cert\"},\n"
            + "  \"app.ini\": {\"template\": \"app.ini.tmpl\", \"env\": \"APP_INI\"}"
            + extraFiles
            + "}}");
  }

  private static String certPem(TestCertificate c) throws Exception {
    return TestCertificate.pem("CERTIFICATE", c.certificate().getEncoded());
  }

  @Test
  void exportWritesEveryFormatOnTmpfsWithItsPathInTheEnvFile() throws Exception {
    manifest("");
    Path env = shm.resolve("env");
    var run = h.kvload("export", "-o", env.toString());
    assertEquals(0, run.exit(), run::toString);
    Path dir = shm.resolve("env.files");
    assertTrue(Files.isSymbolicLink(dir), "the set is reached through kvload's link");
    assertArrayEquals(
        NOTES.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("notes.txt")));
    assertArrayEquals(BLOB, Files.readAllBytes(dir.resolve("keystore.bin")));
    String keyPem = TestCertificate.pem("PRIVATE KEY", tls.key().getEncoded());
    assertEquals(keyPem + certPem(tls), Files.readString(dir.resolve("tls/server.pem")));
    assertEquals(certPem(tls), Files.readString(dir.resolve("tls/cert.pem")));
    assertEquals(keyPem, Files.readString(dir.resolve("tls/key.pem")));
    assertEquals(certPem(tls), Files.readString(dir.resolve("pem/cert.pem")));
    assertArrayEquals(
        Base64.getDecoder().decode(tls.pfxBase64()),
        Files.readAllBytes(dir.resolve("tls/server.pfx")));
    assertEquals(
        "token = tok-3f9a\nextra = extra-77c1\nliteral = {{kv:API_TOKEN}}\nhelm = {{ .Values.x }}\n",
        Files.readString(dir.resolve("app.ini")));
    // Parsed back by the JDK, as a TLS server would.
    var cert =
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(Files.readAllBytes(dir.resolve("tls/cert.pem"))));
    assertEquals(tls.certificate(), cert);
    String body =
        Files.readString(dir.resolve("tls/key.pem")).replaceAll("-----[A-Z ]+-----|\\s", "");
    PrivateKey key =
        KeyFactory.getInstance("EC")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    assertArrayEquals(tls.key().getEncoded(), key.getEncoded());
    KeyStore pfx = KeyStore.getInstance("PKCS12");
    pfx.load(Files.newInputStream(dir.resolve("tls/server.pfx")), new char[0]);
    assertEquals(tls.certificate(), pfx.getCertificate(pfx.aliases().nextElement()));
    // And by openssl, where it is installed.
    if (Files.isExecutable(Path.of("/usr/bin/openssl"))) {
      assertEquals(
          0, exec("openssl", "x509", "-noout", "-in", dir.resolve("tls/server.pem").toString()));
      assertEquals(
          0, exec("openssl", "pkey", "-noout", "-in", dir.resolve("tls/server.pem").toString()));
    }
    // 0600 files in 0700 folders.
    Path real = dir.toRealPath();
    assertEquals("rwx------", mode(real));
    assertEquals("rwx------", mode(real.resolve("tls")));
    for (String file : List.of("notes.txt", "keystore.bin", "tls/key.pem", "app.ini")) {
      assertEquals("rw-------", mode(real.resolve(file)), file);
    }
    // The env file gives each program its file's path.
    assertEquals(
        dir.resolve("tls/key.pem") + "|" + dir.resolve("notes.txt") + "|tok-3f9a",
        sh(". \"$0\"; printf '%s|%s|%s' \"$TLS_KEY\" \"$NOTES_FILE\" \"$API_TOKEN\"", env));
  }

  @Test
  void aFormatThatDoesNotFitTheContentTypeFailsAndLeavesThePreviousSet() throws Exception {
    manifest("");
    Path env = shm.resolve("env");
    assertEquals(0, h.kvload("export", "-o", env.toString()).exit());
    h.fake.put(VAULT, "notes", "a newer value 51c2");
    manifest(",\n  \"bad.pem\": {\"secret\": \"notes\", \"format\": \"key\"}");
    var run = h.kvload("export", "-o", env.toString());
    assertEquals(5, run.exit(), run::toString);
    assertTrue(
        run.stderr()
            .contains(
                "file bad.pem: \"format\": \"key\" needs a Key Vault certificate's secret (content"
                    + " type application/x-pkcs12 or application/x-pem-file), but secret 'notes' in"
                    + " vault "),
        run::toString);
    assertTrue(
        run.stderr().contains("has no content type; use \"format\": \"raw\" or \"base64\""),
        run::toString);
    assertArrayEquals(
        NOTES.getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(shm.resolve("env.files/notes.txt")));
    assertEquals(
        1,
        TmpfsFolder.listing(shm.path()).stream().filter(n -> n.startsWith(".env.files.")).count(),
        () -> "one set, no half-written one beside it: " + shm.listing());
    // A later good export replaces the set whole, and removes the old one.
    manifest("");
    assertEquals(0, h.kvload("export", "-o", env.toString()).exit());
    assertEquals("a newer value 51c2", Files.readString(shm.resolve("env.files/notes.txt")));
    assertEquals(
        1,
        TmpfsFolder.listing(shm.path()).stream().filter(n -> n.startsWith(".env.files.")).count(),
        () -> shm.listing().toString());
  }

  @Test
  void aFilesFolderOnDiskIsRefusedWithNothingWritten() {
    manifest("");
    Path disk = h.dir.resolve("files");
    var run =
        h.kvload("export", "-o", shm.resolve("env").toString(), "--files-dir", disk.toString());
    assertEquals(7, run.exit(), run::toString);
    assertTrue(run.stderr().contains("not tmpfs"), run::toString);
    assertFalse(Files.exists(disk, LinkOption.NOFOLLOW_LINKS));
    assertEquals(List.of(), shm.listing());
  }

  /**
   * Optional entries as for variables: one whose secret is missing, one whose secret does not fit
   * its format. Neither is written nor has its variable set; each is a warning naming the file, the
   * secret and the vault; the rest goes on.
   */
  private static final String OPTIONAL_FILES =
      ",\n  \"gone.pem\": {\"secret\": \"no-such-secret\", \"format\": \"key\", \"env\":"
          + " \"GONE_FILE\", \"optional\": true},\n"
          + "  \"misfit.pem\": {\"secret\": \"notes\", \"format\": \"cert\", \"env\":"
          + " \"MISFIT_FILE\", \"optional\": true}";

  private void assertOptionalFilesWarned(Harness.Run run) {
    assertEquals(0, run.exit(), run::toString);
    String vault = h.fake.vaultUrl(VAULT);
    List<String> warnings = run.stderr().lines().filter(l -> l.contains("optional, so")).toList();
    assertEquals(2, warnings.size(), run::toString);
    for (List<String> words :
        List.of(List.of("gone.pem", "no-such-secret"), List.of("misfit.pem", "'notes'"))) {
      assertTrue(
          warnings.stream()
              .anyMatch(
                  l ->
                      l.contains(words.get(0))
                          && l.contains(words.get(1))
                          && l.contains(vault)
                          && l.contains("is not written")),
          () -> words + " named in a warning: " + run);
    }
  }

  @Test
  void exportLeavesOutAnOptionalFileWhoseSecretFailsAndWarns() throws Exception {
    manifest(OPTIONAL_FILES);
    Path env = shm.resolve("env");
    var run = h.kvload("export", "-o", env.toString());
    assertOptionalFilesWarned(run);
    Path dir = shm.resolve("env.files");
    assertFalse(Files.exists(dir.resolve("gone.pem"), LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(dir.resolve("misfit.pem"), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isRegularFile(dir.resolve("tls/key.pem")), "the rest is written");
    String envText = Files.readString(env);
    assertFalse(envText.contains("GONE_FILE"), "no variable for a file not written");
    assertFalse(envText.contains("MISFIT_FILE"), "no variable for a file not written");
    assertEquals(
        "unset|unset|" + dir.resolve("notes.txt"),
        sh(
            ". \"$0\"; printf '%s|%s|%s' \"${GONE_FILE-unset}\" \"${MISFIT_FILE-unset}\""
                + " \"$NOTES_FILE\"",
            env));
  }

  @ParameterizedTest(name = "KVLOAD_EXEC={0}")
  @ValueSource(strings = {"exec", "child"})
  void runLeavesOutAnOptionalFileWhoseSecretFailsAndWarns(String mode) {
    manifest(OPTIONAL_FILES);
    // Prints whether each variable is set, and every file the command can see by name: the memfd
    // names in exec mode, the private folder's listing in child mode. No value.
    var run =
        h.run()
            .env("KVLOAD_EXEC", mode)
            .env("XDG_RUNTIME_DIR", shm.path().toString())
            .args(
                "run",
                "--",
                "sh",
                "-c",
                "printf '%s|%s|' \"${GONE_FILE-unset}\" \"${MISFIT_FILE-unset}\";"
                    + " test -r \"$NOTES_FILE\" && printf 'notes|';"
                    + " for f in /proc/$$/fd/*; do readlink \"$f\"; done;"
                    + " case $NOTES_FILE in /proc/*) ;; *) ls -A \"$(dirname \"$NOTES_FILE\")\";; esac")
            .go();
    assertOptionalFilesWarned(run);
    assertTrue(run.stdout().startsWith("unset|unset|notes|"), run.stdout());
    assertFalse(run.stdout().contains("gone.pem"), run.stdout());
    assertFalse(run.stdout().contains("misfit.pem"), run.stdout());
    if (mode.equals("exec")) {
      assertTrue(run.stdout().contains("/memfd:kvload:notes.txt"), run.stdout());
    } else {
      assertTrue(run.stdout().contains("\nnotes.txt\n"), run.stdout());
    }
    assertEquals(List.of(), shm.listing());
  }

  @Test
  void aLinkPlantedAtTheFilesFolderIsReplacedNeverFollowed() throws Exception {
    manifest("");
    try (TmpfsFolder victim = new TmpfsFolder()) {
      Path link = shm.resolve("env.files");
      Files.createSymbolicLink(link, victim.path());
      var run = h.kvload("export", "-o", shm.resolve("env").toString());
      assertEquals(0, run.exit(), run::toString);
      assertEquals(List.of(), victim.listing(), "nothing written where the planted link pointed");
      assertTrue(Files.readSymbolicLink(link).toString().startsWith(".env.files."));
    }
    // Something else at the path (a folder) is not kvload's to replace.
    Path folder = Files.createDirectory(shm.resolve("other"));
    Files.writeString(folder.resolve("keep"), "kept");
    var refused =
        h.kvload("export", "-o", shm.resolve("env").toString(), "--files-dir", folder.toString());
    assertEquals(7, refused.exit(), refused::toString);
    assertTrue(refused.stderr().contains("is not the link kvload makes"), refused::toString);
    assertEquals(List.of("keep"), TmpfsFolder.listing(folder));
  }

  @Test
  void aManifestNamingAPathOutsideTheFilesFolderIsRefused() {
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {},\n \"files\": {\"../../.bashrc\": {\"secret\": \"notes\"}}}");
    var run = h.kvload("export", "-o", shm.resolve("env").toString());
    assertEquals(3, run.exit(), run::toString);
    assertTrue(
        run.stderr()
            .contains("kvload.json:2:12: file ../../.bashrc: '..' would leave the files folder"),
        run::toString);
    assertEquals(List.of(), shm.listing());
    assertEquals(0, h.fake.secretRequests().size(), "nothing fetched for a refused manifest");
  }

  @Test
  void runHandsEachFileOverInMemoryAndItGoesWithTheCommand() throws Exception {
    manifest("");
    var run =
        h.run()
            .env("KVLOAD_EXEC", "exec")
            .env("XDG_RUNTIME_DIR", shm.path().toString())
            .valuesOnStdout()
            .args(
                "run",
                "--",
                "sh",
                "-c",
                "cat \"$NOTES_FILE\" \"$BLOB_FILE\"; printf '|%s|%s|' \"$NOTES_FILE\""
                    + " \"$(readlink \"$NOTES_FILE\")\"; cat \"$APP_INI\"")
            .go();
    assertEquals(0, run.exit(), run::toString);
    byte[] notes = NOTES.getBytes(StandardCharsets.UTF_8);
    byte[] out = run.stdoutBytes();
    assertArrayEquals(notes, java.util.Arrays.copyOfRange(out, 0, notes.length));
    assertArrayEquals(
        BLOB, java.util.Arrays.copyOfRange(out, notes.length, notes.length + BLOB.length));
    String[] rest =
        new String(
                out,
                notes.length + BLOB.length,
                out.length - notes.length - BLOB.length,
                StandardCharsets.UTF_8)
            .split("\\|", -1);
    String path = rest[1];
    assertTrue(path.matches("/proc/" + run.pid() + "/fd/\\d+"), path);
    assertTrue(
        rest[2].startsWith("/memfd:kvload:notes.txt"), "in memory, on no file system: " + rest[2]);
    assertTrue(rest[3].startsWith("token = tok-3f9a\n"), rest[3]);
    assertFalse(Files.exists(Path.of(path)), "gone with the command");
    assertEquals(List.of(), shm.listing(), "no folder fallback was used");
  }

  @Test
  void theChildFallbackUsesAPrivateTmpfsFolderAndRemovesIt() throws Exception {
    manifest("");
    var run =
        h.run()
            .env("KVLOAD_EXEC", "child")
            .env("XDG_RUNTIME_DIR", shm.path().toString())
            .valuesOnStdout()
            .args(
                "run",
                "--",
                "sh",
                "-c",
                "cat \"$TLS_CERT\"; printf '|%s|' \"$TLS_CERT\"; stat -c %a \"$TLS_CERT\"")
            .go();
    assertEquals(0, run.exit(), run::toString);
    String[] parts = run.stdout().split("\\|", -1);
    assertEquals(certPem(tls), parts[0]);
    assertTrue(parts[1].startsWith(shm.path() + "/kvload-run-"), parts[1]);
    assertEquals("600\n", parts[2]);
    assertEquals(List.of(), shm.listing(), "the private folder is removed when the child exits");
  }

  /**
   * The child fallback puts files in a folder: where $XDG_RUNTIME_DIR is on disk it refuses before
   * making anything there, says why and what to do, and starts nothing. (Without any memory file
   * system at all the message is the same kind; a test cannot take /dev/shm away.)
   */
  @Test
  void theChildFallbackRefusesARuntimeFolderOnDisk() throws Exception {
    manifest("");
    Path runtime =
        Files.createDirectory(
            h.dir.resolve("runtime"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    String type = Files.getFileStore(runtime).type();
    Assumptions.assumeFalse(
        List.of("tmpfs", "ramfs").contains(type), "the test folder is not on disk here: " + type);
    Path started = h.dir.resolve("started");
    var run =
        h.run()
            .env("KVLOAD_EXEC", "child")
            .env("XDG_RUNTIME_DIR", runtime.toString())
            .args("run", "--", "sh", "-c", ": > \"$0\"", started.toString())
            .go();
    assertEquals(7, run.exit(), run::toString);
    assertTrue(
        run.stderr()
            .contains(
                "$XDG_RUNTIME_DIR ("
                    + runtime
                    + ") is on "
                    + type
                    + ", not a memory file system: nothing was started"),
        run::toString);
    assertFalse(run.stderr().contains("--allow-persistent"), "not an option of run: " + run);
    assertEquals(List.of(), TmpfsFolder.listing(runtime), "nothing made on the disk");
    assertFalse(Files.exists(started), "the command did not start");
  }

  @Test
  void injectRendersATemplateByteExactToStdoutOrATmpfsFile() throws Exception {
    manifest("");
    Path template =
        h.write(
            "deploy.tmpl",
            "a={{kv:API_TOKEN}}\r\nb={{kv:"
                + h.fake.vaultUrl(VAULT)
                + "/secrets/notes}}|{{!kv:X}}|{{!!kv:Y}}|${HOME}\n");
    String expected = "a=tok-3f9a\r\nb=" + NOTES + "|{{kv:X}}|{{!kv:Y}}|${HOME}\n";
    var stdout = h.run().valuesOnStdout().args("inject", "-i", "deploy.tmpl").go();
    assertEquals(0, stdout.exit(), stdout::toString);
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), stdout.stdoutBytes());
    Path out = shm.resolve("deploy.yaml");
    var file = h.kvload("inject", "-i", template.toString(), "-o", out.toString());
    assertEquals(0, file.exit(), file::toString);
    assertEquals("", file.stdout());
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(out));
    assertEquals("rw-------", mode(out));
    var disk = h.kvload("inject", "-i", template.toString(), "-o", h.dir.resolve("out").toString());
    assertEquals(7, disk.exit(), disk::toString);
    assertFalse(Files.exists(h.dir.resolve("out")));
  }

  @Test
  void aHostileTemplateIsRefusedBeforeAnyRequest() {
    manifest("");
    // An unknown variable, a reference to a host outside Key Vault's domains, an unclosed one.
    h.write(
        "hostile.tmpl",
        "{{kv:HOME}}\n{{kv:https://evil.example.test/secrets/x}}\n{{kv:API_TOKEN\n");
    var unclosed = h.kvload("inject", "-i", "hostile.tmpl");
    assertEquals(3, unclosed.exit(), unclosed::toString);
    assertTrue(
        unclosed.stderr().contains("hostile.tmpl:3:1: '{{kv:' is not closed"), unclosed::toString);
    h.write("hostile.tmpl", "{{kv:HOME}}\n");
    var unknown = h.kvload("inject", "-i", "hostile.tmpl");
    assertEquals(3, unknown.exit(), unknown::toString);
    assertTrue(
        unknown.stderr().contains("hostile.tmpl:1:1: HOME is not a variable of"),
        unknown::toString);
    h.write("hostile.tmpl", "{{kv:https://evil.example.test/secrets/x}}\n");
    var evil = h.kvload("inject", "-i", "hostile.tmpl");
    assertEquals(3, evil.exit(), evil::toString);
    assertTrue(evil.stderr().contains("is outside Key Vault's domains"), evil::toString);
    assertEquals(0, h.fake.secretRequests().size());
  }

  @Test
  void checkListsFilesBesideVariablesWithTheCertificatesOwnExpiry() {
    manifest("");
    var fine = h.kvload("check");
    assertEquals(0, fine.exit(), fine::toString);
    assertTrue(fine.stdout().contains("file tls/cert.pem"), fine.stdout());
    assertTrue(fine.stdout().contains("file app.ini"), fine.stdout());
    // keytool made the certificate valid for 30 days; the secret itself has no exp.
    var soon = h.kvload("check", "--expiry-warning", "60");
    assertEquals(0, soon.exit(), soon::toString);
    String line =
        soon.stdout()
            .lines()
            .filter(l -> l.contains("file tls/cert.pem"))
            .findFirst()
            .orElseThrow();
    assertTrue(line.contains("expiring"), soon.stdout());
    assertTrue(
        soon.stdout().lines().filter(l -> l.contains("API_TOKEN")).allMatch(l -> l.contains("ok")),
        soon.stdout());
  }

  @Test
  void insideGithubActionsEveryFilesSecretIsMaskedFirst() {
    manifest("");
    var run =
        h.run()
            .env("GITHUB_ACTIONS", "true")
            .env("XDG_RUNTIME_DIR", shm.path().toString())
            .valuesOnStdout()
            .args("run", "--", "true")
            .go();
    assertEquals(0, run.exit(), run::toString);
    // extra-77c1 is named only by the template's URL reference; notes only by a file.
    for (String value : List.of("tok-3f9a", "extra-77c1", "line 1")) {
      assertTrue(run.stdout().contains("::add-mask::" + value + "\n"), run::stdout);
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  private static int exec(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    p.waitFor(60, TimeUnit.SECONDS);
    return p.exitValue();
  }

  private static String sh(String script, Path arg) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", script, arg.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }
}
