package dev.dynload.internal.bind;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * What binding needs of a library, given by the facade ({@code dev.dynload.Library}) so that this package
 * depends on no class of it: names for messages, addresses, and the facade's own exceptions.
 */
public interface BoundLibrary {

    /** {@return the library as its user named it} */
    String name();

    /** {@return where it was loaded from, or its name: for messages} */
    String where();

    /**
     * A symbol's address, as a global segment: bound calls check liveness through their call sites.
     *
     * @param symbol the name
     * @return its address; empty when the library does not export it
     */
    Optional<MemorySegment> address(String symbol);

    /**
     * Why a symbol is missing, in the words of the facade's exception for it (with "did you mean").
     *
     * @param symbol the name
     * @return the message
     */
    String missing(String symbol);

    /**
     * The facade's exception for an interface that cannot be bound.
     *
     * @param iface the interface
     * @param where {@link #where()}
     * @param problems each method that cannot be bound, and why
     * @return the exception, to be thrown
     */
    RuntimeException bindingFailed(Class<?> iface, String where, List<String> problems);
}
