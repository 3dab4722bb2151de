package dev.dynload.internal.bind;

import dev.dynload.bind.Ref;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The mappings whose C side is a pointer (or, for {@link InlineArray}, memory inside a struct): raw
 * addresses, strings, arrays and out-parameters. Each conversion is written here once; the fast path
 * and the call plan both call it.
 */
final class Pointers {

    private Pointers() {
    }

    private static final MethodHandle SIZED = Handles.find(MethodHandles.lookup(), "sized", MemorySegment.class,
            MemorySegment.class, long.class);
    private static final MethodHandle NON_NULL = Handles.find(MethodHandles.lookup(), "nonNull", MemorySegment.class,
            MemorySegment.class);
    private static final MethodHandle FOR_C = Handles.find(MethodHandles.lookup(), "forC", MemorySegment.class,
            MemorySegment.class);

    private static MemorySegment sized(MemorySegment pointer, long size) {
        return pointer.address() == 0 ? pointer : pointer.reinterpret(size);
    }

    private static MemorySegment nonNull(MemorySegment pointer) {
        return pointer == null ? MemorySegment.NULL : pointer;
    }

    /** A pointer a callback returns to C: null is NULL; memory on the Java heap has no address C could use. */
    private static MemorySegment forC(MemorySegment pointer) {
        if (pointer == null) {
            return MemorySegment.NULL;
        }
        if (!pointer.isNative()) {
            throw new IllegalArgumentException("a callback returned a MemorySegment on the Java heap, which has no "
                    + "address C could use; return native memory (an Arena's)");
        }
        return pointer;
    }

    /** A {@code MemorySegment}: any pointer, of zero length unless {@code @Size} gives one ({@code size >= 0}). */
    record Address(long size) implements Mapping.Field {
        @Override
        public MemoryLayout layout() {
            return ValueLayout.ADDRESS;
        }

        @Override
        public boolean direct() {
            return size < 0;
        }

        /** A Java null is refused: {@code MemorySegment.NULL} says NULL, so null is most likely a mistake. */
        @Override
        public boolean nullable() {
            return false;
        }

        @Override
        public Object toNative(Object value, CallContext context) {
            return value;
        }

        @Override
        public Object toJava(Object carrier) {
            return size < 0 ? carrier : sized((MemorySegment) carrier, size);
        }

        @Override
        public Optional<Filter> resultFilter() {
            return Optional.of(new Filter(MethodHandles.insertArguments(SIZED, 1, size), false));
        }

        @Override
        public MethodHandle callbackArgument() {
            return size < 0 ? MethodHandles.identity(MemorySegment.class) : MethodHandles.insertArguments(SIZED, 1, size);
        }

        @Override
        public MethodHandle callbackResult() {
            return FOR_C;
        }

        @Override
        public MethodHandle reader() {
            return Scalar.read(ValueLayout.ADDRESS);
        }

        /** A null component is written as NULL. */
        @Override
        public MethodHandle writer() {
            return MethodHandles.filterArguments(Scalar.write(ValueLayout.ADDRESS), 2, NON_NULL);
        }

        @Override
        public boolean signalsFailure() {
            return true;
        }

        /** NULL, or {@code (void*)-1} ({@code MAP_FAILED}, {@code shmat}'s failure): no valid pointer is -1. */
        @Override
        public boolean failed(Object carrier) {
            long address = ((MemorySegment) carrier).address();
            return address == 0 || address == -1;
        }
    }

    /**
     * A {@code String} as a NUL-terminated UTF-8 {@code char*}: copied in for the call; a returned one
     * copied out, then freed with {@code free} if there is one.
     */
    record Text(MethodHandle free) implements Mapping.Pointer {
        private static final MethodHandle ENCODE = Handles.find(MethodHandles.lookup(), "encode", MemorySegment.class,
                Scratch.class, String.class);
        private static final MethodHandle READ = Handles.find(MethodHandles.lookup(), "read", String.class,
                MemorySegment.class);
        private static final MethodHandle READ_AND_FREE = Handles.find(MethodHandles.lookup(), "readAndFree",
                String.class, MethodHandle.class, MemorySegment.class);


        @Override
        public Object toNative(Object value, CallContext context) {
            return encode(context.scratch(), (String) value);
        }

