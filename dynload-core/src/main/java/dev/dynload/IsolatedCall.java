package dev.dynload;

import dev.dynload.internal.linux.Bulk;
import dev.dynload.internal.linux.RunnerCalls;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** One method's call: which arguments go to which registers, and what comes back. */
final class IsolatedCall implements dev.dynload.internal.IsolatedAccess.Planned {
    static final byte[] NO_DATA = new byte[0];
    /** Where in a slot the bytes of string arguments begin. */
    private static final int DATA_OFFSET = RunnerCalls.dataOffset();
    final String function;
    final int index;
    final int returns;
    final int intCount;
    final int floatCount;
    final Class<?>[] parameters;
    final Class<?> result;
    /** Per parameter: the struct of a {@code Ref} or {@code @ByReference} record, else null. */
    final dev.dynload.internal.bind.@Nullable RecordCodec[] structs;
    /** Whether the method is {@code @Errno}: a failed result throws with the errno the call left. */
    final boolean errno;

    private IsolatedCall(String function, int index, int returns, int intCount, int floatCount, Class<?>[] parameters,
                 Class<?> result, dev.dynload.internal.bind.@Nullable RecordCodec[] structs, boolean errno) {
        this.structs = structs;
        this.errno = errno;
        this.function = function;
        this.index = index;
        this.returns = returns;
        this.intCount = intCount;
        this.floatCount = floatCount;
        this.parameters = parameters;
        this.result = result;
    }

    @Override
    public IsolatedCall at(int functionIndex) {
        return new IsolatedCall(function, functionIndex, returns, intCount, floatCount, parameters, result, structs, errno);
    }

    /** Whether an {@code @Errno} function's result says it failed: -1, or false; as in process. */
    private boolean failed(long bits) {
        if (result == boolean.class) {
            return (bits & 0xff) == 0;
        } else if (result == long.class) {
            return bits == -1;
        } else if (result == int.class) {
            return (int) bits == -1;
        } else if (result == short.class) {
            return (short) bits == -1;
        }
        return result == byte.class && (byte) bits == -1;
    }

