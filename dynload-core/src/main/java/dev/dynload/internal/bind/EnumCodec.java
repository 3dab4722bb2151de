package dev.dynload.internal.bind;

/**
 * A Java enum as the C {@code int} the type table maps it to (its {@code CEnum.value()}, or its
 * ordinal), for isolated calls, which carry the number: the same table, so both agree on every value.
 */
public final class EnumCodec {

    private final Scalar.Enumeration enumeration;

    private EnumCodec(Scalar.Enumeration enumeration) {
        this.enumeration = enumeration;
    }

    /**
     * {@return the codec of enum {@code type}}
     *
     * @throws IllegalArgumentException if two constants share a value, or a {@code value()} throws
     */
    public static EnumCodec of(Class<?> type) {
        return new EnumCodec(Scalar.Enumeration.of(type));
    }

    /** {@return the C value of {@code constant}} @throws NullPointerException for null, as in process */
    public int toC(Object constant) {
        return Scalar.Enumeration.value(enumeration, constant);
    }

    /** {@return the constant of C value {@code value}} @throws IllegalStateException if none stands for it */
    public Object toJava(int value) {
        return Scalar.Enumeration.constant(enumeration, value);
    }
}
