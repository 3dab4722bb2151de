package dev.dynload.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;

/** The seed's host in raw FFM, for the whole-process comparison. */
public final class FfmHost {

    private FfmHost() {
    }

    /**
     * Prints the greeting of the library at {@code args[0]}.
     *
     * @param args the library's path
     * @throws Throwable whatever the call throws
     */
    public static void main(String[] args) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(args[0]), arena);
            MethodHandle greet = Linker.nativeLinker().downcallHandle(lib.findOrThrow("greet"), FunctionDescriptor.of(ADDRESS));
            System.out.println(((MemorySegment) greet.invokeExact()).reinterpret(Long.MAX_VALUE).getString(0));
        }
    }
}
