package dev.dynload.internal.bind;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The implementation the annotation processor wrote for an interface at compile time, defined for one
 * bind. The processor writes {@code Iface$Dynload} beside {@code Iface}; {@code bind} reads its bytes as
 * a resource and defines them as a hidden class whose class data is this object, so each bind has its
 * own constants, and nothing is written at run time.
 *
 * <p>The written class names no dynload type. Its static initializer asks its class data, a
 * {@link BiFunction} of {@code java.base}, for each method's handle by name and type ({@link #apply});
 * each method calls {@code invokeExact} on its handle. The handle is the dynamic invoker of the method's
 * call site ({@link BoundClass#unlinked}), which links on the first call as a generated class's
 * {@code invokedynamic} does, so a library closed under it unlinks it the same way.
 *
 * <p>A class that does not fit the interface as it is now (compiled against an older version of it)
 * is not used: a method it asks for that the interface lacks, or one it lacks, sends {@code bind} back to
 * writing the class at run time.
 */
final class GeneratedClass implements BiFunction<Object, Object, Object> {

    private final BoundClass links;
    private final List<Method> methods;
    private final String description;
    /** Which methods the class asked for; a class that asked for all of them fits. */
    private final boolean[] asked;
    private boolean misfit;

    private GeneratedClass(BoundClass links, List<Method> methods, String description) {
        this.links = links;
        this.methods = methods;
        this.description = description;
        this.asked = new boolean[methods.size()];
    }

    /**
     * Defines the class written for {@code iface}, if there is one that fits, and makes one instance.
     *
     * @param host a lookup with package access in the interface's package
     * @param methods the methods to implement, in the order of {@code handles}
     * @param handles for each method, what makes a handle of exactly its type (without receiver)
     * @param description what {@code toString()} returns
     * @return the instance; empty when there is no written class, it does not fit, or it cannot be hidden
     */
    static Optional<Object> instantiate(MethodHandles.Lookup host, Class<?> iface, Bindings bindings, List<Method> methods,
                                        List<Supplier<MethodHandle>> handles, String description) throws Throwable {
        if (!iface.isAnnotationPresent(dev.dynload.bind.LibraryInterface.class) || !host.hasFullPrivilegeAccess()) {
            return Optional.empty(); // its constants would be shared by every bind: write a class instead
        }
        byte[] bytes = bytes(iface);
        if (bytes == null) {
            return Optional.empty();
        }
        BoundClass links = new BoundClass(bindings, handles);
        GeneratedClass data = new GeneratedClass(links, methods, description);
        MethodHandles.Lookup own = host.defineHiddenClassWithClassData(bytes, data, true);
        Object instance;
        try {
            instance = own.findConstructor(own.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (ExceptionInInitializerError | ReflectiveOperationException e) {
            return Optional.empty();
        }
        if (!data.fits() || !iface.isInstance(instance)) {
            return Optional.empty();
        }
        bindings.register(links);
        return Optional.of(instance);
    }

    /** {@return the bytes of the class written for {@code iface}, or null if none was} */
    private static byte @Nullable [] bytes(Class<?> iface) throws IOException {
        String name = iface.getName();
        String file = name.substring(name.lastIndexOf('.') + 1) + BindingRules.IMPLEMENTATION_SUFFIX + ".class";
        try (InputStream in = iface.getResourceAsStream(file)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    private synchronized boolean fits() {
        if (misfit) {
            return false;
        }
        for (boolean a : asked) {
            if (!a) {
                return false;
            }
        }
        return true;
    }

    /**
     * What the written class's static initializer asks: {@code ("toString", null)} for its description,
     * or {@code (name, type)} for a method's handle.
     */
    @Override
    public synchronized Object apply(Object name, @Nullable Object type) {
        if (type == null) {
            return description;
        }
        for (int i = 0; i < methods.size(); i++) {
            Method m = methods.get(i);
            if (m.getName().equals(name) && MethodType.methodType(m.getReturnType(), m.getParameterTypes()).equals(type)) {
                asked[i] = true;
                return links.unlinked(i, (MethodType) type).dynamicInvoker();
            }
        }
        // A method the interface no longer has: the class will not be used, so no handle will be called.
        misfit = true;
        return MethodHandles.empty((MethodType) type);
    }
}
