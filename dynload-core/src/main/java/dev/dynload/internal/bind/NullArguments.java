package dev.dynload.internal.bind;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * Names the parameter when a bound method is given {@code null} where C cannot take it. Checking each
 * argument before each call would cost the fast path; instead the call's handle catches the
 * {@link NullPointerException} the linker or a conversion throws (an exception handler costs nothing
 * until it runs) and then looks for the null argument.
 */
final class NullArguments {

    private static final MethodHandle NAMED = Handles.find(MethodHandles.lookup(), "named", Object.class,
            Method.class, boolean[].class, NullPointerException.class, Object[].class);

    private NullArguments() {
    }

    /**
     * @param call the method's handle, of its Java type
     * @param method the bound method
     * @param parameters its mappings (null for the {@code Arena} that is no C parameter)
     * @return {@code call}, or {@code call} with the handler when a parameter refuses null
     */
    static MethodHandle named(MethodHandle call, Method method, @Nullable Mapping[] parameters) {
        boolean[] refuses = new boolean[parameters.length];
        boolean any = false;
        for (int i = 0; i < parameters.length; i++) {
            refuses[i] = parameters[i] != null && !parameters[i].nullable()
                    && !method.getParameterTypes()[i].isPrimitive();
            any |= refuses[i];
        }
        if (!any) {
            return call;
        }
        MethodType type = call.type();
        MethodHandle handler = MethodHandles.insertArguments(NAMED, 0, method, refuses)
                .asCollector(Object[].class, type.parameterCount())
                .asType(type.insertParameterTypes(0, NullPointerException.class));
        return MethodHandles.catchException(call, NullPointerException.class, handler);
    }

    private static Object named(Method method, boolean[] refuses, NullPointerException e, Object[] args) {
        for (int i = 0; i < args.length; i++) {
            if (refuses[i] && args[i] == null) {
                Class<?> type = method.getParameterTypes()[i];
                String instead = type == MemorySegment.class ? "pass MemorySegment.NULL for a C NULL pointer"
                        : type.isRecord() ? "a struct passed by value cannot be NULL: pass a record, or mark the "
                                + "parameter @ByReference to pass a pointer that may be NULL"
                        : type.isEnum() ? "a C enum is a number and cannot be null: pass a constant"
                        : "pass a value";
                NullPointerException named = new NullPointerException("parameter " + i + " (" + type.getSimpleName()
                        + ") of " + method.getDeclaringClass().getSimpleName() + "." + method.getName()
                        + " is null; " + instead);
                named.initCause(e);
                throw named;
            }
        }
        throw e;
    }
}
