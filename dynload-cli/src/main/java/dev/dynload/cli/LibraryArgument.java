package dev.dynload.cli;

import dev.dynload.Library;
import dev.dynload.LoadOption;
import dev.dynload.LoadPlan;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.dynload.format.NativeFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The LIB argument shared by every command: a path, a file name or a bare name, and where to search. */
final class LibraryArgument {

    @Parameters(index = "0", paramLabel = "LIB",
            description = "The library: a path (./libtest.so), a file name (libm.so.6) or a bare name (m).")
    String name;

    @Option(names = {"-L", "--search-path"}, paramLabel = "DIR",
            description = "Search DIR first for a library given by name; may be repeated.")
    List<Path> searchPath = new ArrayList<>();

    /** Loads the library: its initializers run. */
    Library open(LoadOption... flags) {
        return Library.open(name, options(flags));
    }

    /**
     * The file behind LIB, found as {@link #open} would find it but without loading anything, for commands
     * that only read the file: no library code runs.
     */
    Path locate() {
        try {
            return LoadPlan.locate(name, options());
        } catch (dev.dynload.LibraryLoadException e) {
            throw new Failures.NotRead(e);
        }
    }

    /**
     * The file behind LIB for commands that read it whatever platform it is for: a path to a native file of
     * any platform (a Mach-O dylib or a PE DLL on Linux, another CPU's ELF file) is taken as it is; any
     * other LIB is found as {@link #locate} finds it.
     */
    Path anyPlatform() {
        if (name.indexOf('/') >= 0 || name.indexOf(java.io.File.separatorChar) >= 0) {
            try {
                Path path = Path.of(name);
                if (Files.isRegularFile(path) && NativeFile.formatOf(path).isPresent()) {
                    return path;
                }
            } catch (InvalidPathException | IOException e) {
                // Not a readable file: locate() explains it.
            }
        }
        return locate();
    }

    /** What loading LIB would do, found by reading files only. */
    LoadPlan plan(LoadOption... flags) {
        return LoadPlan.of(name, options(flags));
    }

    private LoadOption[] options(LoadOption... flags) {
        List<LoadOption> options = new ArrayList<>(List.of(flags));
        options.add(LoadOption.searchPath(searchPath.toArray(Path[]::new)));
        return options.toArray(LoadOption[]::new);
    }
}
