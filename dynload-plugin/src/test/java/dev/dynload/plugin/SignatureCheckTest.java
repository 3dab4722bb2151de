package dev.dynload.plugin;

import dev.dynload.Signatures;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Java methods against manifest signatures: the first slot that differs, in the manifest's words. */
class SignatureCheckTest {

    interface Stats {
        double mean(String values, long n);

        double meanOf(MemorySegment values, long n);

        double meanOfArray(double[] values, long n);

        double meanOfLongs(long[] values, long n);

        int count(MemorySegment values);

        void reset(long n, int extra);
    }

    private static final FunctionSignature MEAN = PluginManifest.parse("id = a\nversion = 1.0.0\nabi = 1..1\n"
            + "provides = x/1.0: mean = f64(ptr, u64)\n").provides().getFirst().functions().getFirst();

    private static Optional<String> check(String method, FunctionSignature c) throws NoSuchMethodException {
        for (Method m : Stats.class.getMethods()) {
            if (m.getName().equals(method)) {
                return dev.dynload.plugin.rules.PluginRules.difference(dev.dynload.internal.bind.JavaMethod.of(m), Signatures.of(m), c);
            }
        }
        throw new NoSuchMethodException(method);
    }

    @Test
    void aStringWhereTheManifestHasPtrIsTheDifferenceNamedNotTheUnsignedLong() throws Exception {
        assertEquals(Optional.of("its parameter 1, a String, is str to dynload, where the manifest has ptr; for ptr, "
                + "give a MemorySegment or an array (a ptr is untyped: check what it points to yourself)"),
                check("mean", MEAN));
        assertEquals(Optional.empty(), check("meanOf", MEAN), "a long serves u64");
        assertEquals(Optional.empty(), check("meanOfArray", MEAN));
        // The documented limit of an untyped ptr: it says nothing of what the pointer points to.
        assertEquals(Optional.empty(), check("meanOfLongs", MEAN));
    }

    @Test
    void resultsAndCountsAreNamedToo() throws Exception {
        assertEquals(Optional.of("its result, an int, is i32 or u32 to dynload, where the manifest has f64; for f64, "
                + "give a double"), check("count", new FunctionSignature("count", CType.F64, java.util.List.of(CType.PTR))));
        assertEquals(Optional.of("it takes 2 parameters, and the C function 1"),
                check("reset", new FunctionSignature("reset", CType.VOID, java.util.List.of(CType.U64))));
        assertEquals(Optional.empty(),
                check("reset", new FunctionSignature("reset", CType.VOID, java.util.List.of(CType.U64, CType.I32))));
    }
}
