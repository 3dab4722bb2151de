package dev.dynload.internal.bind;

import dev.dynload.bind.Critical;
import dev.dynload.bind.Errno;
import dev.dynload.bind.FreeWith;
import dev.dynload.bind.FunctionTable;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Binds an interface to a library: checks every method, reports every problem at once, then generates
 * the implementation.
 */
final class Binder {

    private static final Set<Class<?>> VARIADIC_PROMOTED = Set.of(byte.class, short.class, char.class,
            boolean.class, float.class);

    private final BoundLibrary library;
    private final Bindings target;
    private final Class<?> iface;
    private final TypeAccess access;
    private final TypeTable types;
    private final List<String> problems = new ArrayList<>();
    /** For each symbol, the methods bound to it, by C signature. */
    private final Map<String, Map<FunctionDescriptor, List<Method>>> shapes = new java.util.TreeMap<>();
    /** Where the functions are: the library's exports, or a table (see FunctionTable). */
    private final Optional<FunctionTable> table;

    private Binder(Bindings target, Class<?> iface, MethodHandles.@Nullable Lookup lookup, Optional<FunctionTable> table) {
        this.table = table;
        this.library = target.library();
        this.target = target;
        this.iface = iface;
        this.access = new TypeAccess(lookup);
        this.types = new TypeTable(access);
    }

