package dev.dynload.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * macOS: Mach-O files named {@code libNAME.dylib} (versions go inside the name, {@code libz.1.dylib},
 * and the unversioned name is the one installed), no {@code ld.so.conf}, dyld's messages. dynload's file
 * reader knows ELF only, so a Mach-O file gives no export list to suggest from.
 */
record DarwinConventions() implements Conventions {

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
        return List.of();
    }

    @Override
    public List<Path> systemFolders(String pathVariable, List<String> defaults) {
        return SystemFolders.of(pathVariable, defaults, false);
    }
}
