package dev.dynload.cli;

import dev.dynload.Library;
import dev.dynload.LibraryLoadException;
import dev.dynload.LoadOption;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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

    Library open(LoadOption... flags) {
        return open(name, flags);
    }

    Library open(String library, LoadOption... flags) {
        List<LoadOption> options = new ArrayList<>(List.of(flags));
        options.add(LoadOption.searchPath(searchPath.toArray(Path[]::new)));
        return Library.open(library, options.toArray(LoadOption[]::new));
    }

    /**
     * The file behind LIB, for commands that read it rather than call it. A path to an ELF file is read
     * as it is, without running its initialisers; anything else goes through the loader's search and
     * diagnosis, so that a wrong file gets the same explanation as from {@code call}.
     */
    Path locate() {
        String library = name;
        Path direct = library.indexOf('/') >= 0 ? Path.of(library) : null;
        if (direct != null && isElf(direct)) {
            return direct;
        }
        try (Library lib = open(library, LoadOption.LAZY)) {
            return lib.path().orElseThrow(() -> new IllegalStateException("the loader did not tell where "
                    + library + " was loaded from"));
        } catch (LibraryLoadException e) {
            // A library whose dependency is missing is still a library to describe.
            if (e.reason() == LibraryLoadException.Reason.MISSING_DEPENDENCY && e.file().isPresent()) {
                return e.file().get();
            }
            throw e;
        }
    }

    private static boolean isElf(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }
}
