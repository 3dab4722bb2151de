package dev.dynload.plugin;

import java.util.List;
import java.util.StringJoiner;

/**
 * One function of a plugin interface, as the manifest declares it: {@code add = i32(i32, i32)}.
 *
 * {@snippet lang=c :
 * int32_t add(int32_t a, int32_t b);      // add = i32(i32, i32)
 * }
 * {@snippet :
 * new FunctionSignature("add", CType.I32, List.of(CType.I32, CType.I32)).toString();   // "add = i32(i32, i32)"
 * }
 *
 * @param name the function's name
 * @param result its result type, {@link CType#VOID} for none
 * @param parameters its parameter types, in order
 */
public record FunctionSignature(String name, CType result, List<CType> parameters) {

    /** Copies the parameters: a signature does not change. */
    public FunctionSignature {
        parameters = List.copyOf(parameters);
    }

    /** {@return the signature as the manifest writes it, such as {@code add = i32(i32, i32)}} */
    @Override
    public String toString() {
        StringJoiner p = new StringJoiner(", ", "(", ")");
        for (CType t : parameters) {
            p.add(t.spelling());
        }
        return name + " = " + result.spelling() + p;
    }
}
