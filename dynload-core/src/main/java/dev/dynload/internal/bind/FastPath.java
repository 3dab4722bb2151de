package dev.dynload.internal.bind;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

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

    private static final MethodHandle CURRENT = Handles.find(MethodHandles.lookup(), "current", Scratch.class);
    private static final MethodHandle TOP = Handles.find(MethodHandles.lookup(), "top", long.class, Scratch.class);
    private static final MethodHandle RESET = Handles.find(MethodHandles.lookup(), "reset", void.class,
            Throwable.class, long.class, Scratch.class);

    private FastPath() {
    }

    /**
     * The handle for a method whose every conversion has a filter (see {@link Mapping#argumentFilter});
     * empty when one has none, and the call plan converts instead.
     */
    static Optional<MethodHandle> tryBuild(MethodHandle downcall, @Nullable Mapping[] parameters, Optional<Mapping> result,
                                           MethodType javaType) {
        MethodHandle[] encoders = new MethodHandle[parameters.length];
        MethodHandle[] filters = new MethodHandle[parameters.length];
        boolean scratch = false;
        for (int i = 0; i < parameters.length; i++) {
            Mapping p = parameters[i];
            if (p.direct()) {
                continue;
            }
            Optional<Mapping.Filter> filter = p.argumentFilter();
            if (filter.isEmpty()) {
                return Optional.empty();
            }
            MethodHandle f = filter.get().handle();
            Class<?> carrier = downcall.type().parameterType(downcall.type().parameterCount() - parameters.length + i);
            if (filter.get().scratch()) {
                encoders[i] = f.asType(MethodType.methodType(carrier, Scratch.class, javaType.parameterType(i)));
                scratch = true;
            } else {
                filters[i] = f.asType(MethodType.methodType(carrier, javaType.parameterType(i)));
            }
        }
        MethodHandle h = downcall;
        boolean allocator = false;
        if (result.isPresent() && !result.get().direct()) {
            Optional<Mapping.Filter> filter = result.get().resultFilter();
            if (filter.isEmpty()) {
                return Optional.empty();
            }
            h = MethodHandles.filterReturnValue(h, filter.get().handle()
                    .asType(MethodType.methodType(javaType.returnType(), h.type().returnType())));
            // A struct returned by value: the linker takes an allocator first, the scratch stack.
            allocator = filter.get().scratch();
            scratch |= allocator;
        }
        // Filters that need no native memory convert each argument in place.
        h = MethodHandles.filterArguments(h, allocator ? 1 : 0, filters);
        if (scratch) {
            h = scoped(h, encoders, allocator);
        }
        return Optional.of(h.asType(javaType));
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
        // (Throwable, [R], long mark, Scratch): a call that threw copies nothing back (C never ran, or failed).
        MethodHandle cleanup = r == void.class ? RESET
                : MethodHandles.foldArguments(
                        MethodHandles.dropArguments(MethodHandles.dropArguments(MethodHandles.identity(r), 0,
                                Throwable.class), 2, long.class, Scratch.class),
                        MethodHandles.dropArguments(RESET, 1, r));
        MethodHandle guarded = MethodHandles.tryFinally(withMark, cleanup);
        MethodHandle marked = MethodHandles.foldArguments(guarded, 0, TOP);
        return MethodHandles.foldArguments(marked, CURRENT);
    }

    private static Scratch current() {
        return Scratch.current();
    }

    private static long top(Scratch scratch) {
        return scratch.mark();
    }

    private static void reset(Throwable thrown, long mark, Scratch scratch) {
        scratch.reset(mark, thrown == null);
    }
}
