package dev.dynload;

import dev.dynload.format.Cpu;
import dev.dynload.format.NativeFile;
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
 * <p>A file's classifier is read from the file itself, whatever platform the build runs on: its format and
 * CPU ({@code linux-x86_64}, {@code osx-aarch_64}, {@code windows-x86_64}) and, for ELF, its C library
 * ({@code -musl} when it needs musl's {@code libc.so} rather than glibc's {@code libc.so.6}). A file may be
 * given with its classifier, as {@code osx-aarch_64=path/libgreeter.dylib} (a universal Mach-O file must
 * be, once per architecture); a file whose format or CPU disagrees with the classifier it is given or filed
 * under is refused. Files already in the bundle's folder (from another platform's build, say) stay and are
 * indexed too. Within a platform, a file comes after the files of the bundle it needs (ELF's
 * {@code DT_NEEDED}, Mach-O's load commands or PE's imports naming another's file name, {@code SONAME} or
 * install name).
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
            Optional<String> wrong = disagreement(file, classifier);
            if (wrong.isPresent()) {
                throw new IOException(file + " " + wrong.get() + "; give it with the classifier of its platform");
            }
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
     * @throws dev.dynload.format.FormatException if the library is damaged
     * @throws IOException if it cannot be read
     * @throws UnsupportedOperationException on a platform without sealed memory files
     */
    public static Optional<dev.dynload.format.SymbolData> readData(String bundle, ClassLoader loader, String symbol,
                                                                 int limit) throws IOException {
        java.util.Objects.requireNonNull(bundle, "bundle");
        java.util.Objects.requireNonNull(loader, "loader");
        return Bundles.readData(bundle, new BundleResources.OfLoader(loader), dev.dynload.internal.NativeLoader.current(), symbol,
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
     * The classifier a native library is built for, read from the file itself: its format and CPU
     * ({@code linux-x86_64}, {@code osx-aarch_64}, {@code windows-x86_64}), and for ELF its C library
     * ({@code -musl} when it needs musl's {@code libc.so} rather than glibc's {@code libc.so.6}).
     *
     * @param file an ELF, Mach-O or PE library
     * @return such as {@code linux-x86_64}, {@code linux-aarch_64-musl} or {@code osx-aarch_64}
     * @throws IOException if it is missing, none of the three formats, a universal file (which has one
     *                     classifier per architecture), or for a CPU without a classifier
     */
    public static String classify(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file: build it before bundling it");
        }
        List<NativeFile> images;
        try {
            images = NativeFile.readAll(file);
        } catch (IOException e) {
            throw new IOException(file + " is not a native library of any platform (" + e.getMessage() + ")", e);
        }
        if (images.size() > 1) {
            List<String> classifiers = new ArrayList<>();
            for (NativeFile image : images) {
                classifiers.add(image.classifier() + "=" + file);
            }
            throw new IOException(file + " is a universal Mach-O file of " + images.size() + " architectures: give it "
                    + "once for each, as " + String.join(" ", classifiers));
        }
        NativeFile image = images.get(0);
        if (image.cpu() == Cpu.OTHER) {
            throw new IOException(file + " is for " + image.architecture() + ", which has no classifier here; give "
                    + "it as CLASSIFIER=" + file);
        }
        return image.classifier();
    }

    /**
     * Why a file cannot be filed under {@code classifier}: its format or CPU says another platform; empty
     * when it agrees, or when the classifier names a CPU this reader does not know.
     */
    static Optional<String> disagreement(Path file, String classifier) {
        List<NativeFile> images;
        try {
            images = NativeFile.readAll(file);
        } catch (IOException e) {
            return Optional.of("is not a native library of any platform (" + e.getMessage() + ")");
        }
        List<String> theirs = new ArrayList<>();
        for (NativeFile image : images) {
            String own = image.classifier();
            if (own.equals(classifier) || image.cpu() == Cpu.OTHER) {
                return Optional.empty();
            }
            theirs.add(own + " (" + image.describe() + ")");
        }
        return Optional.of("is filed under " + classifier + ", but it is for " + String.join(" and ", theirs));
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
        // The names a file is asked for by, in any format: its file name, its SONAME or install name, and that
        // name's last part (Mach-O asks for "@rpath/libz.1.dylib").
        Map<String, String> byName = new TreeMap<>();
        Map<String, NativeFile> images = new TreeMap<>();
        for (Map.Entry<String, Path> f : files.entrySet()) {
            Optional<String> wrong = disagreement(f.getValue(), classifier);
            if (wrong.isPresent()) {
                throw new IOException(f.getValue() + " " + wrong.get() + "; move it to the folder of its platform, "
                        + "or remove what an earlier build left there");
            }
            NativeFile image = NativeFile.read(f.getValue());
            images.put(f.getKey(), image);
            byName.put(key(image, f.getKey()), f.getKey());
            image.name().ifPresent(name -> {
                byName.put(key(image, name), f.getKey());
                byName.putIfAbsent(key(image, lastPart(name)), f.getKey());
            });
        }
        for (Map.Entry<String, NativeFile> f : images.entrySet()) {
            Set<String> needed = new LinkedHashSet<>();
            for (String n : f.getValue().needed()) {
                String k = key(f.getValue(), n);
                needed.add(byName.containsKey(k) ? k : key(f.getValue(), lastPart(n)));
            }
            needs.put(f.getKey(), needed);
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
        if (roots.size() > 1) {
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

    /** A name as the file's loader compares it: Windows ignores case in DLL names, the others do not. */
    private static String key(NativeFile image, String name) {
        return image.format() == dev.dynload.format.BinaryFormat.PE ? name.toLowerCase(java.util.Locale.ROOT) : name;
    }

    /** The last part of a library name: {@code libz.1.dylib} of {@code @rpath/libz.1.dylib}. */
    private static String lastPart(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }
}
