package dev.dynload.internal.bind;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * What a binding needs from its library beyond the public API, given by {@code Library.bind}.
 *
 * <p>A bound call must cost what a raw downcall costs, so it does not take the library's arena for the
 * length of each call (two atomic updates, about the price of the call itself). Each bound method is a
 * call site the library tracks and, when it closes, re-points at a method that throws
 * ({@link Handoff#unlink}), which costs nothing per call; and the library, once bound, stays mapped
 * after {@code close()}: a call that another thread started as the library closed still runs mapped
 * code.
 */
public interface Target {

    /** {@return the symbol's address, as a global segment, when the library exports it} */
    Optional<MemorySegment> address(String symbol);

    /**
     * Tracks a linked method's call site, to be unlinked when the library closes.
     *
     * @param site the call site
     * @return false, without tracking it, if the library is closed already
     */
    boolean track(java.lang.invoke.MutableCallSite site);

    /** {@return the library's name, for messages} */
    String name();

    /** Keeps the library mapped in the process after it is closed. */
    void keepMapped();
}
