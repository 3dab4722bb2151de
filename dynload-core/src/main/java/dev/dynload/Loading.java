package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfCheck;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One open call: finds the file for a name, opens it once, checks it through that open file, loads the
 * same open file, and explains a failure.
 */
final class Loading {

    private final NativeLoader loader;
    private final OptionSet options;
    /** The search by name this call makes, once it makes one: what it has searched goes into messages. */
    private @Nullable NameSearch search;
    /** The files this call is loading, with the dependencies it loads first: an $ORIGIN cycle stops here. */
    private final Set<Object> inProgress;

    Loading(NativeLoader loader, OptionSet options) {
        this(loader, options, new HashSet<>());
    }

    private Loading(NativeLoader loader, OptionSet options, Set<Object> inProgress) {
        this.loader = loader;
        this.options = options;
        this.inProgress = inProgress;
    }

    Library openProcess() {
        NativeLoader.Opened opened = loader.openProcess();
        if (!opened.ok()) {
            throw new LibraryLoadException(Reason.LOADER_ERROR, "the running process", null,
                    "the loader cannot open the process itself", "report this as a bug", opened.error(), List.of());
        }
        return new Library(loader, "the running process", null, opened);
    }

    /** Loads {@code file}, which the caller gave as {@code library}. */
    Library openFile(String library, Path file) {
        checkNoNul(file.toString());
        Diagnosis diagnosis = new Diagnosis(library, file, searched());
        return load(library, diagnosis, openOrExplain(diagnosis, file));
    }

    /**
     * Loads a file opened already: checks it through the open descriptor, loads it, and closes the
     * descriptor whatever happens.
     */
    Library load(String library, Diagnosis diagnosis, OpenFile open) {
        try {
            diagnosis.readThrough(open.readable());
            Optional<LibraryLoadException> doomed = diagnosis.beforeLoading(open);
            if (doomed.isPresent()) {
                throw doomed.get();
            }
            if (options.privateCopy() && !open.isCopy()) {
                OpenFile copy = privateCopy(loader, open, diagnosis);
                open.close();
                open = copy;
                diagnosis.readThrough(copy.readable());
            }
            if (options.sha256() != null) { // the sealed copy's bytes: what is hashed is what is loaded
                String actual;
                try {
                    actual = dev.dynload.internal.Hashes.sha256(open.readable());
                } catch (IOException e) {
                    throw diagnosis.cannotCopy(e); // the sealed copy could not be read back to hash it
                }
                if (!actual.equals(options.sha256())) {
                    throw diagnosis.pinMismatch(options.sha256(), actual);
                }
            }
            FirstLoad first = new FirstLoad(diagnosis, open);
            NativeLoader.Opened opened;
            try {
                opened = loader.load(open, options.loadFlags(), first);
            } finally {
                // The library now holds its dependencies itself; the references taken to load them first go.
                for (Library dependency : first.dependencies) {
                    dependency.close();
                }
            }
            if (!opened.ok()) {
                throw diagnosis.afterLoading(opened.error());
            }
            return new Library(loader, library, open.file(), opened);
        } finally {
            open.close();
        }
    }

    /** What runs once before the loader sees a file it has not loaded yet; a class, not a lambda, for cold start. */
    private final class FirstLoad implements java.util.function.BooleanSupplier {
        final Diagnosis diagnosis;
        final OpenFile open;
        final List<Library> dependencies = new ArrayList<>();

        FirstLoad(Diagnosis diagnosis, OpenFile open) {
            this.diagnosis = diagnosis;
            this.open = open;
        }

        @Override
        public boolean getAsBoolean() {
            return beforeFirstLoad(diagnosis, open, dependencies);
        }
    }

    /** {@return {@code open}'s bytes, copied into a sealed memory file ({@link LoadOption#PRIVATE_COPY})} */
    static OpenFile privateCopy(NativeLoader loader, OpenFile open, Diagnosis diagnosis) {
        try (java.io.InputStream content = new java.io.FileInputStream(open.readable().toFile())) {
            return loader.memoryFile(open.file(), content);
        } catch (IOException e) {
            throw diagnosis.cannotCopy(e);
        }
    }

    /**
     * What happens once, before the loader is given a file it has not loaded yet: the structural check,
     * then the dependencies it finds through {@code $ORIGIN}, which are opened, checked and loaded the
     * same way first (the loader, given the open file, would look for them in the wrong folder).
     *
     * @return whether the loader must be given the file's path: when such a dependency has no SONAME by
     *         which the loader could recognise it, only the library's own folder finds it
     */
    boolean beforeFirstLoad(Diagnosis diagnosis, OpenFile open, List<Library> dependencies) {
        Optional<ElfCheck> elf = diagnosis.structure();
        if (!inProgress.add(open.key())) {
            return false;
        }
        boolean byPath = false;
        String unrecognised = null;
        if (elf.isPresent()) {
            NativeLoader.Requester requester = elf.get().runPath().isEmpty() ? null
                    : requester(open.file(), elf.get().runPath(), elf.get().runPathIsRpath());
            for (String needed : elf.get().needed()) {
                Optional<Path> dependency = needed.indexOf('/') >= 0 ? named(needed, open.file())
                        : requester == null ? Optional.empty() : throughOrigin(needed, requester);
                if (dependency.isEmpty()) {
                    continue;
                }
                Loading loading = new Loading(loader, options.forDependency(), inProgress);
                Library loaded = loading.openFile(needed, dependency.get());
                dependencies.add(loaded);
                // The loader finds a dependency it has loaded by its SONAME, or by the path a DT_NEEDED
                // names (through the file's identity); "$ORIGIN/..." it can expand only from the real path.
                boolean recognised = needed.indexOf('/') >= 0 ? !isOrigin(needed) : loading.knownAs(dependency.get(), needed);
                if (!recognised) {
                    byPath = true;
                    unrecognised = needed;
                }
            }
        }
        if (byPath && open.isCopy()) {
            throw diagnosis.privateCopyByPath(unrecognised);
        }
        if (options.isolation() != null) {
            Isolation.check(loader, options, diagnosis, open, elf.map(ElfCheck::runPath).orElse(List.of()));
        }
        return byPath;
    }

