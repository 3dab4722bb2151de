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
    /** Where the records passed or returned by value go; null when there are none. */
    final @Nullable Values values;
    /** What the method's annotations ask: its symbol, array directions, unsigned widths, a copied result. */
    final IsolatedMarks marks;
    /** The function that frees a returned string ({@code @FreeWith}), by index in the runner; -1 none. */
    final int freeIndex;

    /**
     * The records of a call passed or returned by value (x86-64): per parameter whether it is one, its
     * eightbytes' classes (null: in memory) and whether it goes on the stack; the result's struct and
     * classes (null classes: returned through a hidden pointer into the slot).
     */
    record Values(boolean[] byValue, int @Nullable [][] classes, boolean[] onStack, int stack,
                  dev.dynload.internal.bind.@Nullable RecordCodec result, int @Nullable [] resultClasses,
                  boolean resultPointer) {

        /** {@return whether the result is a struct by value returned in memory, through a hidden pointer} */
        boolean inMemory() {
            return result != null && resultClasses == null && !resultPointer;
        }
    }

    IsolatedCall(String function, int index, int returns, int intCount, int floatCount, Class<?>[] parameters,
                 Class<?> result, dev.dynload.internal.bind.@Nullable RecordCodec[] structs, boolean errno,
                 @Nullable Values values, IsolatedMarks marks, int freeIndex) {
        this.marks = marks;
        this.freeIndex = freeIndex;
        this.structs = structs;
        this.errno = errno;
        this.values = values;
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
        return new IsolatedCall(function, functionIndex, returns, intCount, floatCount, parameters, result, structs, errno,
                values, marks, freeIndex);
    }

    /** {@return this call, freeing a returned string with the runner's function {@code index}} */
    IsolatedCall freeing(int index) {
        return new IsolatedCall(function, this.index, returns, intCount, floatCount, parameters, result, structs, errno,
                values, marks, index);
    }

    /** Whether an {@code @Errno} function's result says it failed: -1, or false; as in process. */
    private boolean failed(long bits) {
        if (!result.isPrimitive()) {
            return bits == 0 || bits == -1; // a pointer: NULL or (void *) -1, as in process
        }
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
                ((dev.dynload.bind.Ref<Object>) args[a]).set(IsolatedStructs.read(structs[a], data, refAt[a] - 1));
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
        return IsolatedPlanner.plan(m.getName(), m.getParameterTypes(), m.getReturnType(), problems, m);
    }

    static @Nullable IsolatedCall of(String function, Class<?>[] types, Class<?> r, List<String> problems) {
        return IsolatedPlanner.plan(function, types, r, problems, null);
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
        int keptBits = 0; // the integer arguments that are kept callbacks' numbers (bit k + 8: a double result)
        long[] stack = values == null ? null : new long[values.stack()];
        int s = 0;
        if (values != null && values.inMemory()) {
            data = new byte[RunnerCalls.dataSize()]; // a struct returned in memory: into the slot, at its start
            used = (int) values.result().size();
            pointers |= 1;
            ints[i++] = DATA_OFFSET;
        }
        for (int a = 0; a < parameters.length; a++) {
            Object v = args[a];
            Class<?> t = parameters[a];
            dev.dynload.internal.bind.RecordCodec struct = structs[a];
            if (values != null && values.byValue()[a]) { // its eightbytes, in registers or on the stack
                if (v == null) {
                    throw new NullPointerException(function + "(): parameter " + a + " is a " + t.getSimpleName()
                            + " passed by value, which cannot be null");
                }
                long[] words = IsolatedStructs.toEightbytes(struct, v);
                int[] classes = values.classes()[a];
                for (int k = 0; k < words.length; k++) {
                    if (values.onStack()[a]) {
                        stack[s++] = words[k];
                    } else if (classes[k] == dev.dynload.internal.linux.StructClasses.SSE) {
                        floats[f++] = words[k];
                    } else {
                        ints[i++] = words[k];
                    }
                }
                continue;
            }
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
                IsolatedStructs.write(struct, record, data, used);
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
            if (t == java.lang.foreign.Arena.class) {
                continue; // no C parameter: the lifetime of this call's kept callbacks
            }
            if (t.isInterface() && marks.lifetime() >= 0) { // kept while the Arena is open: a numbered trampoline
                if (v == null) {
                    ints[i++] = 0; // NULL
                    continue;
                }
                java.lang.foreign.Arena arena = (java.lang.foreign.Arena) java.util.Objects.requireNonNull(
                        args[marks.lifetime()], () -> function + "(): the Arena that keeps its callbacks is null");
                Class<?> r = Callbacks.method(t).getReturnType();
                keptBits |= (1 << i) | (r == double.class || r == float.class ? 1 << (i + 8) : 0);
                ints[i++] = library.kept().keep(t, v, arena);
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
                    bulk.add(new Bulk(v, bulkUsed, elementLayout(t.getComponentType()), marks.in()[a], marks.out()[a]));
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
                    if (marks.in()[a]) { // @Out: C finds zeros, as in process
                        MemorySegment.copy(v, 0, MemorySegment.ofArray(data), elementLayout(t.getComponentType()),
                                used, java.lang.reflect.Array.getLength(v));
                    }
                    if (arrayAt == null) {
                        arrayAt = new int[parameters.length];
                        java.util.Arrays.fill(arrayAt, -1);
                    }
                    arrayAt[a] = marks.out()[a] ? used : -1; // @In: not copied back
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
            } else if (marks.enums()[a] != null) {
                ints[i++] = marks.enums()[a].toC(v); // its CEnum value or ordinal, as in process
            } else if (t == char.class) {
                ints[i++] = (Character) v;
            } else {
                long value = ((Number) v).longValue();
                ints[i++] = marks.unsigned()[a] == 0 ? value
                        : dev.dynload.internal.bind.Layouts.unsigned(marks.unsigned()[a], value);
            }
        }
        dev.dynload.internal.linux.Frame frame = errno || values != null || marks.copiesResult() || freeIndex >= 0
                || keptBits != 0 ? new dev.dynload.internal.linux.Frame(stack == null ? new long[0] : stack, s) : null;
        for (int k = 0; k < 6; k++) {
            if ((keptBits & (1 << k)) != 0) {
                frame.keep(k, (keptBits & (1 << (k + 8))) != 0);
            }
        }
        if (freeIndex >= 0) {
            frame.freeWith(freeIndex);
        }
        if (values != null && values.resultPointer()) { // the struct the returned pointer points to
            bulkUsed = (bulkUsed + 7) & ~7;
            frame.copyBack(values.result().size(), (int) bulkUsed);
        } else if (marks.copiesResult()) { // what the returned pointer points to, into the bulk area after the arrays
            bulkUsed = (bulkUsed + 7) & ~7;
            long count = marks.countAt() < 0 ? marks.bytes() : ((Number) args[marks.countAt()]).longValue();
            long bytes;
            try {
                bytes = marks.strings() ? Math.multiplyExact(8, count)
                        : marks.countAt() < 0 ? count : Math.multiplyExact(count, marks.bytes());
            } catch (ArithmeticException overflow) {
                bytes = -1;
            }
            if (count < 0 || bytes < 0 || bytes > RunnerCalls.bulkSize() - bulkUsed) {
                throw new IllegalArgumentException(function + "(): its result of " + count + (marks.strings()
                        ? " strings" : marks.countAt() < 0 ? " bytes" : " elements") + " is negative or more than the "
                        + (RunnerCalls.bulkSize() - bulkUsed) + " bytes an isolated call carries back");
            }
            frame.copyBack(marks.strings() || marks.countAt() < 0 ? count : bytes, (int) bulkUsed);
        }
        if (result == String.class) {
            String text = library.callForText(this, ints, floats, pointers, data, used, frame);
            if (errno && text == null) {
                throw new dev.dynload.bind.ErrnoException(function, frame.errno(),
                        dev.dynload.internal.posix.Libc.strerror(frame.errno()));
            }
            return text;
        }
        boolean inMemory = values != null && values.inMemory();
        long bits = library.call(this, ints, floats, pointers, data, used,
                arrayAt != null || refAt != null || !bulk.isEmpty() || inMemory, bulkPointers, bulk, callbackBits,
                callbacks, frame);
        if (callbacks != null) {
            callbacks.rethrow(); // a callback's exception, from the bound method, once C has finished
        }
        if (arrayAt != null) {
            copyBack(args, data, arrayAt);
        }
        if (refAt != null) {
            readRefs(args, data, refAt);
        }
        if (errno && failed(bits)) {
            throw new dev.dynload.bind.ErrnoException(function, frame.errno(),
                    dev.dynload.internal.posix.Libc.strerror(frame.errno()));
        }
        if (marks.copiesResult()) {
            return bits == 0 ? (marks.strings() ? null : MemorySegment.NULL)
                    : IsolatedMarks.copied(function, marks.strings(), frame.copied());
        }
        if (marks.resultEnum() != null) {
            return marks.resultEnum().toJava((int) bits);
        }
        if (marks.result() != 0) { // @Unsigned: zero-extended, as in process
            long value = bits & ((1L << marks.result()) - 1);
            return result == long.class ? (Object) value : result == int.class ? (Object) (int) value : (Object) (short) value;
        }
        if (values != null && values.resultPointer()) {
            byte[] copied = frame.copied();
            if (bits == 0 || copied == null) {
                if (bits != 0) {
                    throw new IllegalStateException(function + "(): the runner did not carry its struct back");
                }
                return null; // NULL, as in process
            }
            return IsolatedStructs.read(values.result(), copied, 0);
        }
        if (values != null && values.result() != null) {
            return inMemory ? IsolatedStructs.read(values.result(), data, 0)
                    : IsolatedStructs.fromEightbytes(values.result(), bits, frame.second());
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
