package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.elf.ElfFile;
import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.BundledStream;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.Platform;

import java.io.IOException;
import java.io.InputStream;
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
    /** The exceptions that name this bundle and its resources. */
    private final BundleFailures failures;

    private Bundles(String bundle, Resources resources, NativeLoader loader, OptionSet options, LoadOption[] given) {
        this.bundle = bundle;
        this.resources = resources;
        this.loader = loader;
        this.options = options;
        this.given = given;
        this.failures = new BundleFailures(bundle, resources);
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

    /**
     * The library of a bundle of one library (a plugin's), in a sealed memory file checked against the
     * index's hash, for a runner to load: nothing of it runs here.
     *
     * @throws LibraryLoadException if the bundle is missing, damaged, not built for this platform, or holds
     *         more than one library (its dependencies would have to be found by the runner)
     */
    static OpenFile inMemory(String bundle, Resources resources, NativeLoader loader) {
        if (bundle.isEmpty() || !NAME.matcher(bundle).matches() || bundle.equals(".") || bundle.equals("..")) {
            throw new IllegalArgumentException("'" + bundle + "' is not a bundle name: give letters, digits, '.', '_' or '-'");
        }
        try (resources) {
            Bundles b = new Bundles(bundle, resources, loader, OptionSet.of(), new LoadOption[0]);
            List<BundleIndex.Entry> files = b.index().forPlatform(Platform.current());
            if (files.size() != 1) {
                throw b.failures.fail(files.isEmpty() ? Reason.NOT_BUILT_FOR_PLATFORM : Reason.FAILED_IN_ISOLATION, null,
                        files.isEmpty()
                        ? "has no build for this platform, " + Platform.current()
                        : "holds " + files.size() + " libraries for " + Platform.current() + "; out of process, a "
                        + "bundle runs with one library only", files.isEmpty() ? "use a release of it built for "
                        + Platform.current() : "run it in process, or link its dependencies into it");
            }
            OpenFile open = b.memoryCopy(files.getFirst());
            if (open == null) {
                throw b.failures.fail(Reason.FAILED_IN_ISOLATION, null, "could not be read into a sealed memory file "
                        + "here (the platform has none, or the kernel refused one, as under a tight memory limit)",
                        "run it in process, or unpack it into a plugin folder");
            }
            return open;
        }
    }

    private Optional<dev.dynload.format.SymbolData> readData(String symbol, int limit) throws IOException {
        BundleIndex index = index();
        String platform = Platform.current();
        List<BundleIndex.Entry> files = index.forPlatform(platform);
        if (files.isEmpty()) {
            throw failures.fail(Reason.NOT_BUILT_FOR_PLATFORM, null, "has no build for this platform, " + platform
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
            throw failures.fail(Reason.NOT_BUILT_FOR_PLATFORM, null, "has no build for this platform, " + platform
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
        return last(new BundleCache(bundle, resources, loader, options, failures).load(files, platform));
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
                throw failures.fail(Reason.BAD_BUNDLE, null, "has no index: " + path + " is not among the resources",
                        noIndexHint(), null);
            }
            return BundleIndex.read(in);
        } catch (IOException e) {
            throw failures.fail(Reason.BAD_BUNDLE, null, "has an index that cannot be read (" + failures.where(path) + "): "
                    + e.getMessage(), "rebuild the bundle's jar", null);
        } catch (BundleIndex.MalformedException e) {
            throw failures.fail(Reason.BAD_BUNDLE, null, "has a malformed index (" + failures.where(path) + "): " + e.getMessage(),
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
        Path shown = Path.of(failures.where(path));
        try (InputStream in = resources.open(path)) {
            if (in == null) {
                throw failures.missing(e);
            }
            BundledStream content = new BundledStream(in);
            OpenFile open;
            try {
                open = loader.memoryFile(shown, content);
            } catch (BundledStream.TooLargeException tooLarge) {
                throw failures.tooLarge(e, tooLarge);
            } catch (UnsupportedOperationException refused) {
                return null; // no sealed memory files on this platform: the cache it is
            } catch (IOException failed) {
                if (content.readFailed()) {
                    throw failures.cannotRead(e, failed); // the jar's fault
                }
                return null; // the memory file's (refused by the kernel, or full under a memory limit): the cache
            }
            String actual = content.sha256();
            if (!actual.equals(e.sha256())) {
                open.close();
                throw failures.mismatch(e, actual);
            }
            return open;
        } catch (IOException failure) {
            throw failures.cannotRead(e, failure);
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

    static void closeAll(List<Library> loaded) {
        for (Library library : loaded) {
            library.close();
        }
    }
}
