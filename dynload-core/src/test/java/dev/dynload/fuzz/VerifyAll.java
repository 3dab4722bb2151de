package dev.dynload.fuzz;

import dev.dynload.elf.ElfFile;
import dev.dynload.format.NativeFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The verifier's other half of {@code scripts/fuzz}: every shared library found under the folders given
 * (the system's, the JDK's, a toolchain's; Mach-O and PE ones too, such as Wine's and mingw-w64's DLLs)
 * must verify without a problem, so that a rule added against damaged files refuses no sound one. Prints
 * each file with a problem, and a count; exits 1 if any.
 */
public final class VerifyAll {

    private VerifyAll() {
    }

    public static void main(String[] args) throws IOException {
        TreeSet<Path> files = new TreeSet<>();
        for (String folder : args) {
            Path root = Path.of(folder);
            if (!Files.isDirectory(root)) {
                continue;
            }
            Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes a) {
                    if (a.isRegularFile() && ((sharedObjectName(p) && elf(p)) || otherPlatform(p))) {
                        files.add(p);
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path p, IOException e) {
                    return java.nio.file.FileVisitResult.CONTINUE; // unreadable: skipped
                }
            });
        }
        int verified = 0;
        List<String> failed = new ArrayList<>();
        for (Path f : files) {
            List<?> problems;
            try {
                if (otherPlatform(f)) {
                    if (NativeFile.read(f).kind() != NativeFile.Kind.SHARED_LIBRARY) {
                        continue; // a program named .dll, say: not ours to judge
                    }
                    problems = NativeFile.verify(f);
                } else {
                    problems = ElfFile.verify(f);
                }
            } catch (IOException e) {
                continue; // not a shared library (an executable, another kind of ELF file): not ours to judge
            }
            verified++;
            if (!problems.isEmpty()) {
                failed.add(f + ": " + problems);
            }
        }
        failed.forEach(System.out::println);
        System.out.println(verified + " shared libraries verified, " + failed.size() + " with a problem");
        System.exit(failed.isEmpty() ? 0 : 1);
    }

    private static boolean sharedObjectName(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".so") || n.contains(".so.");
    }

    /** A macOS or Windows library, which {@link NativeFile} reads on any platform. */
    private static boolean otherPlatform(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".dylib") || n.endsWith(".jnilib") || n.endsWith(".bundle") || n.endsWith(".dll");
    }

    private static boolean elf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }
}