        @Override
        public Object toJava(Object carrier) throws Throwable {
            return free == null ? read((MemorySegment) carrier) : readAndFree(free, (MemorySegment) carrier);
        }

        @Override
        public Optional<Filter> argumentFilter() {
            return Optional.of(new Filter(ENCODE, true));
        }

        @Override
        public Optional<Filter> resultFilter() {
            return Optional.of(new Filter(free == null ? READ : MethodHandles.insertArguments(READ_AND_FREE, 0, free),
                    false));
        }

        @Override
        public boolean signalsFailure() {
            return true;
        }

        @Override
        public boolean failed(Object carrier) {
            return ((MemorySegment) carrier).address() == 0;
        }

        /** A C string's text; the pointer comes from C, which vouches for its NUL. */
        static String read(MemorySegment pointer) {
            return pointer.address() == 0 ? null : pointer.reinterpret(Long.MAX_VALUE).getString(0);
        }

        private static String readAndFree(MethodHandle free, MemorySegment pointer) throws Throwable {
            String s = read(pointer);
            if (pointer.address() != 0) {
                free.invokeExact(pointer);
            }
            return s;
        }

        /** A string's copy in scratch memory, or NULL for null; see {@link Scratch#copy(String)}. */
        static MemorySegment encode(Scratch scratch, String s) {
            return s == null ? MemorySegment.NULL : scratch.copy(s);
        }
    }

    /** Which way a primitive array's elements go. */
    enum Direction {
        /** Copied in and back out: C may read and write it. */
        BOTH(true, true),
        /** Copied in only ({@code @In}): a {@code const} pointer. */
        IN(true, false),
        /** Copied out only ({@code @Out}): C fills it; it starts as zeros. */
        OUT(false, true),
        /** Not copied: a pointer into the Java heap ({@code @Heap}), for critical calls. */
        HEAP(false, false);

        final boolean in;
        final boolean out;

        Direction(boolean in, boolean out) {
            this.in = in;
            this.out = out;
        }
    }

    /** A primitive array as a pointer to its elements; null is NULL. */
    record PrimitiveArray(Class<?> type, Direction direction) implements Mapping.Pointer {
        private static final MethodHandle COPY_AND_NOTE = Handles.find(MethodHandles.lookup(), "copyAndNote",
                MemorySegment.class, Direction.class, Scratch.class, Object.class);
        private static final MethodHandle HEAP = Handles.find(MethodHandles.lookup(), "heapOrNull",
                MemorySegment.class, Object.class);


        @Override
        public Object toNative(Object value, CallContext context) {
            if (direction == Direction.HEAP) {
                return heapOrNull(value);
            }
            return copy(direction, context.scratch(), value);
        }

        @Override
        public void afterCall(Object value, Object carrier) {
            if (value != null && direction.out) {
                heapSegment(value).copyFrom((MemorySegment) carrier);
            }
        }

        @Override
        public Object toJava(Object carrier) {
            throw new UnsupportedOperationException("arrays are parameters only");
        }

        @Override
        public Optional<Filter> argumentFilter() {
            if (direction == Direction.HEAP) {
                return Optional.of(new Filter(HEAP.asType(MethodType.methodType(MemorySegment.class, type)), false));
            }
            return Optional.of(new Filter(MethodHandles.insertArguments(COPY_AND_NOTE, 0, direction)
                    .asType(MethodType.methodType(MemorySegment.class, Scratch.class, type)), true));
        }

        /**
         * The fast path's copy: on the fast path, whose calls have no plan to copy back, the copy is noted
         * to go back when the call returns (see {@link Scratch#reset}).
         */
        private static MemorySegment copyAndNote(Direction direction, Scratch scratch, Object array) {
            MemorySegment copy = copy(direction, scratch, array);
            if (array != null && direction.out) {
                scratch.copyBackLater(heapSegment(array), copy);
            }
            return copy;
        }

        /**
         * The array's native copy in scratch memory: its elements, or zeros for an out-only array. The
         * call plan copies it back in {@link #afterCall}.
         */
        private static MemorySegment copy(Direction direction, Scratch scratch, Object array) {
            if (array == null) {
                return MemorySegment.NULL;
            }
            MemorySegment onHeap = heapSegment(array);
            MemorySegment copy = scratch.allocate(onHeap.byteSize(), 8);
            if (direction.in) {
                copy.copyFrom(onHeap);
            } else {
                copy.fill((byte) 0);
            }
            return copy;
        }

