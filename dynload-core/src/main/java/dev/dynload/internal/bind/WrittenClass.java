package dev.dynload.internal.bind;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The implementation the annotation processor wrote for an interface at compile time
 * ({@code Iface$Dynload}, beside it), serving a bind: then nothing is written at run time.
 *
 * <p>The written class names no dynload type. Each method calls {@code invokeExact} on the
 * {@code static final} handle of a holder class of its own, so that, as with the {@code invokedynamic}
 * of a class written at run time, a method's native call is made on its first call and not before (a
 * fresh JVM binding 50 functions pays for the one it calls). The holder asks the class's static
 * {@code links} field, a {@link BiFunction} of {@code java.base} that this class sets, for the handle
 * by the method's name and type ({@link #apply}): the dynamic invoker of the method's call site
 * ({@link BoundClass#unlinked}), which the library's closing unlinks like any other.
 *
 * <p>Its constants are the class's, so the written class serves one bind: the first of its interface
 * in its class loader, the one a fresh JVM's start-up pays for. A later bind of the interface (another
 * library, or the same after a close) gets a class written at run time, as without the processor; so
 * does a bind with a {@code FunctionTable}, and a bind of an interface whose written class does not fit
 * it any more (compiled against an older version of it).
 */
final class WrittenClass implements BiFunction<Object, Object, Object> {

    private final BoundClass links;
    private final List<Method> methods;

    private WrittenClass(BoundClass links, List<Method> methods) {
        this.links = links;
        this.methods = methods;
    }

    /**
     * Makes an instance of the class written for {@code iface}, serving this bind, if there is one, it
     * fits, and it serves no other bind.
     *
     * @param access how to reach the interface's package
     * @param methods the methods to implement, in the order of {@code handles}
     * @param handles for each method, what makes a handle of exactly its type (without receiver)
     * @param description what {@code toString()} returns
     * @return the instance; empty when bind must write a class
     */
    static Optional<Object> instantiate(TypeAccess access, Class<?> iface, Bindings bindings, List<Method> methods,
                                        List<Supplier<MethodHandle>> handles, String description) throws Throwable {
        if (!iface.isAnnotationPresent(dev.dynload.bind.LibraryInterface.class)) {
            return Optional.empty();
        }
        Class<?> written;
        try {
            written = Class.forName(iface.getName() + BindingRules.IMPLEMENTATION_SUFFIX, false, iface.getClassLoader());
        } catch (ClassNotFoundException notWritten) {
            return Optional.empty(); // compiled without the processor
        }
        if (!iface.isAssignableFrom(written) || !fits(written, methods)) {
            return Optional.empty();
        }
        MethodHandles.Lookup lookup;
        try {
            lookup = access.lookupFor(written);
        } catch (IllegalAccessException e) {
            return Optional.empty();
        }
        VarHandle field = lookup.findStaticVarHandle(written, "links", BiFunction.class);
        BoundClass links = new BoundClass(bindings, handles, written.getName());
        if (!field.compareAndSet((BiFunction<?, ?, ?>) null, (BiFunction<?, ?, ?>) new WrittenClass(links, methods))) {
            return Optional.empty(); // it serves an earlier bind
        }
        bindings.register(links);
        return Optional.of(lookup.findConstructor(written, MethodType.methodType(void.class, String.class))
                .invoke(description));
    }

    /** {@return whether the written class has each method, as the interface is now} */
    private static boolean fits(Class<?> written, List<Method> methods) {
        for (Method m : methods) {
            try {
                if (written.getDeclaredMethod(m.getName(), m.getParameterTypes()).getReturnType() != m.getReturnType()) {
                    return false;
                }
            } catch (NoSuchMethodException stale) {
                return false;
            }
        }
        return true;
    }

    /** What a method's holder asks on the method's first call: {@code (name, type)} for its handle. */
    @Override
    public Object apply(Object name, @Nullable Object type) {
        for (int i = 0; i < methods.size(); i++) {
            Method m = methods.get(i);
            if (m.getName().equals(name) && MethodType.methodType(m.getReturnType(), m.getParameterTypes()).equals(type)) {
                return links.unlinked(i, (MethodType) type).dynamicInvoker();
            }
        }
        // Not a method of the interface (the class was checked to fit it, so this is not reached).
        throw new IllegalStateException(name + type.toString() + " is not a method of the interface");
    }
}
