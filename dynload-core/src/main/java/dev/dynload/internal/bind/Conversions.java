package dev.dynload.internal.bind;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

import org.jspecify.annotations.Nullable;

/**
 * A mapping's generic conversions as method handles, for the mappings that have no handle of their own:
 * {@code (Object) -> Object}, to be adapted to the types at hand with {@code asType}.
 */
final class Conversions {

    private static final MethodHandle TO_JAVA = Handles.find(MethodHandles.lookup(), "toJava", Object.class,
            Mapping.class, Object.class);
    private static final MethodHandle TO_NATIVE = Handles.find(MethodHandles.lookup(), "toNative", Object.class,
            Mapping.class, Object.class);

    private Conversions() {
    }

    static MethodHandle toJava(Mapping mapping) {
        return MethodHandles.insertArguments(TO_JAVA, 0, mapping);
    }

    static MethodHandle toNative(Mapping mapping) {
        return MethodHandles.insertArguments(TO_NATIVE, 0, mapping);
    }

    private static @Nullable Object toJava(Mapping mapping, @Nullable Object carrier) throws Throwable {
        return mapping.toJava(carrier);
    }

    private static @Nullable Object toNative(Mapping mapping, @Nullable Object value) throws Throwable {
        return mapping.toNative(value, null);
    }
}
