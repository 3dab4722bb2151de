package dev.dynload.internal.linux;

/**
 * An array too large for a slot's data area, copied into the slot's bulk area at {@code offset} (an
 * integer argument whose bit is set in {@code bulkPointers} is that offset), and back after the call:
 * in unless C only writes it ({@code @Out}: zeros instead), back unless C only reads it ({@code @In}).
 */
public record Bulk(Object array, long offset, java.lang.foreign.ValueLayout element, boolean in, boolean out) {
    long bytes() {
        return java.lang.reflect.Array.getLength(array) * element.byteSize();
    }
}