    /** The library in {@code file}, with its run path, as the one whose DT_NEEDED entries are searched for. */
    static NativeLoader.Requester requester(Path file, List<String> runPath, boolean rpath) {
        return rpath ? new NativeLoader.Requester(file.toAbsolutePath().getParent(), runPath, List.of())
                : new NativeLoader.Requester(file.toAbsolutePath().getParent(), List.of(), runPath);
    }

    /** The file the loader would take for {@code needed} through an {@code $ORIGIN} run path, if it would. */
    private Optional<Path> throughOrigin(String needed, NativeLoader.Requester requester) {
        NativeLoader.Opened loaded = loader.loadedByName(needed);
        if (loaded.ok()) {
            loader.close(loaded); // the process has it already, and the loader will take that one
            return Optional.empty();
        }
        NativeLoader.Search search = loader.search(needed, requester);
        for (Path candidate : search.candidates()) {
            if (Files.isRegularFile(candidate) && Diagnosis.runsHere(candidate)) {
                return search.throughOrigin().contains(candidate) ? Optional.of(candidate) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * The file a DT_NEEDED entry holding a '/' names, {@code $ORIGIN} expanded from {@code file}'s folder as
     * the loader expands it; empty when no such file exists (the loader then reports it missing) or the entry
     * uses another of the loader's variables, which is left to the loader.
     */
    static Optional<Path> named(String needed, Path file) {
        String origin = file.toAbsolutePath().getParent().toString();
        String expanded = needed.replace("${ORIGIN}", origin).replace("$ORIGIN", origin);
        if (expanded.indexOf('$') >= 0) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(expanded);
            return Files.exists(path) ? Optional.of(path) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static boolean isOrigin(String needed) {
        return needed.contains("$ORIGIN") || needed.contains("${ORIGIN}");
    }

    /** Whether the loader will recognise {@code file}, once loaded, as the DT_NEEDED name {@code needed}. */
    private boolean knownAs(Path file, String needed) {
        try {
            return ElfFile.read(file).soname().filter(needed::equals).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** Loads what a search finds; a class, not a method reference, so that no class is spun on a first open. */
    private final class Open implements NameSearch.Attempt<Library> {
        @Override
        public Library attempt(String name, Path file) {
            return openFile(name, file);
        }
    }

    /** Checks what a search finds, and loads nothing. */
    private final class Check implements NameSearch.Attempt<Path> {
        @Override
        public Path attempt(String name, Path file) {
            return checkFile(name, file);
        }
    }

    /** The search by name, made when a name is first searched for: an open by path never loads it. */
    private NameSearch search() {
        if (search == null) {
            search = new NameSearch(loader, options);
        }
        return search;
    }

    /** {@return the places searched so far, for messages} */
    private List<String> searched() {
        return search == null ? List.of() : search.searched();
    }

    Library openName(String name) {
        return search().find(name, new Open(), true);
    }

    /** The file {@link #openName} would load, found and checked as it would, without loading anything. */
    Path locateName(String name) {
        return search().find(name, new Check(), false);
    }

    /**
     * Opens a file's header and checks it as {@link #openFile} does before loading, and explains a file
     * that is not a shared library (a linker script, a text file) as the loader's refusal would be: no
     * library code runs.
     */
    Path checkFile(String library, Path file) {
        checkNoNul(file.toString());
        Diagnosis diagnosis = new Diagnosis(library, file, searched());
        try (OpenFile open = openOrExplain(diagnosis, file)) {
            diagnosis.readThrough(open.readable());
            Optional<LibraryLoadException> doomed = diagnosis.beforeLoading(open);
            if (doomed.isPresent()) {
                throw doomed.get();
            }
            Optional<LibraryLoadException> notElf = diagnosis.notElf();
            if (notElf.isPresent()) {
                throw notElf.get();
            }
            return open.file();
        }
    }

    private OpenFile openOrExplain(Diagnosis diagnosis, Path file) {
        try {
            return loader.openFile(file);
        } catch (IOException e) {
            throw diagnosis.cannotOpen(e);
        }
    }

    static void checkNoNul(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("library name \"" + OperatingSystem.printable(s)
                    + "\" holds a NUL character, which file names cannot contain");
        }
    }
}
