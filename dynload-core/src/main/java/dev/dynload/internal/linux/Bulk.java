package dev.dynload.internal.linux;

/**
 * An array too large for a slot's data area, copied into the slot's bulk area at {@code offset} (an
 * integer argument whose bit is set in {@code bulkPointers} is that offset), and back after the call.
 */
public record Bulk(Object array, long offset, java.lang.foreign.ValueLayout element) {
    long bytes() {
        return java.lang.reflect.Array.getLength(array) * element.byteSize();
    }
}
