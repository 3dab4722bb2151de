package dev.dynload.internal.bind;

import dev.dynload.bind.Ref;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The mappings whose C side is a pointer (or, for {@link ArrayMappings.InlineArray}, memory inside a struct): raw
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

    static MemorySegment nonNull(MemorySegment pointer) {
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
        public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
            return value;
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) {
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
        public boolean failed(@Nullable Object carrier) {
            long address = ((MemorySegment) carrier).address();
            return address == 0 || address == -1;
        }
    }

    /**
     * A {@code String} as a NUL-terminated UTF-8 {@code char*}: copied in for the call; a returned one
     * copied out, then freed with {@code free} if there is one.
     */
    record Text(@Nullable MethodHandle free) implements Mapping.Pointer {
        private static final MethodHandle ENCODE = Handles.find(MethodHandles.lookup(), "encode", MemorySegment.class,
                Scratch.class, String.class);
        private static final MethodHandle READ = Handles.find(MethodHandles.lookup(), "read", String.class,
                MemorySegment.class);
        private static final MethodHandle READ_AND_FREE = Handles.find(MethodHandles.lookup(), "readAndFree",
                String.class, MethodHandle.class, MemorySegment.class);


        @Override
        public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
            return encode(context.scratch(), (String) value);
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) throws Throwable {
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
        public boolean failed(@Nullable Object carrier) {
            return ((MemorySegment) carrier).address() == 0;
        }

        /** A C string's text; the pointer comes from C, which vouches for its NUL. */
        static @Nullable String read(MemorySegment pointer) {
            return pointer.address() == 0 ? null : pointer.reinterpret(Long.MAX_VALUE).getString(0);
        }

        private static @Nullable String readAndFree(MethodHandle free, MemorySegment pointer) throws Throwable {
            String s = read(pointer);
            if (pointer.address() != 0) {
                free.invokeExact(pointer);
            }
            return s;
        }

        /** A string's copy in scratch memory, or NULL for null; see {@link Scratch#copy(String)}. */
        static MemorySegment encode(Scratch scratch, @Nullable String s) {
            return s == null ? MemorySegment.NULL : scratch.copy(s);
        }
    }


    /**
     * A {@link Ref} of a struct as a pointer to it: an out- or in-out parameter. The struct goes in as the
     * reference holds it (zeros when it holds null), and what C wrote comes back as a new record in it.
     */
    record Out(Struct value, @Nullable MethodHandle read, @Nullable MethodHandle write) implements Mapping.Pointer {
        static Out of(Struct value) {
            if (!value.hasHandles()) {
                return new Out(value, null, null); // a signature only: nothing is read or written
            }
            return new Out(value, value.reader().asType(MethodType.methodType(Object.class, MemorySegment.class, long.class)),
                    value.writer().asType(MethodType.methodType(void.class, MemorySegment.class, long.class, Object.class)));
        }


        @Override
        public @Nullable Object toNative(@Nullable Object ref, @Nullable CallContext context) throws Throwable {
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
        public void afterCall(@Nullable Object ref, @Nullable Object carrier) throws Throwable {
            if (ref != null) {
                ((Ref<Object>) ref).set((Object) read.invokeExact((MemorySegment) carrier, 0L));
            }
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) {
            throw new UnsupportedOperationException("a Ref is a parameter only");
        }
    }
}
