package dev.dynload.plugin;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Java interface as the host's view of a plugin interface: its versioned id, and the minor
 * version the host knows. Each abstract or default method stands for the function of its name in the
 * plugin's table (see {@link Plugin#bind}).
 *
 * {@snippet lang=c :
 * // manifest: provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32)
 * }
 * {@snippet :
 * @PluginInterface(id = "com.example.greeter", major = 1, minor = 2,
 *                  functions = "greet = str(str); add = i32(i32, i32)")
 * interface Greeter {
 *     String greet(String who);
 *     int add(int a, int b);
 * }
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface PluginInterface {

    /** {@return the interface's id, without version} */
    String id();

    /** {@return its major version: plugins must provide this major} */
    int major();

    /** {@return the minor version this Java interface describes} */
    int minor() default 0;

    /**
     * {@return the functions of the interface, as a plugin's manifest lists them after the version
     * ({@code greet = str(str); add = i32(i32, i32)}), or empty to declare none} When given, each
     * method's Java types are checked against its function when the host compiles (with dynload's
     * annotation processor) and when it binds, so a host whose Java types disagree with the C
     * signature it declares is stopped before any plugin is loaded.
     */
    String functions() default "";
}
