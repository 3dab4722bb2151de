package dev.dynload.internal.bind;

import dev.dynload.bind.CEnum;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The mappings whose C side is one number: a Java primitive as it is, a Java {@code long} for a
 * 32-bit C type, an enum as a C {@code int}. None takes {@code null}.
 */
sealed interface Scalar extends Mapping.Field {

    @Override
    default boolean nullable() {
        return false;
    }

    /** The value layout's own reader, (MemorySegment, long) -> carrier. */
    static MethodHandle read(ValueLayout layout) {
        return layout.varHandle().toMethodHandle(VarHandle.AccessMode.GET);
    }

    /** The value layout's own writer, (MemorySegment, long, carrier) -> void. */
    static MethodHandle write(ValueLayout layout) {
        return layout.varHandle().toMethodHandle(VarHandle.AccessMode.SET);
    }

    /**
     * A scalar whose Java value and carrier differ: the two conversions are method handles, and every
     * use (argument, result, callback, struct field) is made of them here.
     */
    sealed interface Converted extends Scalar {

        /** {@return (Java) -> carrier} */
        MethodHandle toCarrier();

        /** {@return (carrier) -> Java} */
        MethodHandle fromCarrier();

        @Override
        default @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) throws Throwable {
            return toCarrier().invoke(value);
        }

        @Override
        default @Nullable Object toJava(@Nullable Object carrier) throws Throwable {
            return fromCarrier().invoke(carrier);
        }

        @Override
        default Optional<Filter> argumentFilter() {
            return Optional.of(new Filter(toCarrier(), false));
        }

        @Override
        default Optional<Filter> resultFilter() {
            return Optional.of(new Filter(fromCarrier(), false));
        }

        @Override
        default MethodHandle callbackArgument() {
            return fromCarrier();
        }

        @Override
        default MethodHandle callbackResult() {
            return toCarrier();
        }

        @Override
        default MethodHandle reader() {
            return MethodHandles.filterReturnValue(read((ValueLayout) layout()), fromCarrier());
        }

