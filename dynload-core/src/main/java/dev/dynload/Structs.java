package dev.dynload;

import java.lang.foreign.GroupLayout;

/**
 * The C layout dynload gives a record: its components in declaration order, each at its natural
 * alignment, padded at the end to the widest alignment, as C compilers lay out a struct.
 *
 * {@snippet lang=c :
 * struct padded { int8_t tag; int64_t value; int16_t small; };   // sizeof 24: value at 8, small at 16
 * }
 * {@snippet :
 * record Padded(byte tag, long value, short small) {}
 * Structs.layout(Padded.class).byteSize();   // 24
 * }
 */
public final class Structs {

    private Structs() {
    }

    /**
     * The layout of a record as a C struct, with each field named after its component.
     *
     * @param record a record whose components are primitives, {@code MemorySegment}s or such records
     * @return its struct layout, or its union layout for a {@link dev.dynload.bind.Union} record
     * @throws IllegalArgumentException if a component has no C counterpart,
     */
    public static GroupLayout layout(Class<? extends Record> record) {
        return dev.dynload.internal.bind.Layouts.of(record);
    }
}
