package dev.dynload.internal.bind;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * What a binding needs from its library beyond the public API, given by {@code Library.bind}.
 *
 * <p>A bound call must cost what a raw downcall costs, so it does not take the library's arena for the
 * length of each call (two atomic updates, about the price of the call itself). Its handles sit behind
 * a {@link java.lang.invoke.SwitchPoint} that the library invalidates when it closes, which costs nothing
 * per call, and the library, once bound, stays mapped after {@code close()}: a call that passed the
 * switch point as another thread closed the library still runs mapped code.
 */
public interface Target {

    /** {@return the symbol's address, as a global segment, when the library exports it} */
    Optional<MemorySegment> address(String symbol);

    /** {@return a switch point that the library invalidates when it closes} */
    java.lang.invoke.SwitchPoint closing();

    /** {@return the library's name, for messages} */
    String name();

    /** Keeps the library mapped in the process after it is closed. */
    void keepMapped();
}
