package dev.dynload.examples.plugins;

import dev.dynload.plugin.PluginInterface;

/**
 * The host's view of the interface {@code com.example.greeter}, version 1.2, which its plugins provide.
 * Its functions are declared in the manifest's words, so dynload's annotation processor, which this
 * example's build runs, checks each method against its function when the host compiles.
 *
 * {@snippet lang=c :
 * // provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32); farewell = str(str)
 * }
 */
@PluginInterface(id = "com.example.greeter", major = 1, minor = 2,
        functions = "greet = str(str); add = i32(i32, i32); farewell = str(str)")
public interface Greeter {

    String greet(String who);

    int add(int a, int b);

    /** New in 1.2: a plugin built for 1.1 lacks it, and this body answers for it. */
    default String farewell(String who) {
        return "Goodbye, " + who + " (the host's farewell: this plugin predates it)";
    }
}
