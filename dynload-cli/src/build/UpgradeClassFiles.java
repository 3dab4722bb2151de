import java.io.IOException;
import java.lang.classfile.ClassBuilder;
import java.lang.classfile.ClassElement;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

/**
 * Build step of dynload-cli, run on the shaded jar before the AOT cache is trained: rewrites class
 * files older than Java 6 (version 50) as Java 8 class files, with stack maps.
 *
 * <p>Why: picocli ships Java 5 class files, and the JDK's AOT cache cannot store classes that old once
 * they are linked ("Old class has been linked"), so every start of the command loaded and verified
 * picocli's 228 classes from the jar, about 40 ms. As Java 8 class files they go into the cache like the
 * rest. The bytecode is unchanged; only the version and the stack maps that version requires are new.
 *
 * <p>Usage: {@code java UpgradeClassFiles.java JAR} (the jar is rewritten in place).
 */
public final class UpgradeClassFiles {

    private static final int OLDEST_KEPT = 50;

    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        Path rewritten = jar.resolveSibling(jar.getFileName() + ".tmp");
        int upgraded = 0;
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             JarInputStream in = new JarInputStream(Files.newInputStream(jar));
             JarOutputStream out = new JarOutputStream(Files.newOutputStream(rewritten), in.getManifest())) {
            ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(classes)).cached()));
            for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().endsWith(".class") && major(bytes) < OLDEST_KEPT) {
                    bytes = classFile.transformClass(classFile.parse(bytes),
                            ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL).andThen(new Java8()));
                    upgraded++;
                }
                JarEntry copy = new JarEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("UpgradeClassFiles: " + upgraded + " class files of " + jar.getFileName()
                + " rewritten as Java 8 class files");
    }

    private static int major(byte[] classFile) {
        return classFile.length < 8 ? Integer.MAX_VALUE : ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
    }

    /** Replaces the class file version; rebuilding the methods' code (above) adds their stack maps. */
    private static final class Java8 implements ClassTransform {
        @Override
        public void accept(ClassBuilder builder, ClassElement element) {
            if (!(element instanceof ClassFileVersion)) {
                builder.with(element);
            }
        }

        @Override
        public void atEnd(ClassBuilder builder) {
            builder.withVersion(ClassFile.JAVA_8_VERSION, 0);
        }
    }
}
