package dev.dynload.internal.bind;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/** What makes one method's handle on its first call. */
record PlannedCall(Function<String, Optional<MemorySegment>> addresses, String symbol, FunctionDescriptor descriptor, Linker.Option[] options,
                   @Nullable Mapping[] parameters, int lifetime, Optional<Mapping> result, boolean errno, Method method)
        implements Supplier<MethodHandle> {

    @Override
    public MethodHandle get() {
        // A closed library makes find, and so this first call, throw IllegalStateException.
        MemorySegment address = addresses.apply(symbol).orElseThrow();
        MethodHandle downcall = Linker.nativeLinker().downcallHandle(address, descriptor, options);
        MethodType javaType = MethodType.methodType(method.getReturnType(), method.getParameterTypes());
        int countAt = result.isPresent() ? result.get().countAt() : -1;
        // A result sized by an argument: the call returns the pointer, then the argument sizes it.
        Optional<Mapping> callResult = countAt < 0 ? result : Optional.of(new Pointers.Address(-1));
        MethodType callType = countAt < 0 ? javaType : javaType.changeReturnType(MemorySegment.class);
        Optional<MethodHandle> call = Optional.empty();
        if (lifetime < 0 && !errno) {
            // Nothing to convert: the downcall is the method, and FastPath is not even loaded.
            call = allDirect(callResult) ? Optional.of(downcall.asType(callType))
                    : FastPath.tryBuild(downcall, parameters, callResult, callType);
        }
        MethodHandle h = call.isPresent() ? call.get()
                : new CallPlan(symbol, downcall, parameters, lifetime, callResult, errno).handle(callType);
        if (countAt >= 0) {
            h = counted(h, result.get().withCount(), countAt, javaType);
        }
        return NullArguments.named(h, method, parameters);
    }

    /** (args...) -> pointer becomes (args...) -> Java, the pointer sized by argument {@code countAt}. */
    private static MethodHandle counted(MethodHandle call, MethodHandle withCount, int countAt, MethodType javaType) {
        MethodHandle sizing = withCount.asType(MethodType.methodType(javaType.returnType(), MemorySegment.class,
                javaType.parameterType(countAt)));
        MethodHandle both = MethodHandles.collectArguments(sizing, 0, call); // (args..., count) -> Java
        int n = javaType.parameterCount();
        int[] reorder = new int[n + 1];
        for (int i = 0; i < n; i++) {
            reorder[i] = i;
        }
        reorder[n] = countAt;
        return MethodHandles.permuteArguments(both, javaType, reorder);
    }

    private boolean allDirect(Optional<Mapping> result) {
        if (result.isPresent() && !result.get().direct()) {
            return false;
        }
        for (Mapping p : parameters) {
            if (p == null || !p.direct()) {
                return false;
            }
        }
        return true;
    }
}
