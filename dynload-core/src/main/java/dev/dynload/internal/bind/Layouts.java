package dev.dynload.internal.bind;

import java.lang.foreign.StructLayout;

/** The struct layouts of records, for {@link dev.dynload.bind.Structs}. */
public final class Layouts {

    private Layouts() {
    }

    /**
     * The C layout of a record.
     *
     * @param record the record class
     * @return its layout
     */
    public static StructLayout of(Class<?> record) {
        return Struct.layoutOf(record);
    }
}
