package dev.dynload;

import dev.dynload.internal.bind.BoundLibrary;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/** A {@link Library} as binding sees it: its names, its addresses as global segments, this package's exceptions. */
final class LibraryTarget implements BoundLibrary {

    private final Library library;

    LibraryTarget(Library library) {
        this.library = library;
    }

    @Override
    public String name() {
        return library.name();
    }

    @Override
    public String where() {
        return library.path().isPresent() ? library.path().get().toString() : library.name();
    }

    /** A symbol's address as a global segment: bound calls check liveness through their call sites instead. */
    @Override
    public Optional<MemorySegment> address(String symbol) {
        Optional<MemorySegment> found = library.find(symbol);
        return found.isEmpty() ? found : Optional.of(MemorySegment.ofAddress(found.get().address()));
    }

    @Override
    public String missing(String symbol) {
        return SymbolNotFoundException.in(library, symbol).getMessage();
    }

    @Override
    public RuntimeException bindingFailed(Class<?> iface, String where, List<String> problems) {
        return new BindingException(iface, where, problems);
    }
}
