package dev.dynload.internal.bind;

import java.lang.constant.ConstantDescs;
import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.List;
import java.util.function.Supplier;

/**
 * Links each method of a generated implementation to its native call, the first time it is called,
 * and unlinks them all when the library closes.
 *
 * <p>Making a downcall handle for a new signature costs milliseconds in a fresh JVM; binding 50
 * functions eagerly would pay all of them before the first call. So every method of a generated class
 * is an {@code invokedynamic} whose bootstrap, here, builds that one method's handle on first use. The
 * call site is a {@link MutableCallSite} pointing straight at the native call: the JIT treats its target
 * as a constant, as it does a {@code static final} handle, and nothing is checked per call. When the
 * library closes, {@link #unlink} points every site at a method that throws, and the JIT drops the code
 * that inlined the old target. (A guard per call site, such as a {@code SwitchPoint}, costs the same per
 * call but takes several more method handle classes to build on each first call.) The class is defined
 * in the user's package (where dynload has package access): as a hidden class, unloaded when nothing
 * uses it, whose class data (which only that class can read) is its binding, when dynload holds a
 * full-privilege lookup there; else as a normal class, which keeps its binding in a static field.
 */
public final class Handoff {

    /**
     * One generated class: its library and, for each method, what makes its handle. It is the hidden
     * class's class data, so it lives exactly as long as the class: no registry keeps a bound class, or
     * its library, alive.
     */
    record Binding(Target target, List<Supplier<MethodHandle>> handles) {
        Binding {
            handles = List.copyOf(handles);
        }
    }

    /**
     * Where a generated class that could not be hidden keeps its binding: a static field of its own, so
     * that no registry in dynload holds the class, its loader or its library.
     */
    static final String FIELD = "binding$";

    private Handoff() {
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
        Binding binding = null;
        if (caller.hasFullPrivilegeAccess()) {
            try {
                Object data = caller.lookupClass().isHidden()
                        ? MethodHandles.classData(caller, ConstantDescs.DEFAULT_NAME, Object.class)
                        : caller.findStaticVarHandle(caller.lookupClass(), FIELD, Object.class).get();
                binding = data instanceof Binding b ? b : null;
            } catch (ReflectiveOperationException e) {
                // not a class dynload generated
            }
        }
        if (binding == null) {
            throw new IllegalStateException(caller.lookupClass().getName() + " is not a dynload binding");
        }
        MutableCallSite site;
        try {
            site = new MutableCallSite(binding.handles().get(index).get().asType(type));
        } catch (RuntimeException e) {
            // A library closed before this method's first call: the call throws what linking threw
            // (IllegalStateException), not a BootstrapMethodError, now and on every later call.
            return new MutableCallSite(MethodHandles.dropArguments(
                    MethodHandles.throwException(type.returnType(), e.getClass()).bindTo(e), 0, type.parameterList()));
        }
        if (!binding.target().track(site)) {
            // Closed while this handle was being made.
            site.setTarget(closed(type, binding.target().name()));
        }
        return site;
    }

    /**
     * Points every linked method of a closed library at a method that throws
     * {@link IllegalStateException}.
     *
     * @param sites the call sites the library tracked
     * @param library the library's name, for the message
     */
    public static void unlink(List<MutableCallSite> sites, String library) {
        if (sites.isEmpty()) {
            return;
        }
        for (MutableCallSite site : sites) {
            site.setTarget(closed(site.type(), library));
        }
        MutableCallSite.syncAll(sites.toArray(new MutableCallSite[0]));
    }

    /** Made when a library with bindings first closes, not on every first call. */
    private static final class Closed {
        static final MethodHandle THROW;

        static {
            try {
                THROW = MethodHandles.lookup().findStatic(Handoff.class, "throwClosed",
                        MethodType.methodType(Object.class, String.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static MethodHandle closed(MethodType type, String library) {
        MethodHandle thrower = MethodHandles.insertArguments(Closed.THROW, 0, library)
                .asType(MethodType.methodType(type.returnType()));
        return MethodHandles.dropArguments(thrower, 0, type.parameterList());
    }

    private static Object throwClosed(String library) {
        throw new IllegalStateException(library + " is closed; its bound methods cannot be called any more");
    }
}
