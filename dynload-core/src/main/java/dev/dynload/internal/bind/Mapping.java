package dev.dynload.internal.bind;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * How one Java type crosses into C and back: one case per row of the type table (docs/binding.md).
 * A case owns everything about its type: its C layout, its conversions both ways (for the call plan and
 * for callbacks), the method handle filters the fast path composes, how it reads and writes itself as
 * a struct field, and whether a result of its type can say that a call failed ({@code @Errno}). Code
 * that builds calls asks the mapping; none tests which case it has. A new mapping is a new case.
 *
 * <p>A conversion meets a <em>carrier</em>: the value the linker takes or gives for the C layout
 * ({@code int}, {@code MemorySegment}...). A <em>direct</em> mapping's Java value is its carrier, so a
 * method whose types are all direct calls the raw downcall handle.
 */
sealed interface Mapping permits Mapping.Field, Mapping.Pointer {

    /** {@return the C layout of the carrier, as the linker sees it} */
    MemoryLayout layout();

    /** {@return whether the Java value is the carrier itself, with nothing to convert} */
    default boolean direct() {
        return false;
    }

    /** {@return whether Java {@code null} has a C meaning here ({@code NULL}); else null is refused} */
    default boolean nullable() {
        return !(layout() instanceof ValueLayout) || layout() instanceof java.lang.foreign.AddressLayout;
    }

    /**
     * Converts a Java argument (or a callback's Java result) to its carrier.
     *
     * @param value the Java value
     * @param context the call's memory and callback lifetime; null where no call runs (a callback's
     *                result, a struct's conversions), where the mappings that need it (strings, arrays)
     *                never stand, as the type table's roles ensure
     */
    @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) throws Throwable;

    /** Copies what the function wrote back into the Java argument. */
    default void afterCall(@Nullable Object value, @Nullable Object carrier) throws Throwable {
    }

    /** Converts a carrier (a result, or a callback's argument) to the Java value. */
    @Nullable Object toJava(@Nullable Object carrier) throws Throwable;

    /**
     * {@return the fast path's conversion of an argument, or empty when only the call plan can
     * convert it} Not asked of direct mappings.
     */
    default Optional<Filter> argumentFilter() {
        return Optional.empty();
    }

    /**
     * {@return the fast path's conversion of a result, or empty when only the call plan can convert
     * it} A filter that needs scratch memory here takes the linker's allocator (a struct by value).
     */
    default Optional<Filter> resultFilter() {
        return Optional.empty();
    }

    /** {@return (carrier) -> Java, for a callback's argument} */
    default MethodHandle callbackArgument() {
        return Conversions.toJava(this);
    }

    /**
     * {@return the index of the argument holding this pointer's element count ({@code @Count}): of the
     * callback for a callback's argument, of the method for a result; or -1}
     */
    default int countAt() {
        return -1;
    }

    /** {@return (pointer, long count) -> Java, for a mapping whose {@link #countAt} is not -1} */
    default MethodHandle withCount() {
        throw new UnsupportedOperationException(this + " takes no count");
    }

    /** {@return whether this argument is a Java callback, which C calls back} */
    default boolean callsBack() {
        return false;
    }

    /** {@return (Java) -> carrier, for a callback's result} */
    default MethodHandle callbackResult() {
        return Conversions.toNative(this);
    }

    /** {@return whether a result of this type can say a call failed, for {@code @Errno}} */
    default boolean signalsFailure() {
        return false;
    }

    /** {@return whether this result carrier says the call failed: -1, {@code NULL} or false} */
    default boolean failed(@Nullable Object carrier) {
        return false;
    }

    /** {@return the carrier's zero: what a callback that threw returns to C} */
    default @Nullable Object zero() {
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

    /**
     * A conversion the fast path composes: {@code (Java) -> carrier} when {@code scratch} is false, or
     * {@code (Scratch, Java) -> carrier} when it needs native memory for the length of the call (for a
     * result: {@code (carrier) -> Java}, scratch meaning the linker takes an allocator).
     */
    record Filter(MethodHandle handle, boolean scratch) {
    }

    /** A mapping whose carrier is a pointer C gets or gives: strings, arrays, out-parameters, callbacks. */
    sealed interface Pointer extends Mapping permits Pointers.Text, ArrayMappings.PrimitiveArray, ArrayMappings.PointerArray,
            Pointers.Out, ArrayMappings.Counted, Callback {
        @Override
        default MemoryLayout layout() {
            return ValueLayout.ADDRESS;
        }
    }

    /**
     * A mapping that can also be a struct field: it reads and writes itself at an offset.
     */
    sealed interface Field extends Mapping permits Scalar, Pointers.Address, ArrayMappings.InlineArray, Struct {

        /** {@return the field's own layout (a struct's, an array's; the carrier's for the others)} */
        default MemoryLayout fieldLayout() {
            return layout();
        }

        /** {@return (MemorySegment, long offset) -> Java} */
        MethodHandle reader();

        /** {@return (MemorySegment, long offset, Java) -> void} */
        MethodHandle writer();
    }
}