        /** A {@code @Heap} array: itself, as a heap segment, or NULL. */
        private static MemorySegment heapOrNull(Object array) {
            return array == null ? MemorySegment.NULL : heapSegment(array);
        }

        /** The array as a heap segment; an instanceof chain, which the JIT folds to the one type it sees. */
        static MemorySegment heapSegment(Object array) {
            if (array instanceof long[] a) {
                return MemorySegment.ofArray(a);
            } else if (array instanceof int[] a) {
                return MemorySegment.ofArray(a);
            } else if (array instanceof double[] a) {
                return MemorySegment.ofArray(a);
            } else if (array instanceof byte[] a) {
                return MemorySegment.ofArray(a);
            } else if (array instanceof float[] a) {
                return MemorySegment.ofArray(a);
            } else if (array instanceof short[] a) {
                return MemorySegment.ofArray(a);
            } else if (array instanceof char[] a) {
                return MemorySegment.ofArray(a);
            }
            throw new IllegalArgumentException("not a primitive array: " + array.getClass());
        }
    }

    /** {@code MemorySegment[]} as {@code void**}: addresses copied in, and back out (an out-parameter). */
    record PointerArray() implements Mapping.Pointer {

        @Override
        public Object toNative(Object value, CallContext context) {
            if (value == null) {
                return MemorySegment.NULL;
            }
            MemorySegment[] pointers = (MemorySegment[]) value;
            MemorySegment copy = context.allocate(ValueLayout.ADDRESS, pointers.length);
            for (int i = 0; i < pointers.length; i++) {
                copy.setAtIndex(ValueLayout.ADDRESS, i, nonNull(pointers[i]));
            }
            return copy;
        }

        @Override
        public void afterCall(Object value, Object carrier) {
            if (value != null) {
                MemorySegment[] pointers = (MemorySegment[]) value;
                for (int i = 0; i < pointers.length; i++) {
                    pointers[i] = ((MemorySegment) carrier).getAtIndex(ValueLayout.ADDRESS, i);
                }
            }
        }

        @Override
        public Object toJava(Object carrier) {
            throw new UnsupportedOperationException("pointer arrays are parameters only");
        }
    }

    /**
     * A {@link Ref} of a struct as a pointer to it: an out- or in-out parameter. The struct goes in as the
     * reference holds it (zeros when it holds null), and what C wrote comes back as a new record in it.
     */
    record Out(Mapping.Field value, MethodHandle read, MethodHandle write) implements Mapping.Pointer {
        static Out of(Mapping.Field value) {
            return new Out(value, value.reader().asType(MethodType.methodType(Object.class, MemorySegment.class, long.class)),
                    value.writer().asType(MethodType.methodType(void.class, MemorySegment.class, long.class, Object.class)));
        }


        @Override
        public Object toNative(Object ref, CallContext context) throws Throwable {
            if (ref == null) {
                return MemorySegment.NULL;
            }
            // Zeroed first: no stale scratch bytes reach C in the padding.
            MemorySegment s = context.allocate(value.fieldLayout()).fill((byte) 0);
            Object initial = ((Ref<?>) ref).get();
            if (initial != null) {
                write.invokeExact(s, 0L, initial);
            }
            return s;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void afterCall(Object ref, Object carrier) throws Throwable {
            if (ref != null) {
                ((Ref<Object>) ref).set((Object) read.invokeExact((MemorySegment) carrier, 0L));
            }
        }

        @Override
        public Object toJava(Object carrier) {
            throw new UnsupportedOperationException("a Ref is a parameter only");
        }
    }

    /**
     * A fixed-length C array inside a struct ({@code int32_t v[4]}, {@code char name[65]}), as a Java
     * primitive array of exactly that length, or as a {@code String} for {@code char[n]}: read up to its
     * first NUL, written as UTF-8 with a NUL after it. A null component is written as zeros.
     */
    record InlineArray(Class<?> type, ValueLayout element, long length) implements Mapping.Field {
        private static final MethodHandle READ = Handles.find(MethodHandles.lookup(), "read", Object.class,
                InlineArray.class, MemorySegment.class, long.class);
        private static final MethodHandle WRITE = Handles.find(MethodHandles.lookup(), "write", void.class,
                InlineArray.class, MemorySegment.class, long.class, Object.class);

