package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.elf.ElfFile;
import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.Hashes;
import dev.dynload.internal.NativeCache;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.Platform;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Loads a bundle: native libraries shipped as resources, under {@code META-INF/dynload/BUNDLE/}, with an
 * index of their SHA-256s. See {@link Library#openBundled(String, Class, LoadOption...)} and
 * {@code docs/bundles.md}.
 */
final class Bundles {

    /** {@code memory} (the default: memory, else the cache) or {@code cache} (the cache only). */
    static final String MODE = "dynload.bundles";
    /** Prefix of the packagers' escape hatch: {@code dynload.bundle.NAME=system} or a library's path. */
    static final String OVERRIDE = "dynload.bundle.";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    /** Where a bundle's resources are: a class's jar or module, or a class loader. Closed after the open. */
    interface Resources extends AutoCloseable {
        /** {@return the resource at {@code path}, or null when there is none} */
        InputStream open(String path) throws IOException;

        /** {@return where the resource at {@code path} is, for messages, such as a jar URL} */
        String where(String path);

        @Override
        void close();
    }

    private final String bundle;
    private final Resources resources;
    private final NativeLoader loader;
    private final OptionSet options;
    private final LoadOption[] given;

    private Bundles(String bundle, Resources resources, NativeLoader loader, OptionSet options, LoadOption[] given) {
        this.bundle = bundle;
        this.resources = resources;
        this.loader = loader;
        this.options = options;
        this.given = given;
    }

    static Library open(String bundle, Resources resources, NativeLoader loader, LoadOption... options) {
        if (bundle.isEmpty() || !NAME.matcher(bundle).matches() || bundle.equals(".") || bundle.equals("..")) {
            throw new IllegalArgumentException("'" + bundle + "' is not a bundle name: give letters, digits, '.', '_' or '-'");
        }
        try (resources) {
            return new Bundles(bundle, resources, loader, OptionSet.of(options), options).open();
        }
    }

    /**
     * Reads an exported data object of the bundle's main library for this platform, from a sealed memory
     * copy checked against the index's hash: nothing is loaded, nothing of the library runs.
     */
    static Optional<dev.dynload.elf.ElfData> readData(String bundle, Resources resources, NativeLoader loader,
                                                      String symbol, int limit) throws IOException {
        if (bundle.isEmpty() || !NAME.matcher(bundle).matches() || bundle.equals(".") || bundle.equals("..")) {
            throw new IllegalArgumentException("'" + bundle + "' is not a bundle name: give letters, digits, '.', '_' or '-'");
        }
        try (resources) {
            return new Bundles(bundle, resources, loader, OptionSet.of(), new LoadOption[0]).readData(symbol, limit);
        }
    }

    private Optional<dev.dynload.elf.ElfData> readData(String symbol, int limit) throws IOException {
        BundleIndex index = index();
        String platform = Platform.current();
        List<BundleIndex.Entry> files = index.forPlatform(platform);
        if (files.isEmpty()) {
            throw fail(Reason.NOT_BUILT_FOR_PLATFORM, null, "has no build for this platform, " + platform
                    + "; it has " + String.join(", ", index.platforms()), "use a release of it built for " + platform);
        }
        BundleIndex.Entry main = files.getLast();
        byte[] content = verified(main);
        Path shown = Path.of(where(BundleIndex.filePath(bundle, main)));
        try (OpenFile open = loader.memoryFile(shown, new ByteArrayInputStream(content))) {
            return dev.dynload.elf.ElfFile.readData(open.readable(), symbol, limit);
        }
    }

    private Library open() {
        String override = System.getProperty(OVERRIDE + bundle);
        if (override != null && !override.isBlank() && !override.equals("system")) {
            return Library.open(Path.of(override), given); // a packager's own build of the library
        }
        BundleIndex index = index();
        String platform = Platform.current();
        List<BundleIndex.Entry> files = index.forPlatform(platform);
        if (files.isEmpty() && "system".equals(override)) {
            // No build for this platform: the system's library by the bundle's main name, as this OS names it.
            return Library.open(bareName(index.entries().getLast().name()), given);
        }
        if (files.isEmpty()) {
            throw fail(Reason.NOT_BUILT_FOR_PLATFORM, null, "has no build for this platform, " + platform
                    + "; it has " + String.join(", ", index.platforms()), "use a release of it built for " + platform
                    + ", or set -D" + OVERRIDE + bundle + "=system (or a path) to load one installed here");
        }
        if ("system".equals(override)) {
            try {
                return Library.open(files.getLast().name(), given);
            } catch (LibraryLoadException e) {
                if (e.reason() != Reason.NOT_FOUND) {
                    throw e;
                }
                // not installed here: the bundled one it is
            }
        }
        if (!"cache".equals(System.getProperty(MODE))) {
            List<Library> loaded = fromMemory(files);
            if (loaded != null) {
                return last(loaded);
            }
        }
        return last(fromCache(files, platform));
    }

    /** {@code libgreeter.so.1} and {@code libgreeter.dylib} to {@code greeter}; {@code greeter.dll} too. */
    static String bareName(String file) {
        String name = file.startsWith("lib") ? file.substring(3) : file;
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** The library loaded last, the one the others were loaded for; the references to the others go. */
    private static Library last(List<Library> loaded) {
        for (int i = 0; i < loaded.size() - 1; i++) {
            loaded.get(i).close(); // the last one holds what it needs itself
        }
        return loaded.getLast();
    }

    private BundleIndex index() {
        String path = BundleIndex.indexPath(bundle);
        String text;
        try (InputStream in = resources.open(path)) {
            if (in == null) {
                throw fail(Reason.BAD_BUNDLE, null, "has no index: " + path + " is not among the resources",
                        "put the bundle's jar on the class or module path, and give a class of that jar as the anchor; "
                                + "docs/bundles.md says how a build makes one", null);
            }
            text = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw fail(Reason.BAD_BUNDLE, null, "has an index that cannot be read: " + e.getMessage(),
                    "rebuild the bundle's jar", null);
        }
        try {
            return BundleIndex.parse(text);
        } catch (BundleIndex.MalformedException e) {
            throw fail(Reason.BAD_BUNDLE, null, "has a malformed index (" + where(path) + "): " + e.getMessage(),
                    "rebuild the bundle's jar; its build writes the index", null);
        }
    }

    /**
     * Loads the files from sealed memory files, checked against their hashes; null where the platform has
     * none, the kernel refuses them, or a dependency has no SONAME by which the loader could find it there.
     */
    private List<Library> fromMemory(List<BundleIndex.Entry> files) {
        List<byte[]> contents = new ArrayList<>();
        for (BundleIndex.Entry e : files) {
            contents.add(verified(e));
        }
        // The linker is still being set up on another thread (LinkerWarmUp): warm the verifier up here
        // meanwhile, rather than wait, or compete with it from a third thread.
        dev.dynload.internal.VerifierWarmUp.runHereOnce();
        List<Library> loaded = new ArrayList<>();
        try {
            for (int i = 0; i < files.size(); i++) {
                BundleIndex.Entry e = files.get(i);
                Path shown = Path.of(where(BundleIndex.filePath(bundle, e)));
                OpenFile open;
                try {
                    open = loader.memoryFile(shown, new ByteArrayInputStream(contents.get(i)));
                } catch (IOException | UnsupportedOperationException refused) {
                    closeAll(loaded);
                    return null;
                }
                if (i < files.size() - 1 && !hasSoname(open)) {
                    open.close();
                    closeAll(loaded);
                    return null; // only the cache's folder can make it findable
                }
                String library = bundle + "/" + e.name();
                loaded.add(new Loading(loader, options).load(library, new Diagnosis(library, shown, List.of()), open));
            }
            return loaded;
        } catch (RuntimeException failure) {
            closeAll(loaded);
            throw failure;
        }
    }

    private static boolean hasSoname(OpenFile open) {
        try {
            return ElfFile.read(open.readable()).soname().isPresent();
        } catch (IOException e) {
            return false; // not ELF, or damaged: the load reports it
        }
    }

    /** Writes the files into the per-user cache (once), then loads each through an open, re-checked file. */
    private List<Library> fromCache(List<BundleIndex.Entry> files, String platform) {
        List<NativeCache.Source> sources = new ArrayList<>();
        StringBuilder identity = new StringBuilder(bundle).append('\n').append(platform).append('\n');
        for (BundleIndex.Entry e : files) {
            identity.append(e.sha256()).append(' ').append(e.name()).append('\n');
            sources.add(new Source(e));
        }
        String digest = Hashes.sha256(identity.toString().getBytes(StandardCharsets.UTF_8));
        Path root = NativeCache.root();
        Path folder;
        try {
            folder = NativeCache.store(root, digest, sources);
        } catch (NativeCache.UnsafeException e) {
            throw fail(Reason.UNSAFE_CACHE, root, "cannot use the cache folder for bundled libraries: " + e.getMessage(),
                    e.noexec() ? "point -D" + NativeCache.PROPERTY + " (or $" + NativeCache.ENVIRONMENT + ") at a folder "
                            + "of yours on a file system mounted without noexec"
                            : "remove it, or point -D" + NativeCache.PROPERTY + " (or $" + NativeCache.ENVIRONMENT
                            + ") at a folder only you own and may write", null);
        } catch (HashMismatch e) {
            throw e.failure;
        } catch (IOException e) {
            if (NativeCache.diskFull(e)) {
                throw fail(Reason.DISK_FULL, root, "cannot write bundled libraries into the cache folder: the disk "
                        + "is full (" + e.getMessage() + ")", "free some space, or point -D" + NativeCache.PROPERTY
                        + " at a folder on another disk", null);
            }
            throw fail(Reason.LOADER_ERROR, root, "cannot write bundled libraries into the cache folder: "
                    + e.getMessage(), "check that folder, or point -D" + NativeCache.PROPERTY + " at another", null);
        }
        List<Library> loaded = new ArrayList<>();
        try {
            for (BundleIndex.Entry e : files) {
                Path file = folder.resolve(e.name());
                String library = bundle + "/" + e.name();
                Diagnosis diagnosis = new Diagnosis(library, file, List.of());
                OpenFile open = checkedOpen(diagnosis, file, e);
                if (open == null) {
                    // Changed since it was written (or planted before): written again, and checked again.
                    try {
                        NativeCache.rewrite(folder, new Source(e));
                    } catch (HashMismatch mismatch) {
                        throw mismatch.failure;
                    } catch (IOException failure) {
                        throw diagnosis.cannotOpen(failure);
                    }
                    open = checkedOpen(diagnosis, file, e);
                }
                if (open == null) {
                    throw fail(Reason.HASH_MISMATCH, file, "changed in the cache right after it was written again: "
                            + "its SHA-256 is not " + e.sha256() + ", which the bundle's index says", "something else "
                            + "writes into " + folder + "; point -D" + NativeCache.PROPERTY + " at a folder only dynload "
                            + "writes", null);
                }
                loaded.add(new Loading(loader, options).load(library, diagnosis, open));
            }
            return loaded;
        } catch (RuntimeException failure) {
            closeAll(loaded);
            throw failure;
        }
    }

    /**
     * Opens a cached file and hashes it through the descriptor that will load it: the one check of its
     * contents on this run. {@return the open file, or null (closed) when its SHA-256 is not the index's}
     */
    private OpenFile checkedOpen(Diagnosis diagnosis, Path file, BundleIndex.Entry e) {
        OpenFile open;
        try {
            open = loader.openFile(file);
        } catch (IOException failure) {
            throw diagnosis.cannotOpen(failure);
        }
        try (InputStream in = java.nio.file.Files.newInputStream(open.readable())) {
            if (Hashes.sha256(in).equals(e.sha256())) {
                return open;
            }
        } catch (IOException failure) {
            open.close();
            throw diagnosis.cannotOpen(failure);
        }
        open.close();
        return null;
    }

    /** The bytes of a bundled file, checked against the index. */
    private byte[] verified(BundleIndex.Entry e) {
        String path = BundleIndex.filePath(bundle, e);
        byte[] bytes;
        try (InputStream in = resources.open(path)) {
            if (in == null) {
                throw missing(e);
            }
            bytes = in.readAllBytes();
        } catch (IOException failure) {
            throw fail(Reason.BAD_BUNDLE, null, "cannot read " + where(path) + ": " + failure.getMessage(),
                    "rebuild the bundle's jar", null);
        }
        String actual = Hashes.sha256(bytes);
        if (!actual.equals(e.sha256())) {
            throw mismatch(e, actual);
        }
        return bytes;
    }

    private LibraryLoadException missing(BundleIndex.Entry e) {
        return fail(Reason.BAD_BUNDLE, null, "lists " + e.name() + " for " + e.classifier() + " in its index, but "
                + BundleIndex.filePath(bundle, e) + " is not among the resources", "rebuild the bundle's jar", null);
    }

    private LibraryLoadException mismatch(BundleIndex.Entry e, String actual) {
        String path = BundleIndex.filePath(bundle, e);
        return fail(Reason.HASH_MISMATCH, Path.of(where(path)), "is not the file the bundle's index names: its SHA-256 is "
                + actual + ", the index says " + e.sha256(), "the jar was changed after it was built; use the one "
                + "its build made", null);
    }

    /** Where a resource is, for messages: its URL, such as {@code jar:file:/app/x.jar!/META-INF/...}. */
    private String where(String path) {
        return resources.where(path);
    }

    private LibraryLoadException fail(Reason reason, Path file, String detail, String hint, String message) {
        return new LibraryLoadException(reason, "bundle " + bundle, file, detail, hint, message, List.of());
    }

    private LibraryLoadException fail(Reason reason, Path file, String detail, String hint) {
        return fail(reason, file, detail, hint, null);
    }

    private static void closeAll(List<Library> loaded) {
        for (Library library : loaded) {
            library.close();
        }
    }

    /** A bundled file as the cache reads it: checked against its hash while it is written. */
    private final class Source implements NativeCache.Source {
        private final BundleIndex.Entry entry;

        Source(BundleIndex.Entry entry) {
            this.entry = entry;
        }

        @Override
        public String name() {
            return entry.name();
        }

        @Override
        public String sha256() {
            return entry.sha256();
        }

        @Override
        public InputStream open() throws IOException {
            byte[] bytes;
            try (InputStream in = resources.open(BundleIndex.filePath(bundle, entry))) {
                if (in == null) {
                    throw new HashMismatch(missing(entry));
                }
                bytes = in.readAllBytes();
            }
            String actual = Hashes.sha256(bytes);
            if (!actual.equals(entry.sha256())) {
                throw new HashMismatch(mismatch(entry, actual));
            }
            return new ByteArrayInputStream(bytes);
        }
    }

    /** Carries a bundle failure found while the cache reads a file out through its IOException. */
    private static final class HashMismatch extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient LibraryLoadException failure;

        HashMismatch(LibraryLoadException failure) {
            super(failure.getMessage());
            this.failure = failure;
        }
    }
}
