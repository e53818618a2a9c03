import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the class files of Java 5 and older in kvload's fat jar (picocli ships version 49) as
 * version 52 class files with stack maps, same code. The JVM never puts a class file older than
 * version 50 in an AOT cache, so each start otherwise loads and verifies picocli's ~230 classes
 * from the jar: measured here, validate 290 → 230 ms, run and export ~5% faster (bench/levers.md).
 *
 * <p>Every rewritten class is checked with the JDK's verifier; one that fails keeps its original
 * bytes. Never fails the build: kvload works without this, only slower to start.
 *
 * <p>Usage: {@code java scripts/UpgradeClassFiles.java target/kvload.jar}
 */
public final class UpgradeClassFiles {
  private static final int OLDEST_CACHEABLE = 50;
  private static final int TARGET = 52;

  public static void main(String[] args) throws IOException {
    Path jar = Path.of(args[0]);
    Path rewritten = jar.resolveSibling(jar.getFileName() + ".upgrading");
    int upgraded = 0;
    int kept = 0;
    try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
        ZipFile in = new ZipFile(jar.toFile());
        OutputStream file = Files.newOutputStream(rewritten);
        ZipOutputStream out = new ZipOutputStream(file)) {
      // Stack maps need the class hierarchy: the JDK's own classes and the jar's.
      ClassFile classFile =
          ClassFile.of(
              ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
              ClassFile.ClassHierarchyResolverOption.of(
                  ClassHierarchyResolver.defaultResolver()
                      .orElse(ClassHierarchyResolver.ofResourceParsing(classes))));
      for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
        ZipEntry entry = entries.nextElement();
        byte[] bytes;
        try (InputStream content = in.getInputStream(entry)) {
          bytes = content.readAllBytes();
        }
        if (entry.getName().endsWith(".class") && !entry.isDirectory()) {
          byte[] upgrade = upgrade(classFile, bytes);
          if (upgrade != bytes) {
            if (classFile.verify(upgrade).isEmpty()) {
              bytes = upgrade;
              upgraded++;
            } else {
              kept++;
            }
          }
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(rewritten);
      System.err.println("kvload: class files left as they were (" + e + ")");
      return;
    }
    Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
    System.err.printf(
        "kvload: %d class files older than Java 6 rewritten as version %d, %d kept as they were%n",
        upgraded, TARGET, kept);
  }

  /** The class as version {@link #TARGET}, or the same array when it needs no change. */
  private static byte[] upgrade(ClassFile classFile, byte[] bytes) {
    ClassModel model = classFile.parse(bytes);
    if (model.majorVersion() >= OLDEST_CACHEABLE) {
      return bytes;
    }
    return classFile.build(
        model.thisClass().asSymbol(),
        builder -> {
          builder.withVersion(TARGET, 0);
          for (var element : model) {
            switch (element) {
              case ClassFileVersion version -> {}
              // Rebuilding each method's code is what makes the library compute its stack maps.
              case MethodModel method ->
                  builder.transformMethod(
                      method, MethodTransform.transformingCode(CodeTransform.ACCEPT_ALL));
              default -> builder.with(element);
            }
          }
        });
  }
}