        @Override
        public MemoryLayout layout() {
            return MemoryLayout.sequenceLayout(length, element);
        }

        @Override
        public Object toNative(Object value, CallContext context) {
            MemorySegment s = context.allocate(layout());
            write(this, s, 0, value);
            return s;
        }

        @Override
        public Object toJava(Object carrier) {
            return read(this, (MemorySegment) carrier, 0);
        }

        @Override
        public MethodHandle reader() {
            return MethodHandles.insertArguments(READ, 0, this)
                    .asType(MethodType.methodType(type, MemorySegment.class, long.class));
        }

        @Override
        public MethodHandle writer() {
            return MethodHandles.insertArguments(WRITE, 0, this)
                    .asType(MethodType.methodType(void.class, MemorySegment.class, long.class, type));
        }

        private static Object read(InlineArray a, MemorySegment s, long offset) {
            MemorySegment bytes = s.asSlice(offset, a.length * a.element.byteSize());
            if (a.type == String.class) {
                long end = 0;
                while (end < a.length && bytes.get(ValueLayout.JAVA_BYTE, end) != 0) {
                    end++;
                }
                return new String(bytes.asSlice(0, end).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            }
            Object array = Array.newInstance(a.type.getComponentType(), (int) a.length);
            PrimitiveArray.heapSegment(array).copyFrom(bytes);
            return array;
        }

        private static void write(InlineArray a, MemorySegment s, long offset, Object value) {
            MemorySegment bytes = s.asSlice(offset, a.length * a.element.byteSize());
            bytes.fill((byte) 0);
            if (value == null) {
                return;
            }
            if (value instanceof String text) {
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                if (utf8.length >= a.length || text.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("the String " + Describe.quote(text) + " does not fit char["
                            + a.length + "]: it needs " + utf8.length + " bytes and a NUL, with no NUL inside");
                }
                MemorySegment.copy(utf8, 0, bytes, ValueLayout.JAVA_BYTE, 0, utf8.length);
                return;
            }
            MemorySegment onHeap = PrimitiveArray.heapSegment(value);
            if (onHeap.byteSize() != bytes.byteSize()) {
                throw new IllegalArgumentException("an array of " + Array.getLength(value) + " elements for a C array of "
                        + a.length + "; give exactly " + a.length);
            }
            bytes.copyFrom(onHeap);
        }
    }

    /**
     * A pointer whose element count another argument gives ({@code @Count}): a callback's argument, or a
     * result; a {@code MemorySegment} of that many elements, or, for {@code char**}, a {@code String[]}.
     */
    record Counted(int countAt, long elementSize, boolean strings) implements Mapping.Pointer {
        private static final MethodHandle SEGMENT = Handles.find(MethodHandles.lookup(), "segment", MemorySegment.class,
                long.class, MemorySegment.class, long.class);
        private static final MethodHandle STRINGS = Handles.find(MethodHandles.lookup(), "strings", String[].class,
                MemorySegment.class, long.class);


        @Override
        public Object toNative(Object value, CallContext context) {
            throw new UnsupportedOperationException("a counted pointer comes from C only");
        }

        @Override
        public Object toJava(Object carrier) {
            throw new UnsupportedOperationException("a counted pointer needs its count");
        }

        /** (MemorySegment pointer, long count) -> MemorySegment or String[]. */
        @Override
        public MethodHandle withCount() {
            return strings ? STRINGS : MethodHandles.insertArguments(SEGMENT, 0, elementSize);
        }

        private static MemorySegment segment(long elementSize, MemorySegment pointer, long count) {
            if (count < 0) {
                throw new IllegalArgumentException("C gave a negative count, " + count);
            }
            return pointer.address() == 0 ? pointer : pointer.reinterpret(Math.multiplyExact(count, elementSize));
        }

        private static String[] strings(MemorySegment pointer, long count) {
            if (pointer.address() == 0) {
                return null;
            }
            MemorySegment array = segment(ValueLayout.ADDRESS.byteSize(), pointer, count);
            String[] values = new String[(int) count];
            for (int i = 0; i < values.length; i++) {
                values[i] = Text.read(array.getAtIndex(ValueLayout.ADDRESS, i));
            }
            return values;
        }
    }
}
