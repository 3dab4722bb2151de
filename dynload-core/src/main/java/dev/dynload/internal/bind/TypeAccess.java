package dev.dynload.internal.bind;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * TypeAccess to the user's types: the interface to implement, its records and callback interfaces. A
 * lookup the caller gave is used as it is; otherwise dynload asks for private access, which a named
 * module grants with {@code opens its.package to dev.dynload}.
 */
final class TypeAccess {

    private final MethodHandles.@Nullable Lookup given;

    TypeAccess(MethodHandles.@Nullable Lookup given) {
        this.given = given;
    }

    MethodHandles.Lookup lookupFor(Class<?> type) throws IllegalAccessException {
        if (given != null && given.lookupClass().getPackageName().equals(type.getPackageName())) {
            return given;
        }
        Module ours = TypeAccess.class.getModule();
        ours.addReads(type.getModule());
        try {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup());
        } catch (IllegalAccessException e) {
            boolean open = java.lang.reflect.Modifier.isPublic(type.getModifiers());
            if (given != null && type.getModule() == given.lookupClass().getModule() && open) {
                return given;
            }
            if (open && type.getModule().isExported(type.getPackageName())) {
                // A public type anyone may use, such as Runnable: its public members are enough.
                return MethodHandles.publicLookup();
            }
            throw new IllegalAccessException("dynload cannot reach " + type.getName() + ": add 'opens "
                    + type.getPackageName() + " to dev.dynload;' to module " + type.getModule().getName()
                    + ", or pass MethodHandles.lookup() to bind");
        }
    }

    private static final Method[] OBJECT_METHODS = Object.class.getMethods();

    /** Whether {@code m} redeclares a public method of Object; compared, not looked up (a miss would throw). */
    static boolean isObjectMethod(Method m) {
        for (Method o : OBJECT_METHODS) {
            if (o.getName().equals(m.getName()) && java.util.Arrays.equals(o.getParameterTypes(), m.getParameterTypes())) {
                return true;
            }
        }
        return false;
    }
}
