package dev.dynload.plugin;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A bound Java method against the C signature a plugin's manifest declares, compared slot by slot and
 * explained in the manifest's own words ({@code i64}, {@code u64}, {@code ptr}, {@code str}): the first
 * slot that differs is named, with what dynload makes of the Java type there and what would fit.
 *
 * <p>A {@code ptr} is untyped: the manifest says a pointer is passed, not what it points to, so any Java
 * type dynload passes as a pointer (a {@link MemorySegment}, an array, a callback, a record by reference)
 * fits it, and a {@code long[]} given where C reads {@code const double *} is not caught here.
 */
final class SignatureCheck {

    private SignatureCheck() {
    }

    /**
     * @param m the Java method
     * @param java its C signature as dynload maps it
     * @param c what the manifest declares
     * @return the first difference, in words, or empty when they agree
     */
    static Optional<String> difference(Method m, FunctionDescriptor java, FunctionSignature c) {
        List<Class<?>> types = new ArrayList<>();
        for (Class<?> t : m.getParameterTypes()) {
            if (t != java.lang.foreign.Arena.class) { // an Arena parameter is dynload's, not C's
                types.add(t);
            }
        }
        if (types.size() != c.parameters().size()) {
            return Optional.of("it takes " + types.size() + " parameter" + (types.size() == 1 ? "" : "s") + ", and the C "
                    + "function " + c.parameters().size());
        }
        if (!fits(m.getReturnType(), java.returnLayout(), c.result())) {
            return Optional.of("its result, " + article(m.getReturnType()) + ", is " + term(m.getReturnType(),
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
    private static boolean fits(Class<?> type, Optional<MemoryLayout> layout, CType t) {
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
    private static String term(Class<?> type, Optional<MemoryLayout> layout) {
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

    private static String article(Class<?> type) {
        String name = type.getSimpleName();
        return ("aeiouAEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
    }

    /** {@code Greeter.add(int, int)}, for messages. */
    static String describe(Method m) {
        StringJoiner p = new StringJoiner(", ", "(", ")");
        for (Class<?> t : m.getParameterTypes()) {
            p.add(t.getSimpleName());
        }
        return m.getDeclaringClass().getSimpleName() + "." + m.getName() + p;
    }
}
