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
        return new TypeTable(null).struct(record).groupLayout();
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
        TypeTable types = new TypeTable(null);
        java.util.Optional<Mapping> result;
        try {
            result = types.map(method.getGenericReturnType(), method, TypeTable.Role.RESULT, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(method.getName() + ", the result: " + e.getMessage(), e);
        }
        java.util.List<java.lang.foreign.MemoryLayout> args = new java.util.ArrayList<>();
        java.lang.reflect.Type[] generic = method.getGenericParameterTypes();
        for (int i = 0; i < generic.length; i++) {
            if (method.getParameterTypes()[i] == java.lang.foreign.Arena.class) {
                continue;
            }
            try {
                args.add(types.map(generic[i], method.getParameters()[i], TypeTable.Role.PARAMETER, null)
                        .orElseThrow().layout());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(method.getName() + ", parameter " + i + ": " + e.getMessage(), e);
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
