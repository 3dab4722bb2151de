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
    VOID("void"), I8("i8"), I16("i16"), I32("i32"), I64("i64"), U8("u8"), U16("u16"), U32("u32"), U64("u64"),
    F32("f32"), F64("f64"), BOOL("bool"), PTR("ptr"), STR("str");

    private final String spelling;

    CType(String spelling) {
        this.spelling = spelling;
    }

    /** {@return the type spelled as a manifest spells it, if it is one} */
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
