package dev.dynload.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
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

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    /**
     * Reads functions as a manifest's {@code provides} line (or {@link PluginInterface#functions}) lists
     * them: {@code greet = str(str); add = i32(i32, i32)}.
     *
     * @param text the functions, separated by ';'
     * @return them, in order
     * @throws IllegalArgumentException naming the first that is malformed, or one listed twice
     */
    public static List<FunctionSignature> parseAll(String text) {
        List<FunctionSignature> functions = new ArrayList<>();
        for (String f : text.split(";")) {
            if (!f.isBlank()) {
                FunctionSignature s = parse(f.strip());
                for (FunctionSignature g : functions) {
                    if (g.name().equals(s.name())) {
                        throw new IllegalArgumentException("function " + s.name() + " is listed twice");
                    }
                }
                functions.add(s);
            }
        }
        return functions;
    }

    /**
     * Reads one function: {@code add = i32(i32, i32)}.
     *
     * @param text the function
     * @return it
     * @throws IllegalArgumentException saying what is malformed
     */
    public static FunctionSignature parse(String text) {
        int eq = text.indexOf('=');
        int open = text.indexOf('(');
        if (eq <= 0 || open < eq || !text.endsWith(")")) {
            throw new IllegalArgumentException("\"" + PluginManifest.shorten(text) + "\" must be NAME = RESULT(PARAMETERS), "
                    + "such as add = i32(i32, i32)");
        }
        String name = text.substring(0, eq).strip();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("function name \"" + PluginManifest.shorten(name) + "\" is not a C name");
        }
        CType result = type(text.substring(eq + 1, open).strip(), true);
        List<CType> parameters = new ArrayList<>();
        String inside = text.substring(open + 1, text.length() - 1).strip();
        if (!inside.isEmpty() && !inside.equals("void")) {
            for (String p : inside.split(",")) {
                parameters.add(type(p.strip(), false));
            }
        }
        return new FunctionSignature(name, result, parameters);
    }

    private static CType type(String spelling, boolean result) {
        Optional<CType> t = CType.of(spelling);
        if (t.isEmpty() || (!result && t.get() == CType.VOID)) {
            throw new IllegalArgumentException("\"" + PluginManifest.shorten(spelling) + "\" is not a "
                    + (result ? "result" : "parameter") + " type; the types are void (results only), i8, i16, i32, "
                    + "i64, u8, u16, u32, u64, f32, f64, bool, ptr and str");
        }
        return t.get();
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
