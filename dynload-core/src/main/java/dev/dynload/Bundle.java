package dev.dynload;

import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfHeader;
import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.Hashes;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds and reads bundles, the resources {@link Library#openBundled(String, Class, LoadOption...)} loads.
 * {@link #build} copies
 * native libraries under {@code META-INF/dynload/BUNDLE/CLASSIFIER/} of a build's output folder and writes
 * the bundle's index, with each file's SHA-256, in the order to load them. Run by the build, never by hand:
 *
 * {@snippet lang=shell :
 * java -cp dynload-core.jar dev.dynload.Bundle greeter target/classes target/release/libgreeter.so
 * }
 *
 * <p>An ELF file's classifier is read from the file itself: its CPU ({@code linux-x86_64},
 * {@code linux-aarch_64}) and its C library ({@code -musl} when it needs musl's {@code libc.so} rather than
 * glibc's {@code libc.so.6}). Other files (a macOS {@code .dylib}, a Windows {@code .dll}) are given with
 * their classifier, as {@code osx-aarch_64=path/libgreeter.dylib}. Files already in the bundle's folder
 * (from another platform's build, say) stay and are indexed too. Within a platform, a file comes after
 * the files of the bundle it needs ({@code DT_NEEDED} naming another's {@code SONAME} or file name).
 */
public final class Bundle {

    private Bundle() {
    }

    /**
     * {@code Bundle BUNDLE OUTPUT FILE...}: see the class documentation. Exits 2 with a message on
     * wrong arguments, 1 when a file cannot be bundled.
     *
     * @param args the bundle's name, the output folder (such as {@code target/classes}) and the files
     */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: java -cp dynload-core.jar dev.dynload.Bundle BUNDLE OUTPUT_FOLDER [CLASSIFIER=]FILE...");
            System.exit(2);
        }
        try {
            // Quiet on success, as a build step should be: the index is in the jar, and dynload bundle lists it.
            build(args[0], Path.of(args[1]), List.of(args).subList(2, args.length));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("dev.dynload.Bundle: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Copies {@code files} into the bundle and rewrites its index.
     *
     * @param bundle the bundle's name
     * @param output the build's output folder, the root of the jar
     * @param files paths, each optionally prefixed with {@code CLASSIFIER=}
     * @return the index written
     * @throws IOException if a file cannot be read or written, or is not a library this can classify
     */
    public static Path build(String bundle, Path output, List<String> files) throws IOException {
        Path folder = output.resolve("META-INF/dynload").resolve(bundle);
        for (String given : files) {
            int equals = given.indexOf('=');
            Path file = Path.of(equals > 0 ? given.substring(equals + 1) : given);
            String classifier = equals > 0 ? given.substring(0, equals) : classify(file);
            Path target = folder.resolve(classifier).resolve(file.getFileName().toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
        List<BundleIndex.Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> platforms = Files.newDirectoryStream(folder, Files::isDirectory)) {
            Map<String, Path> sorted = new TreeMap<>();
            for (Path platform : platforms) {
                sorted.put(platform.getFileName().toString(), platform);
            }
            for (Map.Entry<String, Path> platform : sorted.entrySet()) {
                entries.addAll(inLoadOrder(platform.getKey(), platform.getValue()));
            }
        }
        String text = BundleIndex.write(entries);
        try {
            BundleIndex.parse(text); // the names and classifiers are ones a reader accepts
        } catch (BundleIndex.MalformedException e) {
            throw new IllegalArgumentException("the bundle cannot be indexed: " + e.getMessage(), e);
        }
        Path index = folder.resolve("index");
        Files.writeString(index, text);
        return index;
    }

    /**
     * One file of a bundle, as its index lists it.
     *
     * @param classifier the platform it is built for, such as {@code linux-x86_64}
     * @param sha256 its SHA-256, in lower-case hex
     * @param name its file name
     */
    public record Entry(String classifier, String sha256, String name) {
        /**
         * {@return where the file lies among the resources of bundle {@code bundle}}
         *
         * @param bundle the bundle's name
         */
        public String resource(String bundle) {
            return BundleIndex.filePath(bundle, new BundleIndex.Entry(classifier, sha256, name));
        }
    }

    /**
     * Reads an exported data object (such as a plugin's manifest) of a bundle's main library for this
     * platform, without loading it: the library's bytes come from the jar, are checked against the
     * index's SHA-256, and are read from a sealed memory copy.
     *
     * @param bundle the bundle's name
     * @param loader the class loader that sees the bundle's jar
     * @param symbol the data object's name
     * @param limit the most bytes to read
     * @return the object, when the library exports it
     * @throws LibraryLoadException if the bundle has no index, no build for this platform, or a file whose
     *         hash differs from its index's
     * @throws dev.dynload.elf.ElfFormatException if the library is damaged
     * @throws IOException if it cannot be read
     * @throws UnsupportedOperationException on a platform without sealed memory files
     */
    public static java.util.Optional<dev.dynload.elf.ElfData> readData(String bundle, ClassLoader loader, String symbol,
                                                                       int limit) throws IOException {
        java.util.Objects.requireNonNull(bundle, "bundle");
        java.util.Objects.requireNonNull(loader, "loader");
        return Bundles.readData(bundle, Library.resourcesOf(loader), dev.dynload.internal.NativeLoader.current(), symbol,
                limit);
    }

    /**
     * {@return where bundle {@code bundle}'s index lies among the resources}
     *
     * @param bundle the bundle's name
     */
    public static String indexResource(String bundle) {
        return BundleIndex.indexPath(bundle);
    }

    /**
     * Reads a bundle's index.
     *
     * @param text the index's text
     * @return its entries, in load order
     * @throws IllegalArgumentException naming the first malformed line
     */
    public static List<Entry> parseIndex(String text) {
        try {
            List<Entry> entries = new ArrayList<>();
            for (BundleIndex.Entry e : BundleIndex.parse(text).entries()) {
                entries.add(new Entry(e.classifier(), e.sha256(), e.name()));
            }
            return entries;
        } catch (BundleIndex.MalformedException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The classifier an ELF library is built for, read from its header and its C library.
     *
     * @param file an ELF shared library
     * @return such as {@code linux-x86_64}, or {@code linux-aarch_64-musl}
     * @throws IOException if it is missing, not ELF, or for a CPU without a classifier
     */
    public static String classify(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file: build it before bundling it");
        }
        ElfFile elf;
        try {
            elf = ElfFile.read(file);
        } catch (IOException e) {
            throw new IOException(file + " is not an ELF library (" + e.getMessage() + "); give other files with "
                    + "their classifier, as osx-aarch_64=" + file, e);
        }
        ElfHeader h = elf.header();
        String arch = switch (h.machine()) {
            case 62 -> "x86_64";
            case 183 -> "aarch_64";
            case 3 -> "x86_32";
            case 243 -> h.wordSize() == 64 ? "riscv64" : "riscv32";
            case 21 -> h.byteOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? "ppcle_64" : "ppc_64";
            case 22 -> h.wordSize() == 64 ? "s390_64" : "s390_32";
            default -> throw new IOException(file + " is for " + h.machineName() + ", which has no classifier here; "
                    + "give it as CLASSIFIER=" + file);
        };
        boolean musl = elf.needed().contains("libc.so") || elf.needed().stream().anyMatch(n -> n.startsWith("libc.musl-"));
        return "linux-" + arch + (musl ? "-musl" : "");
    }

    /** The files of one platform, each after those of the bundle it needs. */
    private static List<BundleIndex.Entry> inLoadOrder(String classifier, Path folder) throws IOException {
        Map<String, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(folder, Files::isRegularFile)) {
            for (Path f : list) {
                files.put(f.getFileName().toString(), f);
            }
        }
        Map<String, Set<String>> needs = new TreeMap<>();
        Map<String, String> byName = new TreeMap<>(); // SONAME or file name -> file name
        boolean allElf = true; // what needs what is known only for ELF files
        for (Map.Entry<String, Path> f : files.entrySet()) {
            byName.put(f.getKey(), f.getKey());
            Optional<ElfFile> elf = elf(f.getValue());
            allElf &= elf.isPresent();
            elf.flatMap(ElfFile::soname).ifPresent(soname -> byName.put(soname, f.getKey()));
            needs.put(f.getKey(), new LinkedHashSet<>(elf.map(ElfFile::needed).orElse(List.of())));
        }
        // Library.openBundled returns the file loaded last: exactly one file may be needed by no other.
        Set<String> neededByOthers = new LinkedHashSet<>();
        for (Map.Entry<String, Set<String>> f : needs.entrySet()) {
            for (String n : f.getValue()) {
                String inBundle = byName.get(n);
                if (inBundle != null && !inBundle.equals(f.getKey())) {
                    neededByOthers.add(inBundle);
                }
            }
        }
        List<String> roots = new ArrayList<>(files.keySet());
        roots.removeAll(neededByOthers);
        if (roots.size() > 1 && allElf) {
            throw new IOException(folder + " holds " + roots.size() + " libraries that no other of the bundle needs ("
                    + String.join(", ", roots) + "), but a bundle opens as one library, the last: put the others in "
                    + "bundles of their own, or remove files an earlier build left there");
        }
        List<BundleIndex.Entry> ordered = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        while (done.size() < files.size()) {
            boolean progress = false;
            for (String name : files.keySet()) {
                if (done.contains(name)) {
                    continue;
                }
                boolean ready = true;
                for (String needed : needs.get(name)) {
                    String inBundle = byName.get(needed);
                    ready &= inBundle == null || inBundle.equals(name) || done.contains(inBundle);
                }
                if (ready) {
                    done.add(name);
                    ordered.add(new BundleIndex.Entry(classifier, Hashes.sha256(files.get(name)), name));
                    progress = true;
                }
            }
            if (!progress) {
                throw new IOException("the libraries of " + folder + " need each other in a cycle; a loader cannot load "
                        + "them one after another");
            }
        }
        return ordered;
    }

    private static Optional<ElfFile> elf(Path file) {
        try {
            return Optional.of(ElfFile.read(file));
        } catch (IOException e) {
            return Optional.empty(); // not ELF (a .dylib): no order to read from it
        }
    }
}
