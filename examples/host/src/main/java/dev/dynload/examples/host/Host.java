package dev.dynload.examples.host;

import dev.dynload.CString;
import dev.dynload.Library;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * The seed's Rust host, line for line: open libtest.so, find greet, call it, print, unload. The library
 * comes from a jar on the class or module path, the bundle {@code rust-greeter} that the rust-greeter
 * module builds, or from a path given as the argument.
 */
public final class Host {

    private Host() {
    }

    /**
     * Prints the greeting of a bundled library, or of the library file at {@code args[0]}.
     *
     * @param args a bundle's name ({@code rust-greeter}, the default, or {@code c-greeter}) or a
     *             library's path (holding a '/')
     * @throws Throwable whatever the call throws
     */
    public static void main(String[] args) throws Throwable {
        try (Library lib = open(args.length > 0 ? args[0] : "rust-greeter")) {
            MethodHandle greet = lib.downcall("greet", FunctionDescriptor.of(ADDRESS));
            String message = CString.read((MemorySegment) greet.invokeExact());
            System.out.println(message);
        }
    }

    /** A bundle by its name, or a library file by its path. */
    static Library open(String bundleOrPath) {
        return bundleOrPath.indexOf('/') >= 0 ? Library.open(Path.of(bundleOrPath))
                : Library.openBundled(bundleOrPath, Host.class.getClassLoader());
    }
}
