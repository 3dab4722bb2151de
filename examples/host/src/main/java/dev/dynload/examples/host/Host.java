package dev.dynload.examples.host;

import dev.dynload.CString;
import dev.dynload.Library;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;

/** The seed's Rust host, line for line: open libtest.so, find greet, call it, print, unload. */
public final class Host {

    private Host() {
    }

    /**
     * Prints the greeting of the library at {@code args[0]}, or of {@code ./libtest.so}.
     *
     * @param args the library's path, optionally
     * @throws Throwable whatever the call throws
     */
    public static void main(String[] args) throws Throwable {
        try (Library lib = Library.open(Path.of(args.length > 0 ? args[0] : "./libtest.so"))) {
            MethodHandle greet = lib.downcall("greet", FunctionDescriptor.of(ADDRESS));
            String message = CString.read((MemorySegment) greet.invokeExact());
            System.out.println(message);
        }
    }
}
