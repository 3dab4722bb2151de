package dev.dynload.internal.bind;

import dev.dynload.BindingException;
import dev.dynload.Library;
import dev.dynload.SymbolNotFoundException;
import dev.dynload.bind.Critical;
import dev.dynload.bind.Errno;
import dev.dynload.bind.FreeWith;
import dev.dynload.bind.Heap;
import dev.dynload.bind.Symbol;
import dev.dynload.bind.Variadic;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Binds an interface to a library: checks every method, reports every problem at once, then generates
 * the implementation.
 */
public final class Binder {

    private static final Set<Class<?>> VARIADIC_PROMOTED = Set.of(byte.class, short.class, char.class,
            boolean.class, float.class);

    private final Library library;
    private final Target target;
    private final Class<?> iface;
    private final Access access;
    private final Mapper mapper;
    private final List<String> problems = new ArrayList<>();
    /** For each symbol, the methods bound to it, by C signature. */
    private final Map<String, Map<FunctionDescriptor, List<Method>>> shapes = new java.util.TreeMap<>();

    private Binder(Library library, Target target, Class<?> iface, MethodHandles.Lookup lookup) {
        this.library = library;
        this.target = target;
        this.iface = iface;
        this.access = new Access(lookup);
        this.mapper = new Mapper(access);
    }