    /** Reads each Ref's struct back from where it lay in the data area, as a new record in the reference. */
    @SuppressWarnings("unchecked")
    private void readRefs(Object @Nullable [] args, byte[] data, int[] refAt) {
        for (int a = 0; a < parameters.length; a++) {
            if (refAt[a] > 0) {
                dev.dynload.internal.bind.RecordCodec struct = structs[a];
                try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
                    MemorySegment s = scratch.allocate(struct.size(), struct.alignment());
                    MemorySegment.copy(MemorySegment.ofArray(data), refAt[a] - 1, s, 0, struct.size());
                    ((dev.dynload.bind.Ref<Object>) args[a]).set(struct.read(s, 0));
                }
            }
        }
    }

    /** Copies what the function wrote into the data area back into each array argument, from where it lay. */
    private void copyBack(Object @Nullable [] args, byte[] data, int[] arrayAt) {
        for (int a = 0; a < parameters.length; a++) {
            if (arrayAt[a] >= 0) {
                Object array = args[a];
                MemorySegment.copy(MemorySegment.ofArray(data), elementLayout(parameters[a].getComponentType()),
                        arrayAt[a], array, 0, java.lang.reflect.Array.getLength(array));
            }
        }
    }

    /** The native-order, unaligned layout of an array's element, to copy through a byte array. */
    private static java.lang.foreign.ValueLayout elementLayout(Class<?> element) {
        java.lang.foreign.ValueLayout l = element == byte.class ? java.lang.foreign.ValueLayout.JAVA_BYTE
                : element == short.class ? java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED
                : element == char.class ? java.lang.foreign.ValueLayout.JAVA_CHAR_UNALIGNED
                : element == int.class ? java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED
                : element == long.class ? java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED
                : element == float.class ? java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED
                : java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
        return l;
    }

    /** The call of {@code m}, or null with its problems added. */
    static @Nullable IsolatedCall of(Method m, List<String> problems) {
        return of(m.getName(), m.getParameterTypes(), m.getReturnType(), problems, m);
    }

    static @Nullable IsolatedCall of(String function, Class<?>[] types, Class<?> r, List<String> problems) {
        return of(function, types, r, problems, null);
    }

    /**
     * The struct of parameter {@code i} of {@code m} when it crosses as one: a {@code Ref<R>} (copied in,
     * and back into the reference), or a {@code @ByReference} record (copied in); else null. Problems
     * go to {@code mine}.
     */
    private static dev.dynload.internal.bind.@Nullable RecordCodec struct(@Nullable Method m, int i, Class<?> t,
                                                                          List<String> mine) {
        Class<?> record = null;
        if (t == dev.dynload.bind.Ref.class && m != null
                && m.getGenericParameterTypes()[i] instanceof java.lang.reflect.ParameterizedType p
                && p.getActualTypeArguments()[0] instanceof Class<?> c && c.isRecord()) {
            record = c;
        } else if (t.isRecord() && m != null && m.getParameters()[i].isAnnotationPresent(
                dev.dynload.bind.ByReference.class)) {
            record = t;
        }
        if (record == null) {
            return null;
        }
        String pointer = pointerField(record);
        if (pointer != null) {
            mine.add("parameter " + i + ": record " + record.getSimpleName() + " has a pointer field (" + pointer
                    + "), an address of one process that means nothing in the other; isolated structs hold values");
            return null;
        }
        try {
            return dev.dynload.internal.bind.RecordCodec.of(record, null);
        } catch (IllegalArgumentException e) {
            mine.add("parameter " + i + ": " + e.getMessage());
            return null;
        }
    }

    /** {@return the first component of {@code record} (nested records too) that is a pointer, or null} */
    private static @Nullable String pointerField(Class<?> record) {
        for (java.lang.reflect.RecordComponent c : record.getRecordComponents()) {
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

    /** The call of a function of these types, or null with its problems added. */
    private static @Nullable IsolatedCall of(String function, Class<?>[] types, Class<?> r, List<String> problems,
                                     @Nullable Method m) {
        int ints = 0;
        int floats = 0;
        List<String> mine = new ArrayList<>();
        dev.dynload.internal.bind.RecordCodec[] structs = new dev.dynload.internal.bind.RecordCodec[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t == dev.dynload.bind.Ref.class || t.isRecord()) {
                structs[i] = struct(m, i, t, mine);
                if (structs[i] == null && t.isRecord() && mine.isEmpty()) {
                    mine.add("parameter " + i + " is a record passed by value, which cannot cross to another "
                            + "process yet; pass it @ByReference (read by C) or through Ref<" + t.getSimpleName()
                            + "> (written by C)");
                } else if (structs[i] == null && mine.isEmpty()) {
                    mine.add("parameter " + i + " is a Ref whose type argument is not a record");
                }
                ints++;
            } else if (t == float.class || t == double.class) {
                floats++;
            } else if (Callbacks.isCallback(t)) {
                Callbacks.check(t, "parameter " + i, mine);
                ints++;
            } else if ((t.isPrimitive() && t != void.class) || t == String.class
                    || (t.isArray() && t.getComponentType().isPrimitive() && t.getComponentType() != boolean.class)) {
                ints++;
            } else {
                mine.add("parameter " + i + " is a " + t.getName() + ", which cannot cross to another process yet; "
                        + "isolated calls take primitives, strings and primitive arrays (use Library.bind in "
                        + "process for structs, callbacks and pointers)");
            }
        }
        boolean arrays = false;
        for (Class<?> t : types) {
            arrays |= t.isArray();
        }
        if (arrays && r == String.class) {
            mine.add("returns a String and takes arrays: an isolated call carries one or the other back, not both "
                    + "yet; return the string through a char array, or call twice");
        }
        if (ints > 6 || floats > 6) {
            mine.add("takes " + ints + " integer and " + floats + " floating-point parameters; an isolated call "
                    + "takes at most six of each");
        }
        int returns = r == void.class ? 0 : r == double.class ? 2 : r == float.class ? 3 : r == String.class ? 4
                : r.isPrimitive() ? 1 : -1;
        if (returns < 0) {
            mine.add("returns a " + r.getName() + ", which cannot cross to another process yet; return a primitive "
                    + "or a String");
        }
        boolean errno = m != null && m.isAnnotationPresent(dev.dynload.bind.Errno.class);
        if (errno && (r == void.class || r == float.class || r == double.class)) {
            mine.add("@Errno needs a result that says failure (-1, NULL or false); it returns " + r.getName());
        }
        boolean carriedBack = false;
        for (int i = 0; i < types.length; i++) {
            carriedBack |= types[i] == dev.dynload.bind.Ref.class || Callbacks.isCallback(types[i]);
        }
        if (carriedBack && r == String.class) {
            mine.add("returns a String and takes a Ref or a callback: an isolated call carries a string back "
                    + "alone, not yet with them; return an int and pass the string through a char array");
        }
        for (String p : mine) {
            problems.add(function + ": " + p);
        }
        return mine.isEmpty() ? new IsolatedCall(function, -1, returns, ints, floats, types, r, structs, errno) : null;
    }

    @Nullable Object invoke(IsolatedLibrary library, Object @Nullable [] args) {
        long[] ints = new long[6];
        long[] floats = new long[6];
        int i = 0;
        int f = 0;
        int pointers = 0;
        byte[] data = NO_DATA;
        int used = 0;
        int[] arrayAt = null; // where each array argument's bytes lie in data, to copy them back from
        List<Bulk> bulk = List.of(); // arrays too large for the slot: the slot's bulk area
        int bulkPointers = 0;
        long bulkUsed = 0;
        Callbacks callbacks = null; // the Java callbacks of this call, by integer argument position
        int callbackBits = 0;
        int[] refAt = null; // where each Ref's struct lies in data, to read it back from
        for (int a = 0; a < parameters.length; a++) {
            Object v = args[a];
            Class<?> t = parameters[a];
            dev.dynload.internal.bind.RecordCodec struct = structs[a];
            if (struct != null) { // a Ref or a @ByReference record: a copy of the struct in the slot
                if (v == null) {
                    ints[i++] = 0; // NULL
                    continue;
                }
                if (data == NO_DATA) {
                    data = new byte[RunnerCalls.dataSize()];
                }
                long alignment = Math.max(8, struct.alignment());
                used = (int) ((used + alignment - 1) & -alignment);
                int size = (int) struct.size();
                if (used + size > data.length) {
                    throw new IllegalArgumentException(function + "(): parameter " + a + "'s struct takes " + size
                            + " bytes, more than the " + (data.length - used) + " left of what an isolated call carries");
                }
                Object record = t == dev.dynload.bind.Ref.class ? ((dev.dynload.bind.Ref<?>) v).get() : v;
                try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
                    MemorySegment s = scratch.allocate(size, struct.alignment());
                    struct.write(s, 0, record); // the type table's writer, on aligned native memory
                    MemorySegment.copy(s, 0, MemorySegment.ofArray(data), used, size);
                }
                if (t == dev.dynload.bind.Ref.class) {
                    if (refAt == null) {
                        refAt = new int[parameters.length];
                    }
                    refAt[a] = used + 1; // 0: not a Ref
                }
                pointers |= 1 << i;
                ints[i++] = DATA_OFFSET + used;
                used += size;
                continue;
            }
            if (t.isInterface()) { // a callback, as IsolatedCall.of checked: a C function pointer in the runner
                if (v != null) {
                    if (callbacks == null) {
                        callbacks = new Callbacks(function);
                    }
                    callbackBits |= callbacks.add(i, t, v);
                }
                ints[i++] = 0; // NULL for a null callback; the runner puts its trampoline there otherwise
                continue;
            }
            if (t == String.class || t.isArray()) {
                if (v == null) {
                    ints[i++] = 0; // NULL
                    continue;
                }
                if (data == NO_DATA) {
                    data = new byte[RunnerCalls.dataSize()];
                }
                used = (used + 7) & ~7; // each argument's bytes aligned for any element type
                byte[] text = t == String.class ? ((String) v).getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
                int size = text != null ? text.length + 1
                        : java.lang.reflect.Array.getLength(v) * (int) elementLayout(t.getComponentType()).byteSize();
                if (used + size > data.length && text == null) {
                    // Too large for the slot: into the slot's bulk area, copied in and back out the same way.
                    bulkUsed = (bulkUsed + 7) & ~7;
                    if (bulkUsed + size > RunnerCalls.bulkSize()) {
                        throw new IllegalArgumentException(function + "(): its arrays take " + (bulkUsed + size)
                                + " bytes, more than the " + RunnerCalls.bulkSize() + " an isolated call carries");
                    }
                    if (bulk.isEmpty()) {
                        bulk = new ArrayList<>();
                    }
                    bulk.add(new Bulk(v, bulkUsed, elementLayout(t.getComponentType())));
                    bulkPointers |= 1 << i;
                    ints[i++] = bulkUsed;
                    bulkUsed += size;
                    continue;
                }
                if (used + size > data.length) {
                    throw new IllegalArgumentException(function + "(): its string arguments take "
                            + (used + size) + " bytes, more than the " + data.length + " an isolated call carries");
                }
                if (text != null) {
                    System.arraycopy(text, 0, data, used, text.length);
                    data[used + text.length] = 0;
                } else {
                    MemorySegment.copy(v, 0, MemorySegment.ofArray(data), elementLayout(t.getComponentType()),
                            used, java.lang.reflect.Array.getLength(v));
                    if (arrayAt == null) {
                        arrayAt = new int[parameters.length];
                        java.util.Arrays.fill(arrayAt, -1);
                    }
                    arrayAt[a] = used;
                }
                pointers |= 1 << i;
                ints[i++] = DATA_OFFSET + used;
                used += size;
            } else if (t == double.class) {
                floats[f++] = Double.doubleToRawLongBits((Double) v);
            } else if (t == float.class) {
                floats[f++] = Integer.toUnsignedLong(Float.floatToRawIntBits((Float) v));
            } else if (t == boolean.class) {
                ints[i++] = (Boolean) v ? 1 : 0;
            } else if (t == char.class) {
                ints[i++] = (Character) v;
            } else {
                ints[i++] = ((Number) v).longValue();
            }
        }
        int[] error = errno ? new int[1] : null;
        if (result == String.class) {
            String text = library.callForText(this, ints, floats, pointers, data, used, error);
            if (error != null && text == null) {
                throw new dev.dynload.bind.ErrnoException(function, error[0],
                        dev.dynload.internal.posix.Libc.strerror(error[0]));
            }
            return text;
        }
        long bits = library.call(this, ints, floats, pointers, data, used,
                arrayAt != null || refAt != null || !bulk.isEmpty(), bulkPointers, bulk, callbackBits, callbacks, error);
        if (callbacks != null) {
            callbacks.rethrow(); // a callback's exception, from the bound method, once C has finished
        }
        if (arrayAt != null) {
            copyBack(args, data, arrayAt);
        }
        if (refAt != null) {
            readRefs(args, data, refAt);
        }
        if (error != null && failed(bits)) {
            throw new dev.dynload.bind.ErrnoException(function, error[0],
                    dev.dynload.internal.posix.Libc.strerror(error[0]));
        }
        if (result == void.class) {
            return null;
        } else if (result == double.class) {
            return Double.longBitsToDouble(bits);
        } else if (result == float.class) {
            return Float.intBitsToFloat((int) bits);
        } else if (result == long.class) {
            return bits;
        } else if (result == int.class) {
            return (int) bits;
        } else if (result == short.class) {
            return (short) bits;
        } else if (result == byte.class) {
            return (byte) bits;
        } else if (result == char.class) {
            return (char) bits;
        }
        return (bits & 0xff) != 0; // a C bool is one byte
    }
}
