package dev.dynload.internal;

import dev.dynload.LoadOption;
import dev.dynload.OperatingSystem;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The loader of a platform dynload has no backend for: every operation says so. */
record UnsupportedLoader(OperatingSystem os, String why) implements NativeLoader {

    @Override
    public Opened open(String file, Set<LoadOption.Flag> flags) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public MemorySegment find(MemorySegment handle, String symbol) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public Optional<String> close(MemorySegment handle) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public Optional<Path> pathOf(MemorySegment handle) {
        return Optional.empty();
    }

    @Override
    public List<Path> systemFolders() {
        return List.of();
    }

    @Override
    public String systemSearchDescription() {
        return why;
    }
}
