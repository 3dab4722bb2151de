package dev.dynload.internal.linux;

/** Runs the Java callbacks of one call, when the library calls them back on the call's slot. */
public interface CallbackHandler {
    /**
     * Runs the callback given as integer argument {@code position}, with the library's integer and
     * floating-point register arguments; {@return its result's bits} Must not throw.
     */
    long call(int position, long[] ints, long[] floats);

    /**
     * As {@link #call(int, long[], long[])}, given the calling slot's bulk area too, where a call to a
     * dependency in another process carries its strings.
     */
    default long call(int position, long[] ints, long[] floats, java.lang.foreign.MemorySegment bulk) {
        return call(position, ints, floats);
    }
}
