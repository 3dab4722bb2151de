package dev.dynload.plugin.rules;

import dev.dynload.bind.Count;
import dev.dynload.bind.Critical;
import dev.dynload.bind.FreeWith;
import dev.dynload.bind.Heap;
import dev.dynload.bind.Size;
import dev.dynload.internal.bind.BindingRules;
import dev.dynload.internal.bind.JavaMethod;
import dev.dynload.internal.bind.JavaType;
import dev.dynload.internal.bind.JavaVariable;
import dev.dynload.internal.bind.Layouts;
import dev.dynload.plugin.CType;
import dev.dynload.plugin.FunctionSignature;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The rules of a plugin interface's methods, written once: {@code Plugin.bind} runs them on reflected
 * methods, and dynload's annotation processor on the compiler's (this package is exported to it only).
 *
 * <p>A bound Java method against the C signature a plugin's manifest declares, compared slot by slot and
 * explained in the manifest's own words ({@code i64}, {@code u64}, {@code ptr}, {@code str}): the first
 * slot that differs is named, with what dynload makes of the Java type there and what would fit.
 *
 * <p>A {@code ptr} is untyped: the manifest says a pointer is passed, not what it points to, so any Java
 * type dynload passes as a pointer (a {@link MemorySegment}, an array, a callback, a record by reference)
 * fits it, and a {@code long[]} given where C reads {@code const double *} is not caught here.
 */
public final class PluginRules {

    private PluginRules() {
    }

    /**
     * Compares a method with the function a manifest declares for it, slot by slot.
     *
     * @param m the Java method
     * @param java its C signature as dynload maps it
     * @param c what the manifest declares
     * @return the first difference, in words, or empty when they agree
     */
    public static Optional<String> difference(JavaMethod m, FunctionDescriptor java, FunctionSignature c) {
        List<JavaType> types = new ArrayList<>();
        for (JavaVariable p : m.parameters()) {
            if (p.type().known() != java.lang.foreign.Arena.class) { // an Arena parameter is dynload's, not C's
                types.add(p.type());
            }
        }
        if (types.size() != c.parameters().size()) {
            return Optional.of("it takes " + types.size() + " parameter" + (types.size() == 1 ? "" : "s") + ", and the C "
                    + "function " + c.parameters().size());
        }
        if (!fits(m.result(), java.returnLayout(), c.result())) {
            return Optional.of("its result, " + article(m.result()) + ", is " + term(m.result(),
                    java.returnLayout()) + " to dynload, where the manifest has " + c.result() + "; for " + c.result()
                    + ", " + fitting(c.result()));
        }
        for (int i = 0; i < types.size(); i++) {
            Optional<MemoryLayout> layout = Optional.of(java.argumentLayouts().get(i));
            CType expected = c.parameters().get(i);
            if (!fits(types.get(i), layout, expected)) {
                return Optional.of("its parameter " + (i + 1) + ", " + article(types.get(i)) + ", is "
                        + term(types.get(i), layout) + " to dynload, where the manifest has " + expected + "; for "
                        + expected + ", " + fitting(expected));
            }
        }
        return Optional.empty();
    }

    /** Whether a Java type, as dynload lays it out, is what the manifest's type says. */
    private static boolean fits(JavaType javaType, Optional<MemoryLayout> layout, CType t) {
        Class<?> type = javaType.known();
        if (layout.isEmpty()) {
            return t == CType.VOID;
        }
        MemoryLayout l = layout.get();
        return switch (t) {
            case VOID -> false;
            case STR -> type == String.class || type == MemorySegment.class;
            case PTR -> l instanceof AddressLayout && type != String.class;
            case F32 -> l instanceof ValueLayout.OfFloat;
            case F64 -> l instanceof ValueLayout.OfDouble;
            case BOOL -> l instanceof ValueLayout.OfBoolean;
            case I8, U8 -> integral(l, 1);
            case I16, U16 -> integral(l, 2);
            case I32, U32 -> integral(l, 4);
            case I64, U64 -> integral(l, 8);
        };
    }

    private static boolean integral(MemoryLayout l, long bytes) {
        return l instanceof ValueLayout v && !(v instanceof AddressLayout) && !(v instanceof ValueLayout.OfFloat)
                && !(v instanceof ValueLayout.OfDouble) && !(v instanceof ValueLayout.OfBoolean) && v.byteSize() == bytes;
    }

    /** What dynload makes of a Java type, in the manifest's words. */
    private static String term(JavaType javaType, Optional<MemoryLayout> layout) {
        Class<?> type = javaType.known();
        if (layout.isEmpty()) {
            return "void";
        }
        MemoryLayout l = layout.get();
        if (type == String.class) {
            return "str";
        }
        if (l instanceof AddressLayout) {
            return "ptr";
        }
        if (l instanceof ValueLayout.OfFloat) {
            return "f32";
        }
        if (l instanceof ValueLayout.OfDouble) {
            return "f64";
        }
        if (l instanceof ValueLayout.OfBoolean) {
            return "bool";
        }
        if (l instanceof ValueLayout) {
            long bits = l.byteSize() * 8;
            return "i" + bits + " or u" + bits;
        }
        return "a struct by value, which no manifest type is";
    }

    /** The Java types that fit a manifest type, for the hint. */
    private static String fitting(CType t) {
        return switch (t) {
            case VOID -> "declare the method void";
            case STR -> "give a String (or a MemorySegment)";
            case PTR -> "give a MemorySegment or an array (a ptr is untyped: check what it points to yourself)";
            case F32 -> "give a float";
            case F64 -> "give a double";
            case BOOL -> "give a boolean";
            case I8, U8 -> "give a byte";
            case I16, U16 -> "give a short";
            case I32, U32 -> "give an int";
            case I64, U64 -> "give a long";
        };
    }

