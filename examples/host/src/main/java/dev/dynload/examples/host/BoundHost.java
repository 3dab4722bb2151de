package dev.dynload.examples.host;

import dev.dynload.Library;

import java.nio.file.Path;

/** The seed's host with a typed binding: the C function is a method of a Java interface. */
public final class BoundHost {

    /** {@code const char* greet(void);} */
    interface Greeter {
        String greet();
    }

    private BoundHost() {
    }

    /**
     * Prints the greeting of the library at {@code args[0]}, or of {@code ./libtest.so}.
     *
     * @param args the library's path, optionally
     */
    public static void main(String[] args) {
        try (Library lib = Library.open(Path.of(args.length > 0 ? args[0] : "libtest.so"))) {
            Greeter g = lib.bind(Greeter.class);
            System.out.println(g.greet());                    // Hello from Rust!
        }
    }
}