        @Override
        default MethodHandle writer() {
            return MethodHandles.filterArguments(write((ValueLayout) layout()), 2, toCarrier());
        }
    }

    /** A primitive or {@code boolean}, passed as it is. */
    record Value(ValueLayout layout) implements Scalar {
        @Override
        public boolean direct() {
            return true;
        }

        @Override
        public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
            return value;
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) {
            return carrier;
        }

        @Override
        public MethodHandle callbackResult() {
            return MethodHandles.identity(layout.carrier());
        }

        @Override
        public MethodHandle reader() {
            return read(layout);
        }

        @Override
        public MethodHandle writer() {
            return write(layout);
        }

        /** An {@code int} or {@code long} (-1) or a {@code boolean} (false); other numbers have no failure value. */
        @Override
        public boolean signalsFailure() {
            return layout instanceof ValueLayout.OfInt || layout instanceof ValueLayout.OfLong
                    || layout instanceof ValueLayout.OfBoolean;
        }

        @Override
        public boolean failed(@Nullable Object carrier) {
            return switch (carrier) {
                case Integer i -> i == -1;
                case Long l -> l == -1L;
                case Boolean b -> !b;
                default -> false;
            };
        }
    }

    /** A Java {@code long} for a C type that is 32 bits here (C {@code long} on Windows), checked when narrowed. */
    record Narrowed(ValueLayout.OfInt layout) implements Converted {
        private static final MethodHandle NARROW = Handles.find(MethodHandles.lookup(), "narrow", int.class, long.class);
        private static final MethodHandle WIDEN = Handles.find(MethodHandles.lookup(), "widen", long.class, int.class);

        private static int narrow(long v) {
            if (v != (int) v && v != Integer.toUnsignedLong((int) v)) {
                throw new IllegalArgumentException(v + " does not fit the 32-bit C type");
            }
            return (int) v;
        }

        private static long widen(int v) {
            return v;
        }

        @Override
        public MethodHandle toCarrier() {
            return NARROW;
        }

        @Override
        public MethodHandle fromCarrier() {
            return WIDEN;
        }

        @Override
        public boolean signalsFailure() {
            return true;
        }

        @Override
        public boolean failed(@Nullable Object carrier) {
            return (Integer) carrier == -1;
        }
    }

    /**
     * A C unsigned integer of {@code layout}'s width in a wider Java type ({@code @Unsigned}): zero-extended
     * into Java, range-checked into C.
     */
    record Unsigned(ValueLayout layout, Class<?> javaType) implements Converted {
        private static final MethodHandle TO_C = Handles.find(MethodHandles.lookup(), "toC", long.class, long.class,
                long.class);
        private static final MethodHandle TO_JAVA = Handles.find(MethodHandles.lookup(), "toJava", long.class,
                long.class, long.class);

        private long bits() {
            return layout.byteSize() * 8;
        }

        static long toC(long bits, long value) {
            if (value < 0 || value >>> bits != 0) {
                throw new IllegalArgumentException(value + " is outside the range of a " + bits + "-bit unsigned C "
                        + "integer, 0 to " + ((1L << bits) - 1));
            }
            return value;
        }

        private static long toJava(long bits, long carrier) {
            return carrier & ((1L << bits) - 1);
        }

        /** (Java) -> carrier: widened to long, checked, narrowed to the C width. */
        @Override
        public MethodHandle toCarrier() {
            return MethodHandles.explicitCastArguments(MethodHandles.insertArguments(TO_C, 0, bits()),
                    MethodType.methodType(layout.carrier(), javaType));
        }

        /** (carrier) -> Java: sign-extended to long by asType, then masked back to its unsigned value. */
        @Override
        public MethodHandle fromCarrier() {
            return MethodHandles.explicitCastArguments(MethodHandles.insertArguments(TO_JAVA, 0, bits()),
                    MethodType.methodType(javaType, layout.carrier()));
        }
    }

    /**
     * A Java enum as a C {@code int}: its {@link CEnum#value()}, or its ordinal. Built only for enums
     * whose values are distinct and readable (see {@link #of}).
     */
    record Enumeration(@Nullable Class<?> type, Map<Integer, Object> byValue, Map<Object, Integer> toValue) implements Converted {
        private static final MethodHandle VALUE = Handles.find(MethodHandles.lookup(), "value", int.class, Enumeration.class, Object.class);
        private static final MethodHandle CONSTANT = Handles.find(MethodHandles.lookup(), "constant", Object.class, Enumeration.class, int.class);

        /**
         * Reads every constant's C value once.
         *
         * @throws IllegalArgumentException if a {@code value()} throws, or two constants share a value
         */
        static Enumeration of(@Nullable Class<?> type) {
            if (type == null) {
                return new Enumeration(null, Map.of(), Map.of()); // compiled, not run: its values are unknown
            }
            Map<Integer, Object> byValue = new HashMap<>();
            Map<Object, Integer> toValue = new HashMap<>();
            for (Object constant : type.getEnumConstants()) {
                int v;
                try {
                    v = constant instanceof CEnum c ? c.value() : ((Enum<?>) constant).ordinal();
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("enum " + type.getName() + ": value() of " + constant
                            + " threw " + e + "; value() must return a constant");
                }
                Object other = byValue.putIfAbsent(v, constant);
                if (other != null) {
                    throw new IllegalArgumentException("enum " + type.getName() + ": " + other + " and " + constant
                            + " both have the C value " + v + ", so a returned " + v
                            + " could not be told apart; give each constant its own value");
                }
                toValue.put(constant, v);
            }
            return new Enumeration(type, Map.copyOf(byValue), Map.copyOf(toValue));
        }

        @Override
        public MemoryLayout layout() {
            return ValueLayout.JAVA_INT;
        }

        static int value(Enumeration e, Object constant) {
            if (constant == null) {
                throw new NullPointerException("a null " + e.type.getSimpleName() + " cannot be passed as a C int");
            }
            return e.toValue.get(constant);
        }

        static Object constant(Enumeration e, int value) {
            Object constant = e.byValue.get(value);
            if (constant == null) {
                throw new IllegalStateException("the C side gave " + value + ", which no constant of "
                        + e.type.getName() + " stands for");
            }
            return constant;
        }

        @Override
        public MethodHandle toCarrier() {
            return MethodHandles.insertArguments(VALUE, 0, this).asType(MethodType.methodType(int.class, type));
        }

        @Override
        public MethodHandle fromCarrier() {
            return MethodHandles.insertArguments(CONSTANT, 0, this).asType(MethodType.methodType(type, int.class));
        }

        @Override
        public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
            return value(this, value);
        }

        @Override
        public @Nullable Object toJava(@Nullable Object carrier) {
            return constant(this, (Integer) carrier);
        }

        @Override
        public @Nullable Object zero() {
            return 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Enumeration e && e.type == type;
        }

        @Override
        public int hashCode() {
            return type.hashCode();
        }
    }
}
