package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.internal.NativeLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** One open call: finds the file for a name, loads it, and explains a failure. */
final class Loading {

    /** A version suffix ("1", "1.2.13"); compiled by the first search through a folder. */
    private static final class Version {
        static final Pattern PATTERN = Pattern.compile("[0-9]+(\\.[0-9]+)*");
    }

    private final NativeLoader loader;
    private final Options options;
    private final List<String> searched = new ArrayList<>();
    /** A file passed over during a search by name (another CPU's), reported if nothing else loads. */
    private LibraryLoadException passedOver;

    Loading(NativeLoader loader, Options options) {
        this.loader = loader;
        this.options = options;
    }

    Library openProcess() {
        NativeLoader.Opened opened = loader.open(null, options.flags());
        if (!opened.ok()) {
            throw new LibraryLoadException(Reason.LOADER_ERROR, "the running process", null,
                    "the loader cannot open the process itself", "report this as a bug", opened.error(), List.of());
        }
        return new Library(loader, "the running process", null, opened.handle());
    }

    /** Loads {@code file}, which the caller gave as {@code library}. */
    Library openFile(String library, Path file) {
        checkNoNul(file.toString());
        Diagnosis diagnosis = new Diagnosis(library, file, List.copyOf(searched));
        Optional<LibraryLoadException> doomed = diagnosis.beforeLoading();
        if (doomed.isPresent()) {
            throw doomed.get();
        }
        Path absolute = file.toAbsolutePath();
        NativeLoader.Opened opened = loader.open(absolute.toString(), options.flags());
        if (!opened.ok()) {
            throw diagnosis.afterLoading(opened.error());
        }
        return new Library(loader, library, absolute, opened.handle());
    }

    Library openName(String name) {
        checkNoNul(name);
        if (name.isBlank()) {
            throw new IllegalArgumentException("empty library name; give a name such as \"z\" or a path");
        }
        if (name.indexOf('/') >= 0 || name.indexOf(java.io.File.separatorChar) >= 0) {
            return openFile(name, path(name));
        }
        OperatingSystem os = loader.os();
        String fileName = os.isLibraryFileName(name) ? name : os.mapLibraryName(name);
        List<Path> folders = new ArrayList<>(options.searchPath());
        folders.addAll(javaLibraryPath());
        for (Path folder : folders) {
            Optional<Library> found = tryFolder(name, folder, fileName);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return openFromSystem(name, fileName);
    }

    private Library openFromSystem(String name, String fileName) {
        searched.add(loader.systemSearchDescription());
        NativeLoader.Opened opened = loader.open(fileName, options.flags());
        if (opened.ok()) {
            Path real = loader.pathOf(opened.handle()).orElse(null);
            return new Library(loader, name, real, opened.handle());
        }
        // The loader found a file but refused it (glibc names it first in its message): explain that file,
        // or follow it when it is a linker script such as libc.so.
        String message = opened.error();
        int colon = message.indexOf(": ");
        if (colon > 0 && message.startsWith("/")) {
            Path refused = Path.of(message.substring(0, colon));
            if (Files.isRegularFile(refused)) {
                return openCandidate(name, refused).orElseThrow(() -> passedOver);
            }
        }
        for (Path folder : loader.systemFolders()) {
            Optional<Library> found = tryFolder(name, folder, fileName);
            if (found.isPresent()) {
                return found.get();
            }
        }
        if (passedOver != null) {
            throw passedOver;
        }
        throw new LibraryLoadException(Reason.NOT_FOUND, name, null,
                "no file " + fileName + (fileName.equals(name) ? "" : " (nor a versioned " + fileName + ".N)")
                        + " in any place searched: " + String.join("; ", searched),
                "put the library in one of those folders, pass its folder with LoadOption.searchPath, or give its path",
                message, searched);
    }

    private Optional<Library> tryFolder(String name, Path folder, String fileName) {
        // java.library.path and the system folders overlap; each folder is searched once.
        if (searched.contains(folder.toString())) {
            return Optional.empty();
        }
        searched.add(folder.toString());
        for (Path candidate : candidates(folder, fileName)) {
            Optional<Library> library = openCandidate(name, candidate);
            if (library.isPresent()) {
                return library;
            }
        }
        return Optional.empty();
    }

    /** Loads a file found by a search; another CPU's file is passed over, as the system loader does. */
    private Optional<Library> openCandidate(String name, Path candidate) {
        try {
            return Optional.of(openFile(name, candidate));
        } catch (LibraryLoadException e) {
            if (e.reason() == Reason.WRONG_ARCHITECTURE) {
                if (passedOver == null) {
                    passedOver = e;
                }
                return Optional.empty();
            }
            if (e.reason() == Reason.LINKER_SCRIPT) {
                Optional<Path> target = scriptTarget(candidate);
                if (target.isPresent() && !target.get().equals(candidate)) {
                    return Optional.of(openFile(name, target.get()));
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

    /** The exact file, then versioned files ({@code libz.so.1} for {@code libz.so}), newest major first. */
    static List<Path> candidates(Path folder, String fileName) {
        List<Path> found = new ArrayList<>();
        Path exact = folder.resolve(fileName);
        if (Files.exists(exact)) {
            found.add(exact);
        }
        if (!fileName.endsWith(".so") || !Files.isDirectory(folder)) {
            return found;
        }
        String prefix = fileName + ".";
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(f -> {
                        String n = f.getFileName().toString();
                        return n.startsWith(prefix) && Version.PATTERN.matcher(n.substring(prefix.length())).matches();
                    })
                    .sorted(Comparator.comparingInt((Path f) -> major(f, prefix)).reversed()
                            .thenComparingInt(f -> f.getFileName().toString().length()))
                    .forEach(found::add);
        } catch (IOException | RuntimeException e) {
            // An unreadable folder holds nothing we can load; the search goes on.
        }
        return found;
    }

    /** Only the major version orders candidates: libz.so.1 and libz.so.1.2.13 are the same library. */
    private static int major(Path file, String prefix) {
        String v = file.getFileName().toString().substring(prefix.length());
        int dot = v.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
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

    private static void checkNoNul(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("library name \"" + OperatingSystem.printable(s)
                    + "\" holds a NUL character, which file names cannot contain");
        }
    }
}
