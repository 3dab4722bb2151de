package dev.dynload;

import java.lang.foreign.FunctionDescriptor;
import java.lang.reflect.Method;

/**
 * The C signature dynload gives a method of a bound interface: the layouts of its result and parameters
 * as the type table (docs/binding.md) maps them. For checking a binding against a signature declared
 * elsewhere, such as a plugin's manifest, before calling anything.
 *
 * {@snippet lang=c :
 * int32_t add(int32_t a, int32_t b);
 * }
 * {@snippet :
 * interface Calc { int add(int a, int b); }
 * Signatures.of(Calc.class.getMethod("add", int.class, int.class));   // (i32i32)i32
 * }
 */
public final class Signatures {

    private Signatures() {
    }

    /**
     * The C signature of a method.
     *
     * @param method a method of an interface to bind
     * @return its function descriptor; an {@code Arena} parameter has no C counterpart and is left out
     * @throws IllegalArgumentException naming the result or parameter that has no C counterpart
     */
    public static FunctionDescriptor of(Method method) {
        return dev.dynload.internal.bind.Layouts.descriptorOf(method);
    }
}
