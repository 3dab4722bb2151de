package dev.dynload.elf;

import java.nio.ByteBuffer;

/**
 * The bytes of a data object a library exports, read from its file as the loader would map them,
 * without loading the file: how a host reads what a library publishes for it, such as a plugin's
 * manifest, before running any of the library's code.
 *
 * {@snippet lang=c :
 * const char greeting_table[] = "...";          // exported, read-only
 * }
 * {@snippet :
 * Optional<ElfData> data = ElfFile.readData(Path.of("libplugin.so"), "greeting_table", 4096);
 * }
 *
 * @param symbol the symbol's name
 * @param size the object's size as its symbol gives it
 * @param bytes its first {@code min(size, limit)} bytes, read-only, in the file's byte order; fewer than
 *              {@code size} when the object is larger than the limit the caller gave
 */
public record ElfData(String symbol, long size, ByteBuffer bytes) {

    /** {@return whether {@link #bytes()} holds the whole object, not only the limit's worth of it} */
    public boolean complete() {
        return bytes.remaining() == size;
    }
}
