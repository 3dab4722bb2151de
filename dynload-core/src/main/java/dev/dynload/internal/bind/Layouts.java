package dev.dynload.internal.bind;

import java.lang.foreign.GroupLayout;

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
    public static GroupLayout of(Class<?> record) {
        if (!record.isRecord()) {
            throw new IllegalArgumentException(record.getName() + " is not a record");
        }
        return new TypeTable(null).struct(record).groupLayout();
    }
}