    private static String article(JavaType type) {
        String name = type.simpleName();
        return ("aeiouAEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
    }

    /**
     * {@return {@code Greeter.add(int, int)}, for messages}
     *
     * @param owner the simple name of the interface that declares the method
     * @param m the method
     */
    public static String describe(String owner, JavaMethod m) {
        return owner + "." + BindingRules.describe(m);
    }

    private static final List<Class<? extends Annotation>> REFUSED = List.of(FreeWith.class, Critical.class,
            Heap.class, Count.class, Size.class);
    private static final String REFUSED_WHY = "the plugin owns what it returns, may call the host back, and its "
            + "manifest gives no lengths";

    /**
     * The binding annotations on {@code m} or its parameters that do not apply to a plugin function, each
     * as a problem without the method's name: the plugin owns a returned str (@FreeWith would free it);
     * any plugin function may call back into the host (@Critical, @Heap); a length comes from the
     * manifest's types only (@Count, @Size).
     */
    private static List<String> refusedAnnotations(JavaMethod m) {
        List<String> problems = new ArrayList<>();
        for (Class<? extends Annotation> a : REFUSED) {
            boolean onParameter = false;
            for (JavaVariable p : m.parameters()) {
                onParameter |= p.annotated() && p.get(a) != null;
            }
            if ((m.annotated() && m.get(a) != null) || onParameter) {
                problems.add("@" + a.getSimpleName() + " does not apply to a plugin function (" + REFUSED_WHY + ")");
            }
        }
        return problems;
    }

    /**
     * Checks what a plugin method must be whatever the plugin provides: no annotation that does not apply
     * to a plugin function, and types the type table maps.
     *
     * @param owner the simple name of the interface that declares the method
     * @param m the method
     * @param problems where each problem goes, naming the method
     * @return its C signature as dynload maps it; empty when the table cannot map it
     */
    public static Optional<FunctionDescriptor> check(String owner, JavaMethod m, List<String> problems) {
        for (String refused : refusedAnnotations(m)) {
            problems.add(describe(owner, m) + ": " + refused);
        }
        try {
            return Optional.of(Layouts.descriptorOf(m));
        } catch (IllegalArgumentException e) {
            problems.add(describe(owner, m) + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * {@return the functions a {@code @PluginInterface} declares ({@code PluginInterface.functions}); none
     * when it declares none, or after noting in {@code problems} why the declaration does not read}
     *
     * @param owner the interface's simple name
     * @param functions the declaration, in the manifest's words
     * @param problems where a problem of the declaration goes
     */
    public static List<FunctionSignature> declared(String owner, String functions, List<String> problems) {
        if (functions.isBlank()) {
            return List.of();
        }
        try {
            return FunctionSignature.parseAll(functions);
        } catch (IllegalArgumentException e) {
            problems.add(owner + ": @PluginInterface(functions = ...): " + e.getMessage());
            return List.of();
        }
    }

    /**
     * {@return whether a method stands for one of the declared functions, and is compared with it: an
     * abstract method always; a default method when the declaration names its symbol (otherwise it is a
     * Java helper, or a function of a newer minor that keeps its body where the table lacks it)}
     *
     * @param isDefault whether the method is a default method
     * @param symbol the method's symbol
     * @param declared the declared functions
     */
    public static boolean compared(boolean isDefault, String symbol, List<FunctionSignature> declared) {
        if (!isDefault) {
            return true;
        }
        for (FunctionSignature f : declared) {
            if (f.name().equals(symbol)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks the methods of a plugin interface against the functions its {@code @PluginInterface}
     * declares: each method against the function of its symbol, and each function against a method.
     *
     * @param owner the interface's simple name
     * @param methods its methods that stand for functions: those {@link #compared} selects
     * @param symbols each method's symbol, in the order of {@code methods}
     * @param declared the functions, as {@code PluginInterface.functions} lists them
     * @return the problems, each naming the method; empty when they agree
     */
    public static List<BindingRules.Problem> checkDeclared(String owner, List<JavaMethod> methods, List<String> symbols,
                                                           List<FunctionSignature> declared) {
        List<BindingRules.Problem> problems = new ArrayList<>();
        List<String> named = new ArrayList<>();
        for (int i = 0; i < methods.size(); i++) {
            JavaMethod m = methods.get(i);
            FunctionSignature c = null;
            for (FunctionSignature f : declared) {
                if (f.name().equals(symbols.get(i))) {
                    c = f;
                }
            }
            if (c == null) {
                problems.add(new BindingRules.Problem(m, -1, describe(owner, m) + " is not among the functions its "
                        + "@PluginInterface declares (" + declared + ")"));
                continue;
            }
            named.add(c.name());
            FunctionDescriptor java;
            try {
                java = Layouts.descriptorOf(m);
            } catch (IllegalArgumentException e) {
                continue; // reported by the type table's own check
            }
            Optional<String> difference = difference(m, java, c);
            if (difference.isPresent()) {
                problems.add(new BindingRules.Problem(m, -1, describe(owner, m) + " does not match " + c
                        + " as its @PluginInterface declares it: " + difference.get()));
            }
        }
        for (FunctionSignature f : declared) {
            if (!named.contains(f.name())) {
                problems.add(new BindingRules.Problem(null, -1, "function " + f + ", which @PluginInterface declares, "
                        + "has no method in " + owner + "; add one, or remove it from the declaration"));
            }
        }
        return problems;
    }
}
