package dev.dynload.internal.bind;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The mappings of arrays: a primitive array or an array of pointers passed as a pointer to its elements,
 * a fixed-length array inside a struct, and a counted array a call returns. Each conversion is written
 * here once; the fast path and the call plan both call it.
 */
final class ArrayMappings {

    private ArrayMappings() {
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
        public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
            if (direction == Direction.HEAP) {
                return heapOrNull(value);
            }
            return copy(direction, context.scratch(), value);
        }

        @Override
        public void afterCall(@Nullable Object value, @Nullable Object carrier) {
            if (value != null && direction.out) {
                heapSegment(value).copyFrom((MemorySegment) carrier);
            }
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) {
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
        public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
            if (value == null) {
                return MemorySegment.NULL;
            }
            MemorySegment[] pointers = (MemorySegment[]) value;
            MemorySegment copy = context.allocate(ValueLayout.ADDRESS, pointers.length);
            for (int i = 0; i < pointers.length; i++) {
                copy.setAtIndex(ValueLayout.ADDRESS, i, Pointers.nonNull(pointers[i]));
            }
            return copy;
        }

        @Override
        public void afterCall(@Nullable Object value, @Nullable Object carrier) {
            if (value != null) {
                MemorySegment[] pointers = (MemorySegment[]) value;
                for (int i = 0; i < pointers.length; i++) {
                    pointers[i] = ((MemorySegment) carrier).getAtIndex(ValueLayout.ADDRESS, i);
                }
            }
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) {
            throw new UnsupportedOperationException("pointer arrays are parameters only");
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
        public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
            MemorySegment s = context.allocate(layout());
            write(this, s, 0, value);
            return s;
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) {
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
        public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
            throw new UnsupportedOperationException("a counted pointer comes from C only");
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) {
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

        private static String @Nullable [] strings(MemorySegment pointer, long count) {
            if (pointer.address() == 0) {
                return null;
            }
            MemorySegment array = segment(ValueLayout.ADDRESS.byteSize(), pointer, count);
            String[] values = new String[(int) count];
            for (int i = 0; i < values.length; i++) {
                values[i] = Pointers.Text.read(array.getAtIndex(ValueLayout.ADDRESS, i));
            }
            return values;
        }
    }
}
