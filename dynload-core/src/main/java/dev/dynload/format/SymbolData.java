package dev.dynload.format;

import java.nio.ByteBuffer;

/**
 * The bytes of an exported data object, read from a native file without loading it: a plugin's manifest,
 * a version string. Mach-O and PE record no size for a symbol, so there the object runs to the next
 * symbol of its section or to the section's end.
 *
 * @param symbol the object's name
 * @param size the object's size in bytes, as the file gives it or as far as it can run
 * @param bytes its bytes (the first {@code limit} of them for a larger object), read-only, in the file's
 *              byte order
 */
public record SymbolData(String symbol, long size, ByteBuffer bytes) {

    /** {@return whether {@link #bytes()} holds the whole object, not only the limit's worth of it} */
    public boolean complete() {
        return bytes.remaining() == size;
    }
}
