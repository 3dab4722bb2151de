package dev.dynload.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** What a file's comment sections say about the linker that wrote it. */
final class Linkers {

    private Linkers() {
    }

    /**
     * Whether the file's comment sections (non-allocated strings, such as {@code .comment}) show GNU ld
     * linked it: there are some, and none names lld ({@code Linker: LLD}) or mold. Without any, who linked
     * it cannot be told, and the answer is no.
     */
    static boolean gnuLd(ElfImage image) {
        boolean comments = false;
        boolean other = false;
        for (ElfImage.Section s : image.sections()) {
            // SHT_PROGBITS, SHF_MERGE | SHF_STRINGS, not SHF_ALLOC: .comment's kind.
            if (s.type() == 1 && (s.flags() & 0x30) == 0x30 && (s.flags() & 0x2) == 0 && s.size() > 0) {
                try {
                    ByteBuffer b = image.in.read(s.offset(), Math.min(s.size(), 1 << 16), "a comment section");
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    String text = new String(bytes, StandardCharsets.ISO_8859_1);
                    comments = true;
                    other |= text.contains("Linker: LLD") || text.contains("mold ");
                } catch (IOException e) {
                    // unreadable: it tells nothing
                }
            }
        }
        return comments && !other;
    }
}
