package dev.dynload.internal.bind;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

import org.jspecify.annotations.Nullable;

/**
 * A record's C struct (or union) as the type table maps it, to write into memory and read back: for
 * isolated calls, which copy a struct through the shared memory rather than pass a segment of this
 * process. The same {@link Struct} as {@code Library.bind} uses, so both agree on every layout.
 */
public final class RecordCodec {

    private final Struct struct;

    private RecordCodec(Struct struct) {
        this.struct = struct;
    }

    /**
     * {@return the codec of {@code record}}
     *
     * @param lookup the caller's lookup, for records in packages not opened to dynload; or null
     * @throws IllegalArgumentException if the record has no C struct (what {@code bind} says of it)
     */
    public static RecordCodec of(Class<?> record, MethodHandles.@Nullable Lookup lookup) {
        return new RecordCodec(new TypeTable(new TypeAccess(lookup)).struct(Reflected.of(record)));
    }

    /** {@return the struct's size in bytes} */
    public long size() {
        return struct.layout().byteSize();
    }

    /** {@return the struct's layout, as the type table makes it} */
    public java.lang.foreign.MemoryLayout layout() {
        return struct.layout();
    }

    /** {@return the struct's alignment in bytes} */
    public long alignment() {
        return struct.layout().byteAlignment();
    }

    /** Writes {@code value} (a record of the type, or null for zeros) at {@code offset} of native memory. */
    public void write(MemorySegment to, long offset, @Nullable Object value) {
        try {
            if (value == null) {
                to.asSlice(offset, size()).fill((byte) 0);
            } else {
                struct.writer().invoke(to, offset, value);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return the record the struct at {@code offset} of native memory holds} */
    public Object read(MemorySegment from, long offset) {
        try {
            return struct.reader().invoke(from, offset);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
