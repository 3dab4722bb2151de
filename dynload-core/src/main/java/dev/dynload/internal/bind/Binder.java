package dev.dynload.internal.bind;

import dev.dynload.bind.FunctionTable;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Binds an interface to a library: checks every method by the {@link BindingRules}, adds what only the
 * library can answer (its symbols, a {@code @FreeWith} function), reports every problem at once, then
 * makes the implementation: the class the annotation processor generated for the interface, when there
 * is one ({@link WrittenClass}), or one written now ({@link ClassGenerator}).
 */
final class Binder implements BindingRules.FreeFunctions {

    private final BoundLibrary library;
    private final Bindings target;
    private final Class<?> iface;
    private final TypeAccess access;
    private final BindingRules rules;
    /** Where the functions are: the library's exports, or a table (see FunctionTable). */
    private final Optional<FunctionTable> table;

    private Binder(Bindings target, Class<?> iface, MethodHandles.@Nullable Lookup lookup, Optional<FunctionTable> table) {
        this.table = table;
        this.library = target.library();
        this.target = target;
        this.iface = iface;
        this.access = new TypeAccess(lookup);
        this.rules = new BindingRules(access, this);
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
        String refused = BindingRules.refusal(iface.getName(), iface.isInterface(), iface.isSealed());
        if (refused != null) {
            throw new IllegalArgumentException(refused);
        }
        return iface.cast(new Binder(target, iface, lookup, table).bind());
    }

    private Object bind() {
        List<JavaMethod> methods = new ArrayList<>(Reflected.of(iface).abstractMethods());
        if (table.isPresent()) {
            // A default method the table has calls the table's function; one it lacks stays Java.
            for (Method m : iface.getMethods()) {
                JavaMethod view = Reflected.method(m);
                if (m.isDefault() && table.get().find(BindingRules.symbolOf(view)).isPresent()) {
                    methods.add(view);
                }
            }
        }
        methods.sort(BindingRules.BY_NAME);
        List<Method> bound = new ArrayList<>();
        List<Supplier<MethodHandle>> handles = new ArrayList<>();
        for (JavaMethod m : methods) {
            Optional<? extends Supplier<MethodHandle>> planned = plan(m);
            if (planned.isPresent()) {
                bound.add((Method) m.reflected());
                handles.add(planned.get());
            }
        }
        rules.checkAmbiguous();
        List<String> problems = new ArrayList<>();
        for (BindingRules.Problem p : rules.problems()) {
            problems.add(p.message());
        }
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
        String description = iface.getSimpleName() + " bound to " + where;
        try {
            Optional<Object> generated = table.isEmpty() ? WrittenClass.instantiate(access, iface, target, bound, handles,
                    description) : Optional.empty();
            return generated.isPresent() ? generated.get()
                    : ClassGenerator.instantiate(host, iface, target, bound, handles, description);
        } catch (Throwable t) {
            throw new IllegalStateException("generating the implementation of " + iface.getName() + " failed", t);
        }
    }

    /*
     * Binding runs once per interface, mostly in a fresh JVM, where each lambda or stream costs a class
     * spun at run time: the code below is written with plain loops and named classes instead.
     */

    /**
     * Checks one method now and returns what makes its handle on first call; empty after recording its
     * problems. Making a downcall handle for a new signature is the slow part of binding, so it waits.
     */
    private Optional<? extends Supplier<MethodHandle>> plan(JavaMethod view) {
        Method m = (Method) view.reflected();
        String symbol = BindingRules.symbolOf(view);
        Optional<BindingRules.Checked> checked = rules.check(view);
        if (checked.isEmpty()) {
            return Optional.empty();
        }
        if (table.isPresent() && table.get().find(symbol).isEmpty()) {
            // Not in the table (an older version of it): the method throws why when called.
            return Optional.of(new Absent(table.get().absent(m),
                    MethodType.methodType(m.getReturnType(), m.getParameterTypes())));
        }
        if (table.isEmpty() && library.address(symbol).isEmpty()) {
            rules.add(view, library.missing(symbol));
            return Optional.empty();
        }
        BindingRules.Checked c = checked.get();
        rules.noteShape(c);
        Function<String, Optional<MemorySegment>> addresses = table.isPresent() ? table.get()::find : target::address;
        return Optional.of(new PlannedCall(addresses, symbol, c.descriptor(), c.options().linker(), c.parameters(), c.lifetime(),
                c.result(), c.errno(), m));
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

    @Override
    public Optional<MethodHandle> find(String name, List<String> mine) {
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
