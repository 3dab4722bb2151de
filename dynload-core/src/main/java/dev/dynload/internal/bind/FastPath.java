package dev.dynload.internal.bind;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Bound methods whose only conversions are {@code String}s, primitive arrays and flat records, built from
 * method handle combinators so that nothing is boxed: a returned {@code char*} is read straight into a
 * {@code String}; a {@code String} or array argument is copied into a per-thread scratch buffer instead
 * of a fresh arena; a record passed by value is written into heap memory (see Struct); a record
 * returned by value comes back in scratch memory.
 *
 * <p>The {@link Scratch} buffer works as a stack: each call notes where its top is, its copies go
 * above it, and the top goes back when the call returns or throws, after copying arrays C may have
 * written to back into the Java arrays. A copy that does not fit gets memory of its own, which the
 * garbage collector frees.
 */
final class FastPath {

    private static final MethodHandle READ;
    private static final MethodHandle ENCODE;
    private static final MethodHandle CURRENT;
    private static final MethodHandle TOP;
    private static final MethodHandle RESET;
    private static final MethodHandle ARRAY_IN;
    private static final MethodHandle ARRAY_IN_OUT;
    private static final MethodHandle ARRAY_HEAP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READ = lookup.findStatic(FastPath.class, "read", MethodType.methodType(String.class, MemorySegment.class));
            ENCODE = lookup.findStatic(FastPath.class, "encode",
                    MethodType.methodType(MemorySegment.class, Scratch.class, String.class));
            CURRENT = lookup.findStatic(FastPath.class, "current", MethodType.methodType(Scratch.class));
            TOP = lookup.findStatic(FastPath.class, "top", MethodType.methodType(long.class, Scratch.class));
            RESET = lookup.findStatic(FastPath.class, "reset", MethodType.methodType(void.class, long.class, Scratch.class));
            MethodType array = MethodType.methodType(MemorySegment.class, Scratch.class, Object.class);
            ARRAY_IN = lookup.findStatic(FastPath.class, "arrayIn", array);
            ARRAY_IN_OUT = lookup.findStatic(FastPath.class, "arrayInOut", array);
            ARRAY_HEAP = lookup.findStatic(FastPath.class, "arrayHeap", MethodType.methodType(MemorySegment.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private FastPath() {
    }

    /**
     * The handle for a method whose parameters are direct or {@code String}s and whose result is
     * direct, void or a {@code String} the library keeps; null for any other method.
     */
    static MethodHandle tryBuild(MethodHandle downcall, Mapping[] parameters, Mapping result, MethodType javaType) {
        MethodHandle[] encoders = new MethodHandle[parameters.length];
        MethodHandle[] filters = new MethodHandle[parameters.length];
        boolean scratch = false;
        for (int i = 0; i < parameters.length; i++) {
            Mapping p = parameters[i];
            if (p instanceof Mapping.Text) {
                encoders[i] = ENCODE;
            } else if (p instanceof Mapping.PrimitiveArray array && array.heap()) {
                filters[i] = ARRAY_HEAP.asType(ARRAY_HEAP.type().changeParameterType(0, javaType.parameterType(i)));
                continue;
            } else if (p instanceof Mapping.PrimitiveArray array) {
                MethodHandle encoder = array.in() ? ARRAY_IN : ARRAY_IN_OUT;
                encoders[i] = encoder.asType(encoder.type().changeParameterType(1, javaType.parameterType(i)));
            } else if (p instanceof Struct struct && struct.encoder() != null) {
                filters[i] = struct.encoder(); // on the heap: no scratch memory
                continue;
            } else if (p == null || !p.direct()) {
                return null;
            }
            scratch |= encoders[i] != null;
        }
        MethodHandle h = downcall;
        boolean allocator = false;
        if (result instanceof Mapping.Text text && text.free() == null) {
            h = MethodHandles.filterReturnValue(h, READ);
        } else if (result instanceof Struct struct && struct.decoder() != null) {
            // A struct returned by value: the linker takes an allocator first, the scratch stack.
            h = MethodHandles.filterReturnValue(h, struct.decoder());
            allocator = true;
            scratch = true;
        } else if (result != null && !result.direct()) {
            return null;
        }
        // Heap arrays and records by value need no native memory: a filter makes each a heap segment, in place.
        h = MethodHandles.filterArguments(h, allocator ? 1 : 0, filters);
        if (scratch) {
            h = scoped(h, encoders, allocator);
        }
        return h.type().equals(javaType) ? h : null;
    }

    /**
     * Encodes the strings into the thread's scratch buffer, noting its top before the call and putting
     * it back after, whether the call returns or throws. The thread-local is read once per call.
     */
    private static MethodHandle scoped(MethodHandle call, MethodHandle[] encoders, boolean allocator) {
        int n = encoders.length;
        int lead = allocator ? 1 : 0;
        MethodHandle h = allocator ? call.asType(call.type().changeParameterType(0, Scratch.class)) : call;
        // Each encoder (Scratch, J) -> carrier takes its parameter's place: (Scratch?, [Scratch, J] or C...).
        int inserted = 0;
        for (int i = 0; i < n; i++) {
            if (encoders[i] != null) {
                h = MethodHandles.collectArguments(h, lead + i + inserted, encoders[i]);
                inserted++;
            }
        }
        // Reorder to (Scratch, args...), every Scratch slot fed by the one leading Scratch.
        MethodType collected = h.type();
        java.util.List<Class<?>> outer = new java.util.ArrayList<>();
        outer.add(Scratch.class);
        int[] reorder = new int[collected.parameterCount()];
        int k = 0;
        if (allocator) {
            reorder[k++] = 0;
        }
        for (int i = 0; i < n; i++) {
            if (encoders[i] != null) {
                reorder[k++] = 0;
            }
            reorder[k++] = i + 1;
            outer.add(collected.parameterType(k - 1));
        }
        h = MethodHandles.permuteArguments(h, MethodType.methodType(collected.returnType(), outer), reorder);
        // (long mark, Scratch, args...) with the top put back in a finally.
        Class<?> r = h.type().returnType();
        MethodHandle withMark = MethodHandles.dropArguments(h, 0, long.class);
        MethodHandle cleanup = r == void.class
                ? MethodHandles.dropArguments(RESET, 0, Throwable.class)
                : MethodHandles.dropArguments(MethodHandles.foldArguments(
                        MethodHandles.dropArguments(MethodHandles.identity(r), 1, long.class, Scratch.class),
                        1, RESET), 0, Throwable.class);
        MethodHandle guarded = MethodHandles.tryFinally(withMark, cleanup);
        MethodHandle marked = MethodHandles.foldArguments(guarded, 0, TOP);
        return MethodHandles.foldArguments(marked, CURRENT);
    }

    /** {@link dev.dynload.CString#read} without its checks, which a downcall's result never needs. */
    private static String read(MemorySegment pointer) {
        return pointer.address() == 0 ? null : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private static Scratch current() {
        return Scratch.current();
    }

    private static long top(Scratch scratch) {
        return scratch.mark();
    }

    private static void reset(long mark, Scratch scratch) {
        scratch.reset(mark);
    }

    /** A const array: copied into the scratch stack, not back. */
    private static MemorySegment arrayIn(Scratch scratch, Object array) {
        if (array == null) {
            return MemorySegment.NULL;
        }
        MemorySegment onHeap = Mapping.PrimitiveArray.heapSegment(array);
        MemorySegment copy = scratch.allocate(onHeap.byteSize(), 8);
        copy.copyFrom(onHeap);
        return copy;
    }

    /** An array C may write to: copied in, and back when the call returns (see Scratch.reset). */
    private static MemorySegment arrayInOut(Scratch scratch, Object array) {
        MemorySegment copy = arrayIn(scratch, array);
        if (array != null) {
            scratch.copyBackLater(Mapping.PrimitiveArray.heapSegment(array), copy);
        }
        return copy;
    }

    /** A @Heap array: the array itself, for a critical call with heap access. */
    private static MemorySegment arrayHeap(Object array) {
        return array == null ? MemorySegment.NULL : Mapping.PrimitiveArray.heapSegment(array);
    }

    private static MemorySegment encode(Scratch scratch, String s) {
        if (s == null) {
            return MemorySegment.NULL;
        }
        int length = s.length();
        // ASCII, the common case, is written char by char with no byte[] in between.
        if (length < 256 && scratch.top + length + 1 <= Scratch.BYTES) {
            MemorySegment target = scratch.buffer.asSlice(scratch.top, length + 1);
            int i = 0;
            for (; i < length; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    break;
                }
                target.set(ValueLayout.JAVA_BYTE, i, (byte) c);
            }
            if (i == length) {
                target.set(ValueLayout.JAVA_BYTE, length, (byte) 0);
                scratch.top += (length + 8) & ~7L;
                return target;
            }
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        long need = bytes.length + 1L;
        MemorySegment target;
        target = scratch.allocate(need, 1);
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
        target.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
        return target;
    }
}
