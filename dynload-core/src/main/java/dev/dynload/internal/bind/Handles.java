package dev.dynload.internal.bind;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Finds the static methods that the binding's method handles are built from. */
final class Handles {

    private Handles() {
    }

    /**
     * A static method of the lookup's class, which must exist: a miss is a bug in dynload.
     *
     * @param lookup the class's own lookup (its private methods are nestmates' at most)
     */
    static MethodHandle find(MethodHandles.Lookup lookup, String name, Class<?> result, Class<?>... parameters) {
        try {
            return lookup.findStatic(lookup.lookupClass(), name, MethodType.methodType(result, parameters));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
