package dev.dynload.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Damaged copies of a 64-bit little-endian library, made by patching its bytes, for the CLI's tests. */
final class Elf {

    private Elf() {
    }

    /** A copy with the value of the first dynamic entry of {@code tag} set to {@code value}. */
    static Path withDynamic(Path library, Path copy, long tag, long value) throws IOException {
        byte[] bytes = Files.readAllBytes(library);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            int ph = (int) phoff + i * 56;
            if (b.getInt(ph) == 2) { // PT_DYNAMIC
                for (int at = (int) b.getLong(ph + 8); b.getLong(at) != 0; at += 16) {
                    if (b.getLong(at) == tag) {
                        b.putLong(at + 8, value);
                        return Files.write(copy, bytes);
                    }
                }
            }
        }
        throw new IllegalArgumentException(library + " has no dynamic entry " + tag);
    }

    /** A copy with the first NUL-delimited occurrence of {@code name} (in .dynstr) replaced by {@code same-length text}. */
    static Path replaceString(Path library, Path copy, String name, String replacement) throws IOException {
        byte[] bytes = Files.readAllBytes(library);
        byte[] from = ("\0" + name + "\0").getBytes(StandardCharsets.ISO_8859_1);
        byte[] to = ("\0" + replacement + "\0").getBytes(StandardCharsets.ISO_8859_1);
        if (from.length != to.length) {
            throw new IllegalArgumentException("replacement must be as long as the name");
        }
        for (int i = 0; i + from.length <= bytes.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, bytes, i, to.length);
                return Files.write(copy, bytes);
            }
        }
        throw new IllegalArgumentException(name + " not found in " + library);
    }
}
