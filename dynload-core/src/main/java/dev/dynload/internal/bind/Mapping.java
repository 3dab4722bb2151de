package dev.dynload.internal.bind;

import dev.dynload.CString;
import dev.dynload.bind.CEnum;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.HashMap;
import java.util.Map;

/**
 * How one Java type crosses into C and back: its C layout, and the conversions between the Java value
 * and the carrier the linker takes ({@code int}, {@code MemorySegment}...). A <em>direct</em> mapping
 * needs no conversion at all, so a method whose types are all direct calls the raw downcall handle.
 */
interface Mapping {

    /** {@return the C layout of the value as the linker sees it} */
    MemoryLayout layout();

    /** {@return whether the Java value is the carrier itself, with nothing to convert} */
    default boolean direct() {
        return false;
    }

    /** Converts a Java argument (or a callback's Java result) to its carrier. */
    Object toNative(Object value, CallContext context) throws Throwable;

    /** Copies what the function wrote back into the Java argument. */
    default void afterCall(Object value, Object carrier) {
    }

    /** Converts a carrier (a result, or a callback's argument) to the Java value. */
    Object toJava(Object carrier, CallContext context) throws Throwable;

    /** {@return the carrier's zero: what a failed callback returns} */
    default Object zero() {
        return switch (layout()) {
            case ValueLayout.OfBoolean ignored -> false;
            case ValueLayout.OfByte ignored -> (byte) 0;
            case ValueLayout.OfShort ignored -> (short) 0;
            case ValueLayout.OfChar ignored -> (char) 0;
            case ValueLayout.OfInt ignored -> 0;
            case ValueLayout.OfLong ignored -> 0L;
            case ValueLayout.OfFloat ignored -> 0f;
            case ValueLayout.OfDouble ignored -> 0d;
            default -> MemorySegment.NULL;
        };
    }

    /** A mapping whose C side is a pointer. */
    interface Pointer extends Mapping {
        @Override
        default MemoryLayout layout() {
            return ValueLayout.ADDRESS;
        }
    }

    /** A primitive, a {@code boolean}, or a pointer without size: passed as it is. */
    record Direct(MemoryLayout layout) implements Mapping {
        @Override
        public boolean direct() {
            return true;
        }

        @Override
        public Object toNative(Object value, CallContext context) {
            return value;
        }

        @Override
        public Object toJava(Object carrier, CallContext context) {
            return carrier;
        }
    }

    /** A Java {@code long} for a C type that is 32 bits here (C {@code long} on Windows). */
    record Narrowed(MemoryLayout layout) implements Mapping {
        @Override
        public Object toNative(Object value, CallContext context) {
            long v = (Long) value;
            if (v != (int) v && v != Integer.toUnsignedLong((int) v)) {
                throw new IllegalArgumentException(v + " does not fit the 32-bit C type");
            }
            return (int) v;
        }

        @Override
        public Object toJava(Object carrier, CallContext context) {
            return (long) (Integer) carrier;
        }
    }

    /** A pointer handed to Java with a known size ({@code @Size}). */
    record SizedPointer(long size) implements Pointer {
        @Override
        public Object toNative(Object value, CallContext context) {
            return value == null ? MemorySegment.NULL : value;
        }

        @Override
        public Object toJava(Object carrier, CallContext context) {
            MemorySegment p = (MemorySegment) carrier;
            return p.address() == 0 ? p : p.reinterpret(size);
        }
    }

    /** A {@code String} as a NUL-terminated UTF-8 {@code char*}; a returned one is copied, then freed if asked. */
    record Text(MethodHandle free) implements Pointer {
        @Override
        public Object toNative(Object value, CallContext context) {
            return value == null ? MemorySegment.NULL : context.allocateFrom((String) value);
        }

        @Override
        public Object toJava(Object carrier, CallContext context) throws Throwable {
            MemorySegment p = (MemorySegment) carrier;
            String s = CString.read(p);
            if (free != null && p.address() != 0) {
                free.invokeExact(p);
            }
            return s;
        }
    }

    /** A primitive array as a pointer to a native copy, copied back after the call; or, on the heap, itself. */
    record PrimitiveArray(ValueLayout element, boolean heap, boolean in) implements Pointer {
        @Override
        public Object toNative(Object value, CallContext context) {
            if (value == null) {
                return MemorySegment.NULL;
            }
            MemorySegment onHeap = heapSegment(value);
            if (heap) {
                return onHeap;
            }
            MemorySegment copy = context.allocate(element, Array.getLength(value));
            copy.copyFrom(onHeap);
            return copy;
        }

        @Override
        public void afterCall(Object value, Object carrier) {
            if (value != null && !heap && !in) {
                heapSegment(value).copyFrom((MemorySegment) carrier);
            }
        }

        @Override
        public Object toJava(Object carrier, CallContext context) {
            throw new UnsupportedOperationException("arrays are parameters only");
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
    record PointerArray() implements Pointer {
        @Override
        public Object toNative(Object value, CallContext context) {
            if (value == null) {
                return MemorySegment.NULL;
            }
            MemorySegment[] pointers = (MemorySegment[]) value;
            MemorySegment copy = context.allocate(ValueLayout.ADDRESS, pointers.length);
            for (int i = 0; i < pointers.length; i++) {
                copy.setAtIndex(ValueLayout.ADDRESS, i, pointers[i] == null ? MemorySegment.NULL : pointers[i]);
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
        public Object toJava(Object carrier, CallContext context) {
            throw new UnsupportedOperationException("pointer arrays are parameters only");
        }
    }

    /** A Java enum as a C {@code int}: its {@link CEnum#value()}, or its ordinal. */
    record Enumeration(Class<?> type, Map<Integer, Object> byValue) implements Mapping {
        static Enumeration of(Class<?> type) {
            Map<Integer, Object> byValue = new HashMap<>();
            for (Object constant : type.getEnumConstants()) {
                byValue.putIfAbsent(valueOf(constant), constant);
            }
            return new Enumeration(type, Map.copyOf(byValue));
        }

        private static int valueOf(Object constant) {
            return constant instanceof CEnum c ? c.value() : ((Enum<?>) constant).ordinal();
        }

        @Override
        public MemoryLayout layout() {
            return ValueLayout.JAVA_INT;
        }

        @Override
        public Object toNative(Object value, CallContext context) {
            if (value == null) {
                throw new NullPointerException("a null " + type.getSimpleName() + " cannot be passed as a C int");
            }
            return valueOf(value);
        }

        @Override
        public Object toJava(Object carrier, CallContext context) {
            Object constant = byValue.get((Integer) carrier);
            if (constant == null) {
                throw new IllegalStateException("the C function returned " + carrier + ", which no constant of "
                        + type.getName() + " stands for");
            }
            return constant;
        }
    }
}
