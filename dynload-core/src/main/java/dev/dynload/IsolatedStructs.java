package dev.dynload;

import dev.dynload.internal.Host;
import dev.dynload.internal.bind.RecordCodec;
import dev.dynload.internal.linux.StructClasses;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;

import org.jspecify.annotations.Nullable;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Records crossing to an isolated call, each as the C struct the type table makes of it (one table, so
 * both processes agree on every layout): through a {@code Ref} or {@code @ByReference} as a copy in the
 * call's slot, or by value, in registers or on the stack as x86-64 passes it ({@link StructClasses}).
 */
final class IsolatedStructs {

    private IsolatedStructs() {
    }

    /**
     * The struct of parameter {@code i} of {@code m} when it crosses by reference: a {@code Ref<R>}
     * (copied in, and back into the reference), or a {@code @ByReference} record (copied in); else null.
     * Problems go to {@code mine}.
     */
    static @Nullable RecordCodec reference(@Nullable Method m, int i, Class<?> t, List<String> mine) {
        Class<?> record = null;
        if (t == dev.dynload.bind.Ref.class && m != null
                && m.getGenericParameterTypes()[i] instanceof ParameterizedType p
                && p.getActualTypeArguments()[0] instanceof Class<?> c && c.isRecord()) {
            record = c;
        } else if (t.isRecord() && m != null && m.getParameters()[i].isAnnotationPresent(
                dev.dynload.bind.ByReference.class)) {
            record = t;
        }
        return record == null ? null : codec(record, "parameter " + i, mine);
    }

    /** The struct of {@code record} passed or returned by value ({@code what} says which), or null with why in {@code mine}. */
    static @Nullable RecordCodec value(Class<?> record, String what, List<String> mine) {
        if (!Host.arch().equals("amd64") && !Host.arch().equals("x86_64")) {
            mine.add(what + " is a record by value, which crosses to another process on x86-64 only so far (this is "
                    + Host.arch() + "); pass it @ByReference or through Ref<" + record.getSimpleName() + ">");
            return null;
        }
        return codec(record, what, mine);
    }

    /** The struct of {@code record} that a returned pointer points to ({@code @ByReference}), or null with why. */
    static @Nullable RecordCodec pointed(Class<?> record, String what, List<String> mine) {
        return codec(record, what, mine);
    }

    private static @Nullable RecordCodec codec(Class<?> record, String what, List<String> mine) {
        String pointer = pointerField(record);
        if (pointer != null) {
            mine.add(what + ": record " + record.getSimpleName() + " has a pointer field (" + pointer
                    + "), an address of one process that means nothing in the other; isolated structs hold values");
            return null;
        }
        try {
            return RecordCodec.of(record, null);
        } catch (IllegalArgumentException e) {
            mine.add(what + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * {@return the class of each eightbyte of a struct passed by value, or null when it goes in memory (or
     * cannot be passed, with why in {@code mine})}
     */
    static int @Nullable [] classes(RecordCodec struct, String what, List<String> mine) {
        try {
            return StructClasses.of(struct.layout());
        } catch (IllegalArgumentException e) {
            mine.add(what + ": " + e.getMessage());
            return null;
        }
    }

    /** {@return the number of eightbytes {@code struct} takes} */
    static int eightbytes(RecordCodec struct) {
        return (int) ((struct.size() + 7) / 8);
    }

    /** {@return the first component of {@code record} (nested records too) that is a pointer, or null} */
    private static @Nullable String pointerField(Class<?> record) {
        for (RecordComponent c : record.getRecordComponents()) {
            Class<?> t = c.getType();
            if (t == MemorySegment.class) { // a String field is an inline @Length char array: a value
                return c.getName();
            }
            if (t.isRecord()) {
                String inner = pointerField(t);
                if (inner != null) {
                    return c.getName() + "." + inner;
                }
            }
        }
        return null;
    }

    /** {@return {@code record} as its struct's bytes, in whole eightbytes (the last one zero-padded)} */
    static long[] toEightbytes(RecordCodec struct, Object record) {
        long[] words = new long[eightbytes(struct)];
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment s = scratch.allocate(8L * words.length, Math.max(8, struct.alignment()));
            struct.write(s, 0, record); // the type table's writer, on aligned native memory
            MemorySegment.copy(s, JAVA_LONG_UNALIGNED, 0, words, 0, words.length);
        }
        return words;
    }

    /** {@return the record of a struct returned in one or two registers, its eightbytes in order} */
    static Object fromEightbytes(RecordCodec struct, long first, long second) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment s = scratch.allocate(16, Math.max(8, struct.alignment()));
            s.set(JAVA_LONG_UNALIGNED, 0, first);
            s.set(JAVA_LONG_UNALIGNED, 8, second);
            return struct.read(s, 0);
        }
    }

    /** Writes {@code record}'s struct (null: zeros) into {@code data} at {@code at}. */
    static void write(RecordCodec struct, @Nullable Object record, byte[] data, int at) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment s = scratch.allocate(struct.size(), struct.alignment());
            struct.write(s, 0, record);
            MemorySegment.copy(s, 0, MemorySegment.ofArray(data), at, struct.size());
        }
    }

    /** {@return the record of the struct in {@code data} at {@code at}} */
    static Object read(RecordCodec struct, byte[] data, int at) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment s = scratch.allocate(struct.size(), struct.alignment());
            MemorySegment.copy(MemorySegment.ofArray(data), at, s, 0, struct.size());
            return struct.read(s, 0);
        }
    }
}
