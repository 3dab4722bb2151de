package dev.dynload.plugin;

import java.util.List;

/**
 * An interface a plugin provides: a versioned id ({@code com.example.greeter/1.2}) and its functions
 * in table order.
 *
 * {@snippet lang=c :
 * // provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32)
 * static const struct { dlp_interface header; const char *(*greet)(const char *); int32_t (*add)(int32_t, int32_t); }
 *     greeter = { { sizeof greeter, 2 }, greet, add };
 * }
 * {@snippet :
 * manifest.provided("com.example.greeter", 1).orElseThrow().minor();   // 2
 * }
 *
 * @param id the interface's id, without version
 * @param major its major version: a table of another major is another interface
 * @param minor the minor version the plugin implements: it has the functions of every minor up to this
 * @param functions the functions, in the order of the table's pointers
 */
public record ProvidedInterface(String id, int major, int minor, List<FunctionSignature> functions) {

    /** Copies the functions: an interface does not change. */
    public ProvidedInterface {
        functions = List.copyOf(functions);
    }

    /** {@return the versioned id, such as {@code com.example.greeter/1.2}} */
    @Override
    public String toString() {
        return id + "/" + major + "." + minor;
    }
}
