package dev.dynload.internal.bind;

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
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * The rules every method of a bound interface must follow, written once: {@code bind} runs them on
 * reflected methods, and the annotation processor ({@code dev.dynload.processor}) on the compiler's, so
 * a mistake is reported with the same words at both times. Each method's result and parameters go
 * through the {@link TypeTable}; then come the rules of its annotations, and last, across methods, the
 * rule that one symbol has one C signature.
 *
 * <p>What only the run time can know is left to {@code bind}: whether the library exports the symbol,
 * the function a {@code @FreeWith} names, the values of a {@code CEnum}.
 */
public final class BindingRules {

    /**
     * What the annotation processor appends to an interface's binary name, less its package, to name the
     * implementation it writes beside it ({@code Zlib$Dynload}, {@code Outer$Zlib$Dynload}), and where
     * {@code bind} looks for one.
     */
    public static final String IMPLEMENTATION_SUFFIX = "$Dynload";

    /**
     * {@return the methods a written class implements, as a key that tells whether it fits the interface
     * as it is now: each method's name and JVM descriptor ({@code abs(I)I}), sorted, joined by ';'}
     *
     * @param methods each method's name followed by its descriptor
     */
    public static String implementedKey(List<String> methods) {
        List<String> sorted = new ArrayList<>(methods);
        java.util.Collections.sort(sorted);
        return String.join(";", sorted);
    }

    private static final Set<Class<?>> VARIADIC_PROMOTED = Set.of(byte.class, short.class, char.class,
            boolean.class, float.class);

    /**
     * One problem: its text, as {@code BindingException} lists it, and where it stands.
     *
     * @param method the method at fault, or null for the interface itself
     * @param parameter the index of the parameter at fault, or -1 for the method
     * @param message what is wrong and what to write instead, starting with the method, such as
     *                {@code "sum(List): parameter 0 (List): type java.util.List has no C counterpart"}
     */
    public record Problem(@Nullable JavaMethod method, int parameter, String message) {
    }

    /** Resolves the function a {@code @FreeWith} names; at run time only. */
    interface FreeFunctions {
        /** {@return the function, or empty after noting in {@code mine} why there is none} */
        Optional<MethodHandle> find(String name, List<String> mine);
    }

    /**
     * What a bound method needs of the linker, for GraalVM Native Image's reachability metadata, which
     * must list every downcall and upcall shape an image makes.
     *
     * @param downcall the C signature of its downcall
     * @param firstVariadic the index of its first variadic argument, or -1
     * @param captureErrno whether the call captures errno ({@code @Errno})
     * @param critical -1 for a plain call, 0 for a critical one, 1 for a critical one reading the Java heap
     * @param upcalls the C signatures of its callbacks
     */
    public record NativeShape(FunctionDescriptor downcall, int firstVariadic, boolean captureErrno, int critical,
                              List<FunctionDescriptor> upcalls) {
    }

    /** {@return what one method that follows the rules needs of the linker: its downcall, and free's for @FreeWith} */
    private static List<NativeShape> nativeShapes(JavaMethod m, Checked c) {
        List<FunctionDescriptor> upcalls = new ArrayList<>();
        for (Mapping p : c.parameters()) {
            if (p instanceof Callback callback) {
                upcalls.add(callback.descriptor());
            }
        }
        NativeShape call = new NativeShape(c.descriptor(), c.options().firstVariadic(), c.errno(), c.options().critical(),
                upcalls);
        if (m.annotated() && m.get(FreeWith.class) != null) {
            // The function that frees the returned string: void free(void*).
            return List.of(call, new NativeShape(FunctionDescriptor.ofVoid(java.lang.foreign.ValueLayout.ADDRESS), -1,
                    false, -1, List.of()));
        }
        return List.of(call);
    }

    /**
     * A method's linker options, and the same in words a reader of them can use.
     *
     * @param linker the options
     * @param firstVariadic the index of the first variadic argument, or -1
     * @param critical -1 for a plain call, 0 critical, 1 critical with heap access
     */
    record Options(Linker.Option[] linker, int firstVariadic, int critical) {
    }

