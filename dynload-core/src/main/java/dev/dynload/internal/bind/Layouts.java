package dev.dynload.internal.bind;

import java.lang.foreign.GroupLayout;

/** The struct layouts of records, for {@code dev.dynload.Structs}. */
public final class Layouts {

    private Layouts() {
    }

    /**
     * The C layout of a record.
     *
     * @param record the record class
     * @return its layout
     */
    public static GroupLayout of(Class<?> record) {
        if (!record.isRecord()) {
            throw new IllegalArgumentException(record.getName() + " is not a record");
        }
        return new TypeTable(null).struct(Reflected.of(record)).groupLayout();
    }

    /**
     * The C function descriptor a bound method calls through: its result's and parameters' layouts, as
     * the type table maps them (an {@code Arena} parameter is no C parameter).
     *
     * @param method a method of an interface to bind
     * @return its descriptor
     * @throws IllegalArgumentException naming the result or parameter that has no C counterpart
     */
    public static java.lang.foreign.FunctionDescriptor descriptorOf(java.lang.reflect.Method method) {
        return descriptorOf(Reflected.method(method));
    }

    /**
     * The C function descriptor of a method as the type table maps it, on either side of compilation.
     *
     * @param method a method of an interface to bind
     * @return its descriptor
     * @throws IllegalArgumentException naming the result or parameter that has no C counterpart
     */
    public static java.lang.foreign.FunctionDescriptor descriptorOf(JavaMethod method) {
        TypeTable types = new TypeTable(null);
        java.util.Optional<Mapping> result;
        try {
            result = types.map(method.result(), method, TypeTable.Role.RESULT, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(method.name() + ", the result: " + e.getMessage(), e);
        }
        java.util.List<java.lang.foreign.MemoryLayout> args = new java.util.ArrayList<>();
        java.util.List<JavaVariable> parameters = method.parameters();
        for (int i = 0; i < parameters.size(); i++) {
            JavaVariable p = parameters.get(i);
            if (p.type().known() == java.lang.foreign.Arena.class) {
                continue;
            }
            try {
                args.add(types.map(p.type(), p, TypeTable.Role.PARAMETER, null).orElseThrow().layout());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(method.name() + ", parameter " + i + ": " + e.getMessage(), e);
            }
        }
        java.lang.foreign.MemoryLayout[] a = args.toArray(new java.lang.foreign.MemoryLayout[0]);
        return result.isEmpty() ? java.lang.foreign.FunctionDescriptor.ofVoid(a)
                : java.lang.foreign.FunctionDescriptor.of(result.get().layout(), a);
    }

    /**
     * {@return {@code value}, checked against the range of an {@code @Unsigned(bits)} C integer as a bound
     * call checks it}
     *
     * @throws IllegalArgumentException when it is outside 0 to 2^bits - 1
     */
    public static long unsigned(int bits, long value) {
        return Scalar.Unsigned.toC(bits, value);
    }
}
