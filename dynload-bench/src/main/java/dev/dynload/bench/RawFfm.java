package dev.dynload.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Hand-written FFM: a static final handle per function, plain and critical. */
final class RawFfm {

    private RawFfm() {
    }

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIB = SymbolLookup.libraryLookup(BenchLibrary.PATH, Arena.global());
    static final StructLayout VEC2 = MemoryLayout.structLayout(JAVA_DOUBLE.withName("x"), JAVA_DOUBLE.withName("y"));

    static MethodHandle handle(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.downcallHandle(LIB.findOrThrow(name), d, options);
    }

    static final MethodHandle NOOP = handle("bench_noop", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle ADD = handle("bench_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle MUL = handle("bench_mul", FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE));
    static final MethodHandle GREET = handle("bench_greet", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle STRLEN = handle("bench_strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    static final MethodHandle SUM = handle("bench_sum", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));
    static final MethodHandle DOT = handle("bench_dot", FunctionDescriptor.of(JAVA_DOUBLE, VEC2, VEC2));

    static final Linker.Option CRITICAL = Linker.Option.critical(true);
    static final MethodHandle NOOP_CRITICAL = handle("bench_noop", FunctionDescriptor.of(JAVA_INT), CRITICAL);
    static final MethodHandle ADD_CRITICAL = handle("bench_add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CRITICAL);
    static final MethodHandle MUL_CRITICAL = handle("bench_mul", FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE),
            CRITICAL);
    static final MethodHandle GREET_CRITICAL = handle("bench_greet", FunctionDescriptor.of(ADDRESS), CRITICAL);
    static final MethodHandle STRLEN_CRITICAL = handle("bench_strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS), CRITICAL);
    static final MethodHandle SUM_CRITICAL = handle("bench_sum", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG), CRITICAL);

    static final MethodHandle QSORT = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("qsort"),
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    static final MemorySegment COMPARE;

    static {
        try {
            MethodHandle compare = MethodHandles.lookup().findStatic(RawFfm.class, "compare",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));
            var pointer = ADDRESS.withTargetLayout(JAVA_INT);
            COMPARE = LINKER.upcallStub(compare, FunctionDescriptor.of(JAVA_INT, pointer, pointer), Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static int compare(MemorySegment a, MemorySegment b) {
        return Integer.compare(a.get(JAVA_INT, 0), b.get(JAVA_INT, 0));
    }
}
