package dev.dynload.internal.bind;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Links each method of a generated implementation to its native call, the first time it is called.
 *
 * <p>Making a downcall handle for a new signature costs milliseconds in a fresh JVM; binding 50
 * functions eagerly would pay all of them before the first call. So every method of a generated class
 * is an {@code invokedynamic} whose bootstrap, here, builds that one method's handle on first use and
 * links it for good with a {@link ConstantCallSite}: after that, the call is as direct as a
 * {@code static final} handle. The class is defined in the user's package (where dynload has package
 * access), so the bootstrap checks that the caller is a class it generated.
 */
public final class Handoff {

    private static final Map<Class<?>, List<Supplier<MethodHandle>>> BINDINGS = new ConcurrentHashMap<>();

    private Handoff() {
    }

    static void register(Class<?> generated, List<Supplier<MethodHandle>> handles) {
        BINDINGS.put(generated, List.copyOf(handles));
    }

    /**
     * The bootstrap of every method of a generated binding.
     *
     * @param caller the generated class's lookup
     * @param name the method's name
     * @param type the method's type
     * @param index the method's position in the binding
     * @return a call site linked to the method's native call
     * @throws IllegalStateException if the caller is not a generated binding
     */
    public static CallSite link(MethodHandles.Lookup caller, String name, MethodType type, int index) {
        List<Supplier<MethodHandle>> handles = BINDINGS.get(caller.lookupClass());
        if (handles == null || !caller.hasFullPrivilegeAccess()) {
            throw new IllegalStateException(caller.lookupClass().getName() + " is not a dynload binding");
        }
        MethodHandle target;
        try {
            target = handles.get(index).get().asType(type);
        } catch (RuntimeException e) {
            // A library closed before this method's first call: the call throws what linking threw
            // (IllegalStateException), not a BootstrapMethodError, now and on every later call.
            target = MethodHandles.dropArguments(MethodHandles.throwException(type.returnType(), e.getClass())
                    .bindTo(e), 0, type.parameterList());
        }
        return new ConstantCallSite(target);
    }
}
