package dev.dynload.internal.bind;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
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
 * {@code links} field, a {@link BiFunction} of {@code java.base} that the class's constructor sets from
 * what this class passes, for the handle
 * by the method's name and type ({@link #apply}): the dynamic invoker of the method's call site
 * ({@link BoundClass#unlinked}), which the library's closing unlinks like any other.
 *
 * <p>Its constants are the class's, so the written class serves one bind: the first of its interface
 * in its class loader, the one a fresh JVM's start-up pays for. A later bind of the interface (another
 * library, or the same after a close) gets a class written at run time, as without the processor; so
 * does a bind with a {@code FunctionTable}, and a bind of an interface whose written class does not fit
 * it any more (compiled against an older version of it: the constructor compares the methods it
 * implements with those bind passes, {@link BindingRules#implementedKey}, and refuses).
 */
final class WrittenClass implements BiFunction<Object, Object, Object> {

    /**
     * The interfaces whose first bind has looked for a written class (found or not); an interface
     * unloaded with its loader leaves. Later binds go straight to writing a class: no second lookup of a
     * class that is not there (binding per request would pay a failed class lookup on every bind).
     */
    private static final Map<Class<?>, Boolean> TRIED = new WeakHashMap<>();

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
        synchronized (TRIED) {
            if (TRIED.putIfAbsent(iface, Boolean.TRUE) != null) {
                return Optional.empty(); // an earlier bind has it, or found none that fits
            }
        }
        // Looked for by name, not through the interface's annotation: reading annotations costs a fresh
        // JVM a proxy class and its generator, ten times what a missing class costs.
        Class<?> written;
        try {
            written = Class.forName(iface.getName() + BindingRules.IMPLEMENTATION_SUFFIX, false, iface.getClassLoader());
        } catch (ClassNotFoundException | LinkageError notWritten) {
            return Optional.empty(); // compiled without the processor
        }
        MethodHandles.Lookup lookup;
        try {
            lookup = access.lookupFor(written);
        } catch (IllegalAccessException | LinkageError e) {
            return Optional.empty();
        }
        if (!iface.isAssignableFrom(written)) {
            return Optional.empty();
        }
        List<String> implemented = new ArrayList<>();
        for (Method m : methods) {
            implemented.add(m.getName() + MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                    .toMethodDescriptorString());
        }
        BoundClass links = new BoundClass(bindings, handles, written.getName());
        Object instance;
        try {
            // The constructor sets the class's links, once it has checked that it implements these methods.
            instance = lookup.findConstructor(written, MethodType.methodType(void.class, String.class, BiFunction.class,
                    String.class)).invoke(description, new WrittenClass(links, methods),
                    BindingRules.implementedKey(implemented));
        } catch (IllegalStateException refused) {
            // Written for another version of the interface, or serving a bind of another copy of dynload:
            // write a class now.
            return Optional.empty();
        } catch (ReflectiveOperationException | LinkageError unusable) {
            return Optional.empty(); // written by another version of the processor: write a class now
        }
        bindings.register(links);
        return Optional.of(instance);
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