    /**
     * A method that follows the rules: its C side, ready to plan.
     *
     * @param lifetime the index of its {@code Arena} parameter, which is no C parameter; or -1
     */
    record Checked(JavaMethod method, String symbol, Optional<Mapping> result, @Nullable Mapping[] parameters,
                   int lifetime, Options options, boolean errno) {

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

    private final TypeTable types;
    private final @Nullable FreeFunctions free;
    private final List<Problem> problems = new ArrayList<>();
    /** For each symbol, the methods bound to it, by C signature. */
    private final Map<String, Map<FunctionDescriptor, List<JavaMethod>>> shapes = new TreeMap<>();

    /**
     * @param access how to reach the user's types, or null where they are not classes yet
     * @param free how to find a {@code @FreeWith} function, or null to check the annotation alone
     */
    BindingRules(@Nullable TypeAccess access, @Nullable FreeFunctions free) {
        this.types = new TypeTable(access);
        this.free = free;
    }

    /**
     * What checking an interface found.
     *
     * @param problems every problem, in the order {@code bind} lists them; empty when it binds
     * @param shapes what its methods that follow the rules need of the linker, as {@code bind} will ask it
     */
    public record Report(List<Problem> problems, List<NativeShape> shapes) {
    }

    /**
     * Checks an interface to bind, as {@code bind} would, less what only the library can answer.
     *
     * @param iface the interface
     * @param sealed whether it is sealed
     * @return its problems, and what it needs of the linker
     */
    public static Report check(JavaType iface, boolean sealed) {
        String refused = refusal(iface.name(), iface.kind() == JavaType.Kind.INTERFACE, sealed);
        if (refused != null) {
            return new Report(List.of(new Problem(null, -1, refused)), List.of());
        }
        BindingRules rules = new BindingRules(null, null);
        List<JavaMethod> methods = new ArrayList<>(iface.abstractMethods());
        methods.sort(BY_NAME);
        List<NativeShape> shapes = new ArrayList<>();
        for (JavaMethod m : methods) {
            Optional<Checked> checked = rules.check(m);
            if (checked.isPresent()) {
                rules.noteShape(checked.get());
                shapes.addAll(nativeShapes(m, checked.get()));
            }
        }
        rules.checkAmbiguous();
        return new Report(rules.problems(), List.copyOf(shapes));
    }

    /** {@return why {@code bind} refuses a type outright, or null} */
    static @Nullable String refusal(String name, boolean isInterface, boolean sealed) {
        if (!isInterface) {
            return name + " is not an interface; bind takes an interface whose methods mirror the C functions";
        }
        if (sealed) {
            return name + " is sealed, so dynload cannot implement it; bind an interface that is not sealed (a sealed "
                    + "one may extend it)";
        }
        return null;
    }

    /** Methods by name, then by their parameter types: the order problems are listed in. */
    static final java.util.Comparator<JavaMethod> BY_NAME = new java.util.Comparator<>() {
        @Override
        public int compare(JavaMethod a, JavaMethod b) {
            int byName = a.name().compareTo(b.name());
            return byName != 0 ? byName : describe(a).compareTo(describe(b));
        }
    };

    /** {@return the problems found so far} */
    List<Problem> problems() {
        return List.copyOf(problems);
    }

    /** Notes a problem of {@code m} found outside these rules (at run time: a symbol the library lacks). */
    void add(JavaMethod m, String problem) {
        problems.add(new Problem(m, -1, describe(m) + ": " + problem));
    }

    /**
     * {@return the symbol a method binds to: its {@code @Symbol}, or its name}
     *
     * @param m the method
     */
    public static String symbolOf(JavaMethod m) {
        Symbol s = m.annotated() ? m.get(Symbol.class) : null;
        return s != null ? s.value() : m.name();
    }

    /**
     * {@return a method as problems name it: {@code name(Type, Type)}}
     *
     * @param m the method
     */
    public static String describe(JavaMethod m) {
        StringJoiner types = new StringJoiner(", ", "(", ")");
        for (JavaVariable p : m.parameters()) {
            types.add(p.type().simpleName());
        }
        return m.name() + types;
    }

    /** {@return whether a {@code @Count} may name a parameter of this type} */
    static boolean countType(@Nullable JavaType type) {
        Class<?> c = type == null ? null : type.known();
        return c == int.class || c == long.class || c == short.class;
    }

    /**
     * Checks one method: its types through the table, then its annotations. Its C signature is not noted
     * for {@link #checkAmbiguous} here: see {@link #noteShape}.
     *
     * @return its C side, or empty after noting its problems
     */
    Optional<Checked> check(JavaMethod m) {
        int before = problems.size();
        List<JavaVariable> parameters = m.parameters();
        Mapping[] mapped = new Mapping[parameters.size()];
        int lifetime = -1;
        MethodHandle freeing = null;
        boolean annotated = m.annotated();
        FreeWith freeWith = annotated ? m.get(FreeWith.class) : null;
        if (freeWith != null) {
            if (m.result().known() != String.class) {
                note(m, -1, "@FreeWith applies to a String result");
            } else if (free != null) {
                List<String> mine = new ArrayList<>();
                freeing = free.find(freeWith.value(), mine).orElse(null);
                for (String problem : mine) {
                    note(m, -1, problem);
                }
            }
        }
        if (m.varArgs()) {
            note(m, parameters.size() - 1, "a Java varargs method (" + parameters.getLast().type().simpleName()
                    + "...) would pass C an array pointer, not C variadic arguments; declare one parameter per "
                    + "argument and mark the method @Variadic(fixed = n), or take the array without '...'");
        }
        Optional<Mapping> result = Optional.empty();
        try {
            result = types.map(m.result(), m, TypeTable.Role.RESULT, freeing);
        } catch (IllegalArgumentException e) {
            note(m, -1, "the result: " + e.getMessage());
        }
        for (int i = 0; i < mapped.length; i++) {
            JavaVariable p = parameters.get(i);
            if (p.type().known() == Arena.class) {
                if (lifetime >= 0) {
                    note(m, i, "parameters " + lifetime + " and " + i + " are both the Arena for callbacks; give one");
                }
                lifetime = i;
                continue;
            }
            try {
                mapped[i] = types.map(p.type(), p, TypeTable.Role.PARAMETER, null).orElseThrow();
            } catch (IllegalArgumentException e) {
                note(m, i, "parameter " + i + " (" + p.type().simpleName() + "): " + e.getMessage());
            }
        }
        int countAt = result.isPresent() ? result.get().countAt() : -1;
        if (countAt >= 0 && (countAt >= mapped.length || countAt == lifetime
                || !countType(parameters.get(countAt).type()))) {
            note(m, -1, "the result: @Count(" + countAt + ") must name a parameter of type int, long or short");
        }
        Options options = options(m, mapped, lifetime);
        boolean errno = annotated && m.get(Errno.class) != null;
        if (errno && !(result.isPresent() && result.get().signalsFailure())) {
            note(m, -1, "@Errno needs a result that can signal failure: a plain int or long (-1), a pointer (NULL or "
                    + "(void*)-1) or String (NULL), or a boolean (false)");
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Checked(m, symbolOf(m), result, mapped, lifetime, options, errno));
    }

    private void note(JavaMethod m, int parameter, String problem) {
        problems.add(new Problem(m, parameter, describe(m) + ": " + problem));
    }

    private Options options(JavaMethod m, @Nullable Mapping[] parameters, int lifetime) {
        List<Linker.Option> options = new ArrayList<>();
        int firstVariadic = -1;
        int criticalHeap = -1;
        boolean annotated = m.annotated();
        Critical critical = annotated ? m.get(Critical.class) : null;
        boolean heap = false;
        List<JavaVariable> views = m.parameters();
        for (JavaVariable p : views) {
            heap |= p.annotated() && p.get(Heap.class) != null;
        }
        if (critical != null || heap) {
            criticalHeap = heap || critical.allowHeap() ? 1 : 0;
            options.add(Linker.Option.critical(criticalHeap == 1));
            for (Mapping p : parameters) {
                if (p != null && p.callsBack()) {
                    note(m, -1, "a critical function (@Critical or @Heap) cannot call back into Java");
                    break;
                }
            }
        }
        Variadic variadic = annotated ? m.get(Variadic.class) : null;
        if (variadic != null) {
            int count = parameters.length - (lifetime >= 0 ? 1 : 0);
            if (variadic.fixed() < 0 || variadic.fixed() > count) {
                note(m, -1, "@Variadic(fixed = " + variadic.fixed() + ") but the method has " + count + " C parameters");
            } else {
                firstVariadic = variadic.fixed();
                options.add(Linker.Option.firstVariadicArg(firstVariadic));
                for (int i = variadic.fixed(); i < views.size(); i++) {
                    Class<?> type = views.get(i).type().known();
                    if (VARIADIC_PROMOTED.contains(type)) {
                        note(m, i, "parameter " + i + " is a variadic " + type.getName() + ", which C promotes; "
                                + "declare it as " + (type == float.class ? "double" : "int"));
                    }
                }
            }
        }
        if (annotated && m.get(Errno.class) != null) {
            options.add(Linker.Option.captureCallState("errno"));
        }
        return new Options(options.toArray(new Linker.Option[0]), firstVariadic, criticalHeap);
    }

    /**
     * Notes the C signature a method gives its symbol, for {@link #checkAmbiguous}: once the method is
     * known to reach its function (at run time, once the library or table has the symbol).
     */
    void noteShape(Checked checked) {
        Map<FunctionDescriptor, List<JavaMethod>> byShape = shapes.get(checked.symbol());
        if (byShape == null) {
            byShape = new LinkedHashMap<>();
            shapes.put(checked.symbol(), byShape);
        }
        FunctionDescriptor descriptor = checked.descriptor();
        List<JavaMethod> sameShape = byShape.get(descriptor);
        if (sameShape == null) {
            sameShape = new ArrayList<>();
            byShape.put(descriptor, sameShape);
        }
        sameShape.add(checked.method());
    }

    /**
     * Several methods may view one function differently (critical or not, a record or a raw pointer),
     * but not with different C signatures, unless the function is variadic.
     */
    void checkAmbiguous() {
        for (Map.Entry<String, Map<FunctionDescriptor, List<JavaMethod>>> entry : shapes.entrySet()) {
            Map<FunctionDescriptor, List<JavaMethod>> byShape = entry.getValue();
            if (byShape.size() < 2) {
                continue;
            }
            StringJoiner sharing = new StringJoiner(" and ");
            boolean allVariadic = true;
            JavaMethod last = null;
            for (List<JavaMethod> group : byShape.values()) {
                for (JavaMethod m : group) {
                    sharing.add(describe(m));
                    allVariadic &= m.annotated() && m.get(Variadic.class) != null;
                    last = m;
                }
            }
            if (!allVariadic) {
                problems.add(new Problem(last, -1, sharing + " bind to symbol \"" + entry.getKey() + "\" with different "
                        + "C signatures; give them distinct @Symbol names, or mark them @Variadic if they call one "
                        + "variadic function"));
            }
        }
    }
}
