package dev.dynload.internal.macos;

import dev.dynload.format.NativeFile;
import dev.dynload.format.NativeSymbol;
import dev.dynload.internal.Conventions;
import dev.dynload.internal.posix.SystemFolders;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * macOS: Mach-O files named {@code libNAME.dylib} (versions go inside the name, {@code libz.1.dylib},
 * and the unversioned name is the one installed), no {@code ld.so.conf}, dyld's messages, exports read
 * with {@link NativeFile}, caches under {@code ~/Library/Caches}.
 */
public record DarwinConventions() implements Conventions {

    /** Compiled when first needed, not on every load. */
    private static final class Patterns {
        /** dyld: "Library not loaded: @rpath/libdep.dylib". */
        static final Pattern MISSING = Pattern.compile("Library not loaded: (\\S+)");
        /** dyld: "Symbol not found: _name" (C names carry a leading underscore). */
        static final Pattern UNDEFINED = Pattern.compile("Symbol not found: _?(\\S+)");
    }

    @Override
    public List<Path> candidates(Path folder, String fileName) {
        return Conventions.exact(folder, fileName);
    }

    @Override
    public Optional<String> missingDependency(String loaderMessage) {
        return Conventions.group(Patterns.MISSING, loaderMessage);
    }

    @Override
    public Optional<String> undefinedSymbol(String loaderMessage) {
        return Conventions.group(Patterns.UNDEFINED, loaderMessage);
    }

    @Override
    public List<String> exports(Path file) {
        try {
            List<String> names = new ArrayList<>();
            for (NativeSymbol s : NativeFile.read(file).exports()) {
                names.add(s.name());
            }
            return names;
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public Path cacheFolder(String home) {
        return Path.of(home, "Library", "Caches", "dynload").toAbsolutePath();
    }

    @Override
    public List<Path> systemFolders(String pathVariable, List<String> defaults) {
        return SystemFolders.of(pathVariable, defaults, false);
    }
}
