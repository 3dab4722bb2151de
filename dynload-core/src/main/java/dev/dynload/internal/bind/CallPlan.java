package dev.dynload.internal.bind;

import dev.dynload.bind.ErrnoException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A bound method whose arguments or result need converting: strings, arrays, structs, callbacks,
 * enums, {@code errno}. Methods with only primitives and pointers skip this and call the downcall
 * handle itself.
 */
final class CallPlan {

    private static final MethodHandle INVOKE;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static {
        try {
            INVOKE = MethodHandles.lookup().findVirtual(CallPlan.class, "invoke",
                    MethodType.methodType(Object.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String function;
    private final MethodHandle spread;
    private final @Nullable Mapping[] parameters;
    private final int lifetime;
    private final Optional<Mapping> result;
    private final int leading;
    private final int allocatorAt;
    private final int captureAt;
    private final boolean errno;

    /**
     * @param function the C function, for messages
     * @param downcall its downcall handle, with the linker's leading allocator or capture-state parameters
     * @param parameters a mapping per Java parameter, null at {@code lifetime}
     * @param lifetime the index of the {@code Arena} parameter that keeps callbacks alive, or -1
     * @param result the result's mapping, empty for void
     * @param errno whether a failed call throws {@link ErrnoException}
     */
    CallPlan(String function, MethodHandle downcall, @Nullable Mapping[] parameters, int lifetime, Optional<Mapping> result,
             boolean errno) {
        this.function = function;
        this.parameters = parameters;
        this.lifetime = lifetime;
        this.result = result;
        this.errno = errno;
        MethodType type = downcall.type();
        this.leading = type.parameterCount() - (parameters.length - (lifetime >= 0 ? 1 : 0));
        int allocator = -1;
        int capture = -1;
        for (int i = 0; i < leading; i++) {
            if (type.parameterType(i) == SegmentAllocator.class) {
                allocator = i;
            } else {
                capture = i;
            }
        }
        this.allocatorAt = allocator;
        this.captureAt = capture;
        this.spread = downcall.asSpreader(Object[].class, type.parameterCount())
                .asType(MethodType.methodType(Object.class, Object[].class));
    }

    /** {@return a handle of the Java method's exact type that runs this plan} */
    MethodHandle handle(MethodType javaType) {
        return MethodHandles.insertArguments(INVOKE, 0, this)
                .asCollector(Object[].class, javaType.parameterCount())
                .asType(javaType);
    }

    private @Nullable Object invoke(@Nullable Object[] args) throws Throwable {
        try (CallContext context = new CallContext(lifetime >= 0 ? (Arena) args[lifetime] : null)) {
            Object[] carriers = new Object[leading + args.length - (lifetime >= 0 ? 1 : 0)];
            if (allocatorAt >= 0) {
                carriers[allocatorAt] = context;
            }
            MemorySegment state = null;
            if (captureAt >= 0) {
                state = context.allocate(CAPTURE);
                carriers[captureAt] = state;
            }
            for (int i = 0, k = leading; i < args.length; i++) {
                if (i != lifetime) {
                    carriers[k++] = parameters[i].toNative(args[i], context);
                }
            }
            Object value = spread.invokeExact(carriers);
            // Every copy back runs, whatever one of them or a callback threw; a callback's exception
            // comes first, as the cause of whatever went wrong after it.
            Throwable failure = context.takePending();
            for (int i = 0, k = leading; i < args.length; i++) {
                if (i != lifetime) {
                    try {
                        parameters[i].afterCall(args[i], carriers[k++]);
                    } catch (Throwable t) {
                        Throwable named = t instanceof IllegalStateException
                                ? new IllegalStateException(function + ", parameter " + i + ": " + t.getMessage(), t) : t;
                        if (failure == null) {
                            failure = named;
                        } else {
                            failure.addSuppressed(named);
                        }
                    }
                }
            }
            if (failure != null) {
                discard(value);
                throw failure;
            }
            if (errno && result.orElseThrow().failed(value)) {
                int code = (int) ERRNO.get(state, 0L);
                throw new ErrnoException(function, code, Strerror.of(code));
            }
            return result.isEmpty() ? null : result.get().toJava(value);
        }
    }

    /** Converts a result nobody will see, for its side effects only: a {@code @FreeWith} string is freed. */
    private void discard(Object value) {
        if (result.isPresent()) {
            try {
                result.get().toJava(value);
            } catch (Throwable ignored) {
                // The call already failed; that failure is what the caller sees.
            }
        }
    }

    /** The C library's text for an {@code errno} value. */
    static final class Strerror {
        private static final MethodHandle STRERROR = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("strerror").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

        private Strerror() {
        }

        static String of(int code) {
            try {
                MemorySegment s = (MemorySegment) STRERROR.invokeExact(code);
                return s.address() == 0 ? "error " + code : s.reinterpret(Long.MAX_VALUE).getString(0);
            } catch (Throwable t) {
                return "error " + code;
            }
        }
    }
}
