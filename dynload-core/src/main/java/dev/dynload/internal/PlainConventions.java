package dev.dynload.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A platform dynload has no backend for: a library is the exact file asked for, and nothing is read
 * into messages it does not know.
 */
record PlainConventions() implements Conventions {

    @Override
    public List<Path> candidates(Path folder, String fileName) {
        return Conventions.exact(folder, fileName);
    }

    @Override
    public Optional<String> missingDependency(String loaderMessage) {
        return Optional.empty();
    }

    @Override
    public Optional<String> undefinedSymbol(String loaderMessage) {
        return Optional.empty();
    }

    @Override
    public List<String> exports(Path file) {
        return List.of();
    }

    @Override
    public List<Path> systemFolders(String pathVariable, List<String> defaults) {
        return List.of();
    }

    @Override
    public Path cacheFolder(String home) {
        return Path.of(home, ".cache", "dynload").toAbsolutePath();
    }
}
