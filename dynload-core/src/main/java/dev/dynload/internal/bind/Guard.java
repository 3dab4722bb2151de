package dev.dynload.internal.bind;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Makes a bound method throw {@link IllegalStateException} once its library is closed. */
final class Guard {

    private static final MethodHandle CLOSED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLOSED = lookup.findStatic(Guard.class, "closed", MethodType.methodType(Object.class, Target.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Guard() {
    }

    static MethodHandle whileOpen(Target target, MethodHandle call) {
        MethodType type = call.type();
        MethodHandle fail = MethodHandles.dropArguments(
                CLOSED.bindTo(target).asType(MethodType.methodType(type.returnType())), 0, type.parameterList());
        return target.closing().guardWithTest(call, fail);
    }

    private static Object closed(Target target) {
        throw new IllegalStateException(target.name() + " is closed; its bound methods cannot be called any more");
    }
}