    /**
     * Binds {@code iface} to {@code library}.
     *
     * @param target the library's bindings: its addresses, and the links of what it binds
     * @param lookup the caller's lookup, or null to ask for private access to the interface's package
     * @throws RuntimeException the facade's {@code BindingException}, listing every method that cannot be
     *                          bound, and why
     */
    static <T> T bind(Bindings target, Class<T> iface, MethodHandles.@Nullable Lookup lookup, Optional<FunctionTable> table) {
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface.getName() + " is not an interface; bind takes an interface "
                    + "whose methods mirror the C functions");
        }
        if (iface.isSealed()) {
            throw new IllegalArgumentException(iface.getName() + " is sealed, so dynload cannot implement it; bind an "
                    + "interface that is not sealed (a sealed one may extend it)");
        }
        return iface.cast(new Binder(target, iface, lookup, table).bind());
    }

    private Object bind() {
        List<Method> methods = new ArrayList<>(TypeTable.abstractMethods(iface));
        if (table.isPresent()) {
            // A default method the table has calls the table's function; one it lacks stays Java.
            for (Method m : iface.getMethods()) {
                if (m.isDefault() && table.get().find(symbolOf(m)).isPresent()) {
                    methods.add(m);
                }
            }
        }
        methods.sort(METHOD_ORDER);
        List<Supplier<MethodHandle>> handles = new ArrayList<>();
        for (Method m : methods) {
            Optional<? extends Supplier<MethodHandle>> planned = plan(m);
            if (planned.isPresent()) {
                handles.add(planned.get());
            }
        }
        checkAmbiguous();
        MethodHandles.Lookup host = null;
        try {
            host = access.lookupFor(iface);
        } catch (IllegalAccessException e) {
            problems.add(e.getMessage());
        }
        String where = library.where();
        if (!problems.isEmpty()) {
            throw library.bindingFailed(iface, where, problems);
        }
        try {
            return ClassGenerator.instantiate(host, iface, target, methods, handles,
                    iface.getSimpleName() + " bound to " + where);
        } catch (Throwable t) {
            throw new IllegalStateException("generating the implementation of " + iface.getName() + " failed", t);
        }
    }

    /*
     * Binding runs once per interface, mostly in a fresh JVM, where each lambda or stream costs a class
     * spun at run time: the code below is written with plain loops and named classes instead.
     */

    /** Methods in a stable order, so that generated classes and error lists do not depend on reflection's. */
    private static final Comparator<Method> METHOD_ORDER = new Comparator<>() {
        @Override
        public int compare(Method a, Method b) {
            int byName = a.getName().compareTo(b.getName());
            return byName != 0 ? byName : a.toGenericString().compareTo(b.toGenericString());
        }
    };

    private static String symbolOf(Method m) {
        Symbol s = annotated(m) ? m.getAnnotation(Symbol.class) : null;
        return s != null ? s.value() : m.getName();
    }

    private static boolean annotated(java.lang.reflect.AnnotatedElement e) {
        return e.getDeclaredAnnotations().length > 0;
    }

    private static String describe(Method m) {
        StringJoiner types = new StringJoiner(", ", "(", ")");
        for (Class<?> type : m.getParameterTypes()) {
            types.add(type.getSimpleName());
        }
        return m.getName() + types;
    }

    /**
     * Several methods may view one function differently (critical or not, a record or a raw pointer),
     * but not with different C signatures, unless the function is variadic.
     */
    private void checkAmbiguous() {
        for (Map.Entry<String, Map<FunctionDescriptor, List<Method>>> entry : shapes.entrySet()) {
            Map<FunctionDescriptor, List<Method>> byShape = entry.getValue();
            if (byShape.size() < 2) {
                continue;
            }
            StringJoiner sharing = new StringJoiner(" and ");
            boolean allVariadic = true;
            for (List<Method> group : byShape.values()) {
                for (Method m : group) {
                    sharing.add(describe(m));
                    allVariadic &= m.isAnnotationPresent(Variadic.class);
                }
            }
            if (!allVariadic) {
                problems.add(sharing + " bind to symbol \"" + entry.getKey() + "\" with different C signatures; "
                        + "give them distinct @Symbol names, or mark them @Variadic if they call one variadic function");
            }
        }
    }

    /**
     * A method's C side: the mapping of its result (empty for void) and of each parameter (null at the
     * {@code Arena} that is no C parameter, or where mapping failed), and that Arena's index, or -1.
     */
    private record Signature(Optional<Mapping> result, @Nullable Mapping[] parameters, int lifetime) {

        FunctionDescriptor descriptor() {
            List<MemoryLayout> layouts = new ArrayList<>();
            for (Mapping p : parameters) {
                if (p != null) {
                    layouts.add(p.layout());
                }
            }
            MemoryLayout[] args = layouts.toArray(new MemoryLayout[0]);
            return result.isEmpty() ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(result.get().layout(), args);
        }
    }

    /**
     * Checks one method now and returns what makes its handle on first call; empty after recording its
     * problems. Making a downcall handle for a new signature is the slow part of binding, so it waits.
     */
    private Optional<? extends Supplier<MethodHandle>> plan(Method m) {
        List<String> mine = new ArrayList<>();
        Signature signature = signature(m, mine);
        List<Linker.Option> options = options(m, signature.parameters(), signature.lifetime(), mine);
        // Annotation classes are loaded only for annotated methods (see TypeTable.map).
        boolean errno = annotated(m) && m.isAnnotationPresent(Errno.class);
        if (errno && !(signature.result().isPresent() && signature.result().get().signalsFailure())) {
            mine.add("@Errno needs a result that can signal failure: a plain int or long (-1), a pointer (NULL or "
                    + "(void*)-1) or String (NULL), or a boolean (false)");
        }
        String symbol = symbolOf(m);
        if (mine.isEmpty() && table.isPresent() && table.get().find(symbol).isEmpty()) {
            // Not in the table (an older version of it): the method throws why when called.
            return Optional.of(new Absent(table.get().absent(m),
                    MethodType.methodType(m.getReturnType(), m.getParameterTypes())));
        }
        if (mine.isEmpty() && table.isEmpty()) {
            if (library.address(symbol).isEmpty()) {
                mine.add(library.missing(symbol));
            }
        }
        if (!mine.isEmpty()) {
            for (String problem : mine) {
                problems.add(describe(m) + ": " + problem);
            }
            return Optional.empty();
        }
        FunctionDescriptor descriptor = signature.descriptor();
        noteShape(symbol, descriptor, m);
        Function<String, Optional<MemorySegment>> addresses = table.isPresent() ? table.get()::find : target::address;
        return Optional.of(new PlannedCall(addresses, symbol, descriptor, options.toArray(new Linker.Option[0]),
                signature.parameters(), signature.lifetime(), signature.result(), errno, m));
    }

    /** Maps a method's result and parameters through the type table, noting each problem in {@code mine}. */
    private Signature signature(Method m, List<String> mine) {
        MethodHandle free = null;
        FreeWith freeWith = annotated(m) ? m.getAnnotation(FreeWith.class) : null;
        if (freeWith != null) {
            if (m.getReturnType() != String.class) {
                mine.add("@FreeWith applies to a String result");
            } else {
                free = freeFunction(freeWith.value(), mine).orElse(null);
            }
        }
        if (m.isVarArgs()) {
            mine.add("a Java varargs method (" + m.getParameterTypes()[m.getParameterCount() - 1].getSimpleName()
                    + "...) would pass C an array pointer, not C variadic arguments; declare one parameter per "
                    + "argument and mark the method @Variadic(fixed = n), or take the array without '...'");
        }
        Optional<Mapping> result = Optional.empty();
        try {
            result = types.map(m.getGenericReturnType(), m, TypeTable.Role.RESULT, free);
        } catch (IllegalArgumentException e) {
            mine.add("the result: " + e.getMessage());
        }
        Class<?>[] classes = m.getParameterTypes();
        java.lang.reflect.Type[] generic = m.getGenericParameterTypes();
        Mapping[] parameters = new Mapping[classes.length];
        int lifetime = -1;
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] == Arena.class) {
                if (lifetime >= 0) {
                    mine.add("parameters " + lifetime + " and " + i + " are both the Arena for callbacks; give one");
                }
                lifetime = i;
                continue;
            }
            try {
                parameters[i] = types.map(generic[i], m.getParameters()[i], TypeTable.Role.PARAMETER, null)
                        .orElseThrow();
            } catch (IllegalArgumentException e) {
                mine.add("parameter " + i + " (" + classes[i].getSimpleName() + "): " + e.getMessage());
            }
        }
        int countAt = result.isPresent() ? result.get().countAt() : -1;
        if (countAt >= 0 && (countAt >= classes.length || countAt == lifetime
                || (classes[countAt] != int.class && classes[countAt] != long.class && classes[countAt] != short.class))) {
            mine.add("the result: @Count(" + countAt + ") must name a parameter of type int, long or short");
        }
        return new Signature(result, parameters, lifetime);
    }

    /** Notes the C signature a method gives its symbol, for {@link #checkAmbiguous}. */
    private void noteShape(String symbol, FunctionDescriptor descriptor, Method m) {
        Map<FunctionDescriptor, List<Method>> byShape = shapes.get(symbol);
        if (byShape == null) {
            byShape = new LinkedHashMap<>();
            shapes.put(symbol, byShape);
        }
        List<Method> sameShape = byShape.get(descriptor);
        if (sameShape == null) {
            sameShape = new ArrayList<>();
            byShape.put(descriptor, sameShape);
        }
        sameShape.add(m);
    }

    /** A method whose function the table lacks: it throws UnsupportedOperationException saying why. */
    private record Absent(String why, MethodType type) implements Supplier<MethodHandle> {
        private static final MethodHandle THROW = Handles.find(MethodHandles.lookup(), "unsupported", Object.class,
                String.class);

        @Override
        public MethodHandle get() {
            MethodHandle thrower = MethodHandles.insertArguments(THROW, 0, why)
                    .asType(MethodType.methodType(type.returnType()));
            return MethodHandles.dropArguments(thrower, 0, type.parameterList());
        }

        private static Object unsupported(String why) {
            throw new UnsupportedOperationException(why);
        }
    }

    private List<Linker.Option> options(Method m, @Nullable Mapping[] parameters, int lifetime, List<String> mine) {
        List<Linker.Option> options = new ArrayList<>();
        boolean annotated = annotated(m);
        Critical critical = annotated ? m.getAnnotation(Critical.class) : null;
        boolean heap = false;
        for (java.lang.reflect.Parameter p : m.getParameters()) {
            heap |= annotated(p) && p.isAnnotationPresent(Heap.class);
        }
        if (critical != null || heap) {
            options.add(Linker.Option.critical(heap || critical.allowHeap()));
            for (Mapping p : parameters) {
                if (p != null && p.callsBack()) {
                    mine.add("a critical function (@Critical or @Heap) cannot call back into Java");
                    break;
                }
            }
        }
        Variadic variadic = annotated ? m.getAnnotation(Variadic.class) : null;
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
        if (annotated && m.isAnnotationPresent(Errno.class)) {
            options.add(Linker.Option.captureCallState("errno"));
        }
        return options;
    }

    private Optional<MethodHandle> freeFunction(String name, List<String> mine) {
        FunctionDescriptor free = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS);
        Optional<MemorySegment> own = target.address(name);
        if (own.isPresent()) {
            return Optional.of(Linker.nativeLinker().downcallHandle(own.get(), free));
        }
        Optional<MemorySegment> address = Linker.nativeLinker().defaultLookup().find(name);
        if (address.isPresent()) {
            // The C library's own functions (its free) live as long as the process does.
            return Optional.of(Linker.nativeLinker().downcallHandle(address.get(), free));
        }
        mine.add("@FreeWith(\"" + name + "\"): neither the library nor the C library exports " + name);
        return Optional.empty();
    }
}
