package dev.dynload.internal.bind;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands each generated implementation its method handles when it initialises. The class is defined in
 * the user's package (where dynload has package access, not the full privilege a hidden class with
 * class data needs), so its static initialiser asks for its handles here, proving who it is with its
 * own full-privilege lookup.
 */
public final class Handoff {

    private static final Map<Class<?>, List<MethodHandle>> PENDING = new ConcurrentHashMap<>();

    private Handoff() {
    }

    static void register(Class<?> generated, List<MethodHandle> handles) {
        PENDING.put(generated, List.copyOf(handles));
    }

    /**
     * Gives a generated class its handles, once.
     *
     * @param self the generated class's own {@code MethodHandles.lookup()}
     * @return its method handles, in method order
     * @throws IllegalStateException if the caller is not a generated class waiting for its handles
     */
    public static MethodHandle[] take(MethodHandles.Lookup self) {
        if (!self.hasFullPrivilegeAccess()) {
            throw new IllegalStateException("only a generated binding may take its handles");
        }
        List<MethodHandle> handles = PENDING.remove(self.lookupClass());
        if (handles == null) {
            throw new IllegalStateException(self.lookupClass().getName() + " is not a binding waiting for its handles");
        }
        return handles.toArray(MethodHandle[]::new);
    }
}
