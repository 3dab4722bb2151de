package dev.dynload.plugin;

import java.util.Optional;

/**
 * A C type as a plugin's manifest spells it in a function's signature: fixed-width integers, floating
 * point, {@code bool}, {@code str} (a NUL-terminated UTF-8 {@code const char *}) and {@code ptr} (any
 * other pointer).
 *
 * {@snippet lang=c :
 * // provides = com.example.greeter/1.2: add = i32(i32, i32)
 * int32_t add(int32_t a, int32_t b);
 * }
 * {@snippet :
 * CType.of("i32");   // Optional[I32]
 * }
 */
public enum CType {
    /** {@code void}: no value, for results only. */
    VOID("void"),
    /** {@code int8_t}. */
    I8("i8"),
    /** {@code int16_t}. */
    I16("i16"),
    /** {@code int32_t}. */
    I32("i32"),
    /** {@code int64_t}. */
    I64("i64"),
    /** {@code uint8_t}. */
    U8("u8"),
    /** {@code uint16_t}. */
    U16("u16"),
    /** {@code uint32_t}. */
    U32("u32"),
    /** {@code uint64_t}. */
    U64("u64"),
    /** {@code float}. */
    F32("f32"),
    /** {@code double}. */
    F64("f64"),
    /** {@code bool}. */
    BOOL("bool"),
    /** Any pointer but a string; untyped. */
    PTR("ptr"),
    /** A NUL-terminated UTF-8 {@code const char *}. */
    STR("str");

    private final String spelling;

    CType(String spelling) {
        this.spelling = spelling;
    }

    /**
     * {@return the type spelled as a manifest spells it, if it is one}
     *
     * @param spelling such as {@code i32}
     */
    public static Optional<CType> of(String spelling) {
        for (CType t : values()) {
            if (t.spelling.equals(spelling)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** {@return the manifest's spelling} */
    public String spelling() {
        return spelling;
    }

    @Override
    public String toString() {
        return spelling;
    }
}
