package dev.dynload.internal;

import org.jspecify.annotations.Nullable;


import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The loader of a platform dynload has no backend for: every operation says so. */
record UnsupportedLoader(String why) implements NativeLoader {

    @Override
    public OpenFile openFile(Path file) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public OpenFile memoryFile(Path file, java.io.InputStream content) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public Opened load(OpenFile file, LoadFlags flags, java.util.function.BooleanSupplier checkIfNew) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public Trial tryInChild(OpenFile file, boolean now, java.time.Duration limit, List<Path> libraryPath) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public Opened openProcess() {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public Opened loadedByName(String fileName) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public MemorySegment find(MemorySegment handle, String symbol) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public Optional<String> close(Opened opened) {
        throw new UnsupportedOperationException(why);
    }

    @Override
    public Optional<Path> pathOf(MemorySegment handle) {
        return Optional.empty();
    }

    @Override
    public Conventions conventions() {
        return new PlainConventions();
    }

    @Override
    public List<Path> systemFolders() {
        return List.of();
    }

    @Override
    public void warmUp() {
    }

    @Override
    public void warmUpChecks(boolean here) {
    }

    @Override
    public long userId() {
        return -1;
    }

    @Override
    public boolean forbidsExecution(Path folder) {
        return false;
    }

    @Override
    public boolean diskFull(String message) {
        return false;
    }

    @Override
    public Search search(String fileName, @Nullable Requester requester) {
        return new Search(List.of(), List.of(), java.util.Set.of());
    }
}
