package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.internal.NativeLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A library found by name, as the system loader would find it but without the loader: the folders given,
 * {@code java.library.path}, the backend's own search rules, the system folders (for versioned files), and
 * a library the process holds already. Each file found is handed to an {@link Attempt}, which loads or
 * only checks it; another CPU's file is passed over, a linker script followed, any other failure reported.
 */
final class NameSearch {

    /** What a search does with a file it finds: loads it, or only checks it. */
    interface Attempt<T> {
        T attempt(String name, Path file);
    }

    private final NativeLoader loader;
    private final OptionSet options;
    /** The places searched, in words, for messages: each folder once, whichever way it was reached. */
    private final List<String> searched = new ArrayList<>();
    private final Set<String> listed = new HashSet<>();
    /** The folders whose files were tried, versioned names included: each once. */
    private final Set<Path> scanned = new HashSet<>();
    /** A file passed over during a search by name (another CPU's), reported if nothing else loads. */
    private @Nullable LibraryLoadException passedOver;

    NameSearch(NativeLoader loader, OptionSet options) {
        this.loader = loader;
        this.options = options;
    }

    /** {@return the places searched so far, in words} */
    List<String> searched() {
        return List.copyOf(searched);
    }

    <T> T find(String name, Attempt<T> attempt, boolean loadedCounts) {
        Loading.checkNoNul(name);
        if (name.isBlank()) {
            throw new IllegalArgumentException("empty library name; give a name such as \"z\" or a path");
        }
        if (name.indexOf('/') >= 0 || name.indexOf(java.io.File.separatorChar) >= 0) {
            return attempt.attempt(name, path(name));
        }
        OperatingSystem os = OperatingSystem.current();
        String fileName = os.isLibraryFileName(name) ? name : os.mapLibraryName(name);
        List<Path> folders = new ArrayList<>(options.searchPath());
        folders.addAll(javaLibraryPath());
        for (Path folder : folders) {
            Optional<T> found = tryFolder(name, folder, fileName, attempt);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return fromSystem(name, fileName, attempt, loadedCounts);
    }

    /** The system loader's own search, followed here so that what is found is checked before it loads. */
    @SuppressWarnings("unchecked")
    private <T> T fromSystem(String name, String fileName, Attempt<T> attempt, boolean loadedCounts) {
        NativeLoader.Search search = loader.search(fileName, null);
        for (String place : search.places()) {
            // "/opt/lib (LD_LIBRARY_PATH)" names the folder /opt/lib, which java.library.path may have listed.
            int source = place.indexOf(" (");
            listPlace(source < 0 ? place : place.substring(0, source), place);
        }
        for (Path candidate : search.candidates()) {
            Optional<T> found = tryCandidate(name, candidate, attempt);
            if (found.isPresent()) {
                return found.get();
            }
        }
        for (Path folder : loader.systemFolders()) {
            Optional<T> found = tryFolder(name, folder, fileName, attempt);
            if (found.isPresent()) {
                return found.get();
            }
        }
        if (loadedCounts && options.sha256() == null) { // a pinned library is loaded only from bytes hashed here
            // A library the process holds already, known to the loader by this name (libjvm.so, say).
            NativeLoader.Opened loaded = loader.loadedByName(fileName);
            if (loaded.ok()) {
                return (T) new Library(loader, name, loader.pathOf(loaded.handle()).orElse(null), loaded);
            }
        }
        if (passedOver != null) {
            throw passedOver;
        }
        throw new LibraryLoadException(Reason.NOT_FOUND, name, null,
                "no file " + fileName + (fileName.equals(name) ? "" : " (nor a versioned " + fileName + ".N)")
                        + " in any place searched: " + String.join("; ", searched),
                notFoundHint(name, fileName), null, searched);
    }

    /** The usual advice, or, when the name is a file in the working directory, how to load that file. */
    private static String notFoundHint(String name, String fileName) {
        for (String candidate : new String[] {name, fileName}) {
            try {
                if (Files.isRegularFile(Path.of(candidate))) {
                    return "a name without '/' is searched for, not taken from the working directory; to load the "
                            + "file " + candidate + " there, give its path: ./" + candidate;
                }
            } catch (InvalidPathException ignored) {
                // Not a file name here.
            }
        }
        return "put the library in one of those folders, pass its folder with LoadOption.searchPath, or give its path";
    }

    /** Adds a place to the message's list, unless the folder it names is listed already. */
    private void listPlace(String folder, String words) {
        if (listed.add(folder)) {
            searched.add(words);
        }
    }

    /**
     * Tries the files of {@code folder} that stand for {@code fileName}, versioned names included (a
     * {@code libz.so.1} without the {@code libz.so} development link). Each folder is tried once, though
     * java.library.path, the system loader's search and the system folders overlap: the loader's own
     * search tries only exact names, so a folder it listed is still tried here.
     */
    private <T> Optional<T> tryFolder(String name, Path folder, String fileName, Attempt<T> attempt) {
        listPlace(folder.toString(), folder.toString());
        if (!scanned.add(folder.toAbsolutePath().normalize())) {
            return Optional.empty();
        }
        for (Path candidate : loader.conventions().candidates(folder, fileName)) {
            Optional<T> found = tryCandidate(name, candidate, attempt);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /**
     * Tries a file found by a search; another CPU's file is passed over, as the system loader does, and
     * so is a candidate that does not exist; a linker script is followed to the library it names.
     */
    private <T> Optional<T> tryCandidate(String name, Path candidate, Attempt<T> attempt) {
        try {
            return Optional.of(attempt.attempt(name, candidate));
        } catch (LibraryLoadException e) {
            if (e.reason() == Reason.NOT_FOUND && e.file().filter(candidate::equals).isPresent()) {
                return Optional.empty(); // this candidate is not there: the search goes on
            }
            if (e.reason() == Reason.WRONG_ARCHITECTURE) {
                if (passedOver == null) {
                    passedOver = e;
                }
                return Optional.empty();
            }
            if (e.reason() == Reason.LINKER_SCRIPT) {
                Optional<Path> target = scriptTarget(candidate);
                if (target.isPresent() && !target.get().equals(candidate)) {
                    return Optional.of(attempt.attempt(name, target.get()));
                }
            }
            throw e;
        }
    }

    private static Optional<Path> scriptTarget(Path script) {
        try {
            return LinkerScript.parse(Files.readString(script, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .flatMap(s -> s.sharedLibrary(script));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static List<Path> javaLibraryPath() {
        String value = System.getProperty("java.library.path", "");
        List<Path> folders = new ArrayList<>();
        for (String entry : value.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                try {
                    folders.add(Path.of(entry));
                } catch (InvalidPathException ignored) {
                    // A malformed entry cannot hold a library; skip it as the JDK does.
                }
            }
        }
        return folders;
    }

    private static Path path(String name) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path: \"" + OperatingSystem.printable(name) + "\": "
                    + e.getReason(), e);
        }
    }
}