    /**
     * Binds {@code iface} to {@code library}.
     *
     * @param target the library's addresses and liveness
     * @param lookup the caller's lookup, or null to ask for private access to the interface's package
     * @throws BindingException listing every method that cannot be bound, and why
     */
    public static <T> T bind(Library library, Target target, Class<T> iface, MethodHandles.Lookup lookup) {
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface.getName() + " is not an interface; bind takes an interface "
                    + "whose methods mirror the C functions");
        }
        return iface.cast(new Binder(library, target, iface, lookup).bind());
    }

    private Object bind() {
        List<Method> methods = Mapper.abstractMethods(iface).stream()
                .sorted(Comparator.comparing(Method::getName).thenComparing(Method::toGenericString))
                .toList();
        List<Supplier<MethodHandle>> handles = new ArrayList<>();
        for (Method m : methods) {
            handles.add(plan(m));
        }
        checkAmbiguous();
        MethodHandles.Lookup host = null;
        try {
            host = access.lookupFor(iface);
        } catch (IllegalAccessException e) {
            problems.add(e.getMessage());
        }
        String where = library.path().map(Object::toString).orElse(library.name());
        if (!problems.isEmpty()) {
            throw new BindingException(iface, where, problems);
        }
        target.keepMapped();
        try {
            return ClassGenerator.instantiate(host, iface, methods, handles,
                    iface.getSimpleName() + " bound to " + where);
        } catch (Throwable t) {
            throw new IllegalStateException("generating the implementation of " + iface.getName() + " failed", t);
        }
    }

    private static String symbolOf(Method m) {
        Symbol s = m.getAnnotation(Symbol.class);
        return s != null ? s.value() : m.getName();
    }

    private static String describe(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * Several methods may view one function differently (critical or not, a record or a raw pointer),
     * but not with different C signatures, unless the function is variadic.
     */
    private void checkAmbiguous() {
        shapes.forEach((symbol, byShape) -> {
            List<Method> sharing = byShape.values().stream().flatMap(List::stream).toList();
            if (byShape.size() > 1 && !sharing.stream().allMatch(m -> m.isAnnotationPresent(Variadic.class))) {
                problems.add(sharing.stream().map(Binder::describe).collect(Collectors.joining(" and "))
                        + " bind to symbol \"" + symbol + "\" with different C signatures; give them distinct "
                        + "@Symbol names, or mark them @Variadic if they call one variadic function");
            }
        });
    }

    /**
     * Checks one method now and returns what makes its handle on first call; null after recording its
     * problems. Making a downcall handle for a new signature is the slow part of binding, so it waits.
     */
    private Supplier<MethodHandle> plan(Method m) {
        List<String> mine = new ArrayList<>();
        String symbol = symbolOf(m);
        MethodHandle free = null;
        FreeWith freeWith = m.getAnnotation(FreeWith.class);
        if (freeWith != null) {
            if (m.getReturnType() != String.class) {
                mine.add("@FreeWith applies to a String result");
            } else {
                free = freeFunction(freeWith.value(), mine);
            }
        }
        Mapping result = null;
        try {
            result = mapper.map(m.getReturnType(), m, Mapper.Role.RESULT, free);
        } catch (IllegalArgumentException e) {
            mine.add("the result: " + e.getMessage());
        }
        Class<?>[] types = m.getParameterTypes();
        Mapping[] parameters = new Mapping[types.length];
        int lifetime = -1;
        for (int i = 0; i < types.length; i++) {
            if (types[i] == Arena.class) {
                if (lifetime >= 0) {
                    mine.add("parameters " + lifetime + " and " + i + " are both the Arena for callbacks; give one");
                }
                lifetime = i;
                continue;
            }
            try {
                parameters[i] = mapper.map(types[i], m.getParameters()[i], Mapper.Role.PARAMETER, null);
            } catch (IllegalArgumentException e) {
                mine.add("parameter " + i + " (" + types[i].getSimpleName() + "): " + e.getMessage());
            }
        }
        List<Linker.Option> options = options(m, parameters, lifetime, mine);
        boolean errno = m.isAnnotationPresent(Errno.class);
        if (errno && !(result instanceof Mapping.Direct || result instanceof Mapping.Text || result instanceof Mapping.Narrowed)) {
            mine.add("@Errno needs a result that can signal failure: an int or long (-1), a pointer or String "
                    + "(NULL), or a boolean (false)");
        }
        if (mine.isEmpty()) {
            try {
                library.findOrThrow(symbol);
            } catch (SymbolNotFoundException e) {
                mine.add(e.getMessage());
            }
        }
        if (!mine.isEmpty()) {
            mine.forEach(p -> problems.add(describe(m) + ": " + p));
            return null;
        }
        List<MemoryLayout> layouts = new ArrayList<>();
        for (Mapping p : parameters) {
            if (p != null) {
                layouts.add(p.layout());
            }
        }
        MemoryLayout[] args = layouts.toArray(MemoryLayout[]::new);
        FunctionDescriptor descriptor = result == null ? FunctionDescriptor.ofVoid(args)
                : FunctionDescriptor.of(result.layout(), args);
        shapes.computeIfAbsent(symbol, k -> new java.util.LinkedHashMap<>())
                .computeIfAbsent(descriptor, k -> new ArrayList<>()).add(m);
        MethodType javaType = MethodType.methodType(m.getReturnType(), types);
        Linker.Option[] linkerOptions = options.toArray(Linker.Option[]::new);
        Mapping resultMapping = result;
        int lifetimeIndex = lifetime;
        return () -> {
            // A closed library makes find, and so this first call, throw IllegalStateException.
            MemorySegment address = target.address(symbol).orElseThrow();
            MethodHandle downcall = Linker.nativeLinker().downcallHandle(address, descriptor, linkerOptions);
            MethodHandle fast = lifetimeIndex < 0 && !errno
                    ? FastPath.tryBuild(downcall, parameters, resultMapping, javaType) : null;
            MethodHandle call = fast != null ? fast
                    : new CallPlan(symbol, downcall, parameters, lifetimeIndex, resultMapping, errno).handle(javaType);
            return Guard.whileOpen(target, call);
        };
    }

    private List<Linker.Option> options(Method m, Mapping[] parameters, int lifetime, List<String> mine) {
        List<Linker.Option> options = new ArrayList<>();
        Critical critical = m.getAnnotation(Critical.class);
        boolean heap = Arrays.stream(m.getParameters()).anyMatch(p -> p.isAnnotationPresent(Heap.class));
        if (critical != null || heap) {
            options.add(Linker.Option.critical(heap || critical.allowHeap()));
            if (Arrays.stream(parameters).anyMatch(p -> p instanceof Callback)) {
                mine.add("a critical function (@Critical or @Heap) cannot call back into Java");
            }
        }
        Variadic variadic = m.getAnnotation(Variadic.class);
        if (variadic != null) {
            int count = parameters.length - (lifetime >= 0 ? 1 : 0);
            if (variadic.fixed() < 0 || variadic.fixed() > count) {
                mine.add("@Variadic(fixed = " + variadic.fixed() + ") but the method has " + count + " C parameters");
            } else {
                options.add(Linker.Option.firstVariadicArg(variadic.fixed()));
                Class<?>[] types = m.getParameterTypes();
                for (int i = variadic.fixed(); i < types.length; i++) {
                    if (VARIADIC_PROMOTED.contains(types[i])) {
                        mine.add("parameter " + i + " is a variadic " + types[i].getName()
                                + ", which C promotes; declare it as " + (types[i] == float.class ? "double" : "int"));
                    }
                }
            }
        }
        if (m.isAnnotationPresent(Errno.class)) {
            options.add(Linker.Option.captureCallState("errno"));
        }
        return options;
    }

    private MethodHandle freeFunction(String name, List<String> mine) {
        FunctionDescriptor free = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS);
        Optional<MemorySegment> own = target.address(name);
        if (own.isPresent()) {
            return Linker.nativeLinker().downcallHandle(own.get(), free);
        }
        try (Library process = Library.process()) {
            Optional<MemorySegment> address = process.find(name);
            if (address.isPresent()) {
                // The process's own functions (libc's free) live as long as the process does.
                return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(address.get().address()), free);
            }
        }
        mine.add("@FreeWith(\"" + name + "\"): neither the library nor the process exports " + name);
        return null;
    }
}
