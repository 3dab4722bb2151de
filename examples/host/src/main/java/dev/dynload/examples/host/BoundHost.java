package dev.dynload.examples.host;

import dev.dynload.Library;
import dev.dynload.bind.LibraryInterface;

/** The seed's host with a typed binding: the C function is a method of a Java interface. */
public final class BoundHost {

    /**
     * {@code const char* greet(void);} Checked by dynload's annotation processor when it compiles, which
     * writes its implementation: {@code bind} then writes none at run time.
     */
    @LibraryInterface
    interface Greeter {
        String greet();
    }

    private BoundHost() {
    }

    /**
     * Prints the greeting of a bundled library ({@code rust-greeter} by default), or of the library file at
     * {@code args[0]}.
     *
     * @param args a bundle's name or a library's path, optionally
     */
    public static void main(String[] args) {
        try (Library lib = Host.open(args.length > 0 ? args[0] : "rust-greeter")) {
            Greeter g = lib.bind(Greeter.class);
            System.out.println(g.greet());                    // Hello from Rust!
        }
    }
}
