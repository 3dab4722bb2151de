package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.elf.ElfFile;
import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.BundledStream;
import dev.dynload.internal.Hashes;
import dev.dynload.internal.NativeCache;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.Platform;

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
    static Optional<dev.dynload.format.SymbolData> readData(String bundle, Resources resources, NativeLoader loader,
                                                           String symbol, int limit) throws IOException {
        if (bundle.isEmpty() || !NAME.matcher(bundle).matches() || bundle.equals(".") || bundle.equals("..")) {
            throw new IllegalArgumentException("'" + bundle + "' is not a bundle name: give letters, digits, '.', '_' or '-'");
        }
        try (resources) {
            return new Bundles(bundle, resources, loader, OptionSet.of(), new LoadOption[0]).readData(symbol, limit);
        }
    }

    private Optional<dev.dynload.format.SymbolData> readData(String symbol, int limit) throws IOException {
        BundleIndex index = index();
        String platform = Platform.current();
        List<BundleIndex.Entry> files = index.forPlatform(platform);
        if (files.isEmpty()) {
            throw fail(Reason.NOT_BUILT_FOR_PLATFORM, null, "has no build for this platform, " + platform
                    + "; it has " + String.join(", ", index.platforms()), "use a release of it built for " + platform);
        }
        BundleIndex.Entry main = files.getLast();
        OpenFile open = memoryCopy(main);
        if (open == null) {
            throw new UnsupportedOperationException("reading a bundled file needs sealed memory files (Linux)");
        }
        try (open) {
            return dev.dynload.format.NativeFile.readData(open.readable(), symbol, limit);
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
        try (InputStream in = resources.open(path)) {
            if (in == null) {
                throw fail(Reason.BAD_BUNDLE, null, "has no index: " + path + " is not among the resources",
                        noIndexHint(), null);
            }
            return BundleIndex.read(in);
        } catch (IOException e) {
            throw fail(Reason.BAD_BUNDLE, null, "has an index that cannot be read (" + where(path) + "): "
                    + e.getMessage(), "rebuild the bundle's jar", null);
        } catch (BundleIndex.MalformedException e) {
            throw fail(Reason.BAD_BUNDLE, null, "has a malformed index (" + where(path) + "): " + e.getMessage(),
                    "rebuild the bundle's jar; its build writes the index", null);
        }
    }

    /** What to do when no index is found: a jar on the module path whose module is not resolved is not seen. */
    private String noIndexHint() {
        Optional<String> unresolved = unresolvedModuleWith(BundleIndex.indexPath(bundle));
        if (unresolved.isPresent()) {
            return "the module " + unresolved.get() + " on the module path holds it, but is not resolved, so no class "
                    + "loader sees it: add --add-modules " + unresolved.get() + " to the java command (or requires "
                    + unresolved.get() + " to your module-info.java)";
        }
        return "put the bundle's jar on the class or module path, and give a class of that jar as the anchor; "
                + "docs/bundles.md says how a build makes one";
    }

    /** The module on the module path that holds {@code resource} and is not in the boot layer, if one does. */
    private static Optional<String> unresolvedModuleWith(String resource) {
        String path = System.getProperty("jdk.module.path");
        if (path == null || path.isBlank()) {
            return Optional.empty();
        }
        try {
            List<Path> entries = new ArrayList<>();
            for (String entry : path.split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(Path.of(entry));
                }
            }
            for (java.lang.module.ModuleReference ref : java.lang.module.ModuleFinder.of(entries.toArray(new Path[0]))
                    .findAll()) {
                String name = ref.descriptor().name();
                if (ModuleLayer.boot().findModule(name).isPresent()) {
                    continue;
                }
                try (java.lang.module.ModuleReader reader = ref.open()) {
                    if (reader.find(resource).isPresent()) {
                        return Optional.of(name);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // only a hint: the usual advice stands
        }
        return Optional.empty();
    }

    /**
     * A bundled file copied into a sealed memory file as it is read out of the jar, hashed on the way and
     * checked against the index: no copy on the Java heap, and a file past the size limit is refused.
     *
     * @return the memory file, or null where the platform or the kernel gives none
     */
    private OpenFile memoryCopy(BundleIndex.Entry e) {
        String path = BundleIndex.filePath(bundle, e);
        Path shown = Path.of(where(path));
        try (InputStream in = resources.open(path)) {
            if (in == null) {
                throw missing(e);
            }
            BundledStream content = new BundledStream(in);
            OpenFile open;
            try {
                open = loader.memoryFile(shown, content);
            } catch (BundledStream.TooLargeException tooLarge) {
                throw tooLarge(e, tooLarge);
            } catch (UnsupportedOperationException refused) {
                return null; // no sealed memory files on this platform: the cache it is
            } catch (IOException failed) {
                if (content.readFailed()) {
                    throw cannotRead(e, failed); // the jar's fault
                }
                return null; // the memory file's (refused by the kernel, or full under a memory limit): the cache
            }
            String actual = content.sha256();
            if (!actual.equals(e.sha256())) {
                open.close();
                throw mismatch(e, actual);
            }
            return open;
        } catch (IOException failure) {
            throw cannotRead(e, failure);
        }
    }

    /**
     * Loads the files from sealed memory files, checked against their hashes; null where the platform has
     * none, the kernel refuses them, or a dependency has no SONAME by which the loader could find it there.
     */
    private List<Library> fromMemory(List<BundleIndex.Entry> files) {
        List<OpenFile> copies = new ArrayList<>();
        try {
            for (int i = 0; i < files.size(); i++) {
                OpenFile open = memoryCopy(files.get(i));
                if (open == null) {
                    return null;
                }
                copies.add(open);
                if (i < files.size() - 1 && !hasSoname(open)) {
                    return null; // only the cache's folder can make it findable
                }
            }
        } catch (RuntimeException failure) {
            closeFiles(copies);
            throw failure;
        } finally {
            if (copies.size() < files.size()) {
                closeFiles(copies);
            }
        }
        // The linker is still being set up on another thread (LinkerWarmUp): warm the verifier up here
        // meanwhile, rather than wait, or compete with it from a third thread.
        NativeLoader.current().warmUpChecks(true);
        List<Library> loaded = new ArrayList<>();
        try {
            for (int i = 0; i < files.size(); i++) {
                BundleIndex.Entry e = files.get(i);
                OpenFile open = copies.get(i);
                String library = bundle + "/" + e.name();
                loaded.add(new Loading(loader, options).load(library, new Diagnosis(library, open.file(), List.of()),
                        open));
            }
            return loaded;
        } catch (RuntimeException failure) {
            closeAll(loaded);
            closeFiles(copies); // closing a loaded one again does nothing
            throw failure;
        }
    }

    private static void closeFiles(List<OpenFile> files) {
        for (OpenFile f : files) {
            f.close();
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
        // The jar is checked on every open, as the memory path checks it: a copy cached from a genuine jar
        // must not hide that this jar's file no longer matches its index.
        for (BundleIndex.Entry e : files) {
            checkInJar(e);
        }
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
                    e.hint(), null);
        } catch (HashMismatch e) {
            throw e.failure;
        } catch (IOException e) {
            if (NativeCache.diskFull(e)) {
                throw fail(Reason.DISK_FULL, root, "cannot write bundled libraries into the cache folder: the disk "
                        + "is full (" + e.getMessage() + ")", "free some space, or point -D" + NativeCache.PROPERTY
                        + " at a folder on another disk", null);
            }
            throw fail(Reason.LOADER_ERROR, root, "cannot write bundled libraries into the cache folder: "
                    + NativeCache.explain(e), "check that folder, or point -D" + NativeCache.PROPERTY + " at another", null);
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

    /** Reads a bundled file through, hashing it, and checks it against the index; keeps nothing. */
    private void checkInJar(BundleIndex.Entry e) {
        String path = BundleIndex.filePath(bundle, e);
        try (InputStream in = resources.open(path)) {
            if (in == null) {
                throw missing(e);
            }
            String actual = new BundledStream(in).drain();
            if (!actual.equals(e.sha256())) {
                throw mismatch(e, actual);
            }
        } catch (BundledStream.TooLargeException tooLarge) {
            throw tooLarge(e, tooLarge);
        } catch (IOException failure) {
            throw cannotRead(e, failure);
        }
    }

    private LibraryLoadException tooLarge(BundleIndex.Entry e, BundledStream.TooLargeException tooLarge) {
        return fail(Reason.BAD_BUNDLE, Path.of(where(BundleIndex.filePath(bundle, e))), tooLarge.getMessage()
                + " (a compressed entry that inflates that far is what a zip bomb does); if the library is genuine, "
                + "raise the limit with -D" + BundledStream.LIMIT_PROPERTY + "=2g", "use the jar its build made", null);
    }

    private LibraryLoadException cannotRead(BundleIndex.Entry e, IOException failure) {
        return fail(Reason.BAD_BUNDLE, null, "cannot read " + where(BundleIndex.filePath(bundle, e)) + ": "
                + failure.getMessage(), "rebuild the bundle's jar", null);
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
            InputStream in = resources.open(BundleIndex.filePath(bundle, entry));
            if (in == null) {
                throw new HashMismatch(missing(entry));
            }
            return new Checked(in, entry);
        }
    }

    /** A bundled file as the cache writes it: at its end, checked against the index before it is kept. */
    private final class Checked extends java.io.FilterInputStream {
        private final BundleIndex.Entry entry;
        private boolean ended;

        Checked(InputStream in, BundleIndex.Entry entry) {
            super(new BundledStream(in));
            this.entry = entry;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (BundledStream.TooLargeException tooLarge) {
                throw new HashMismatch(tooLarge(entry, tooLarge));
            }
            if (n < 0 && !ended) {
                ended = true;
                String actual = ((BundledStream) in).sha256();
                if (!actual.equals(entry.sha256())) {
                    throw new HashMismatch(mismatch(entry, actual));
                }
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
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
