package dev.dynload.plugin;

import dev.dynload.LibraryCrashedException;
import dev.dynload.internal.IsolatedAccess;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The functions of an isolated plugin's dependencies that run out of its process: in the JVM, or in
 * another plugin process. The runner gives the plugin a table of trampolines for each of their interfaces
 * (plugins.c, the REMOTE step); a trampoline called during a call or a step of the host calls back to the
 * host on that call's slot, and this class makes the call on the provider, with the same register
 * arguments, and hands back the result. A function that passes a {@code str} or {@code ptr} (an address
 * in one process) has no trampoline: its entry is NULL. A provider that is not started gets no call: the
 * trampoline returns 0 and the log says so once.
 */
final class RemoteDependencies implements IsolatedAccess.RemoteCalls {

    private static final Linker LINKER = Linker.nativeLinker();
    /** Every function called through the register classes: six integers and six doubles, as the runner does. */
    private static final FunctionDescriptor INT_SHAPE = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE);
    private static final FunctionDescriptor DOUBLE_SHAPE = FunctionDescriptor.of(JAVA_DOUBLE, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE,
            JAVA_DOUBLE);

    /** One function of a provider's interface, as trampoline K stands for it. */
    record Function(Plugin provider, ProvidedInterface iface, int index, boolean floatResult) {
        String name() {
            return provider.id() + "'s " + iface.id() + "/" + iface.major() + " " + iface.functions().get(index).name();
        }
    }

    private final PluginStarter starter;
    /** The process whose plugins call out, for the log. */
    private final String who;
    private final Map<Integer, Function> byTrampoline = new ConcurrentHashMap<>();
    /** In-process providers: each function's downcall, made once. */
    private final Map<Function, MethodHandle> downcalls = new ConcurrentHashMap<>();
    /** Isolated providers: each function's index in the provider's runner, for one of its processes. */
    private final Map<Function, int[]> indices = new ConcurrentHashMap<>();
    private final Map<String, Boolean> said = new ConcurrentHashMap<>();

    RemoteDependencies(PluginStarter starter, String who) {
        this.starter = starter;
        this.who = who;
    }

    /**
     * {@return per function of {@code iface}: 0 where it cannot be carried (a str or ptr), 1 where it returns
     * in the integer register, 2 in the floating-point one}
     */
    static byte[] kinds(ProvidedInterface iface) {
        byte[] kinds = new byte[iface.functions().size()];
        for (int j = 0; j < kinds.length; j++) {
            FunctionSignature f = iface.functions().get(j);
            boolean addresses = f.result() == CType.STR || f.result() == CType.PTR
                    || f.parameters().contains(CType.STR) || f.parameters().contains(CType.PTR);
            int floats = 0;
            for (CType t : f.parameters()) {
                floats += t == CType.F32 || t == CType.F64 ? 1 : 0;
            }
            boolean fits = floats <= 6 && f.parameters().size() - floats <= 6;
            kinds[j] = (byte) (addresses || !fits ? 0 : f.result() == CType.F32 || f.result() == CType.F64 ? 2 : 1);
        }
        return kinds;
    }

    /**
     * Trampolines {@code first} on stand for the carried functions of {@code iface} of {@code provider}, in
     * table order (plugins.c numbers only those).
     */
    void register(int first, Plugin provider, ProvidedInterface iface) {
        byte[] kinds = kinds(iface);
        int k = first;
        for (int j = 0; j < kinds.length; j++) {
            if (kinds[j] != 0) {
                byTrampoline.put(k++, new Function(provider, iface, j, kinds[j] == 2));
            }
        }
    }

    /** A new process: its trampolines are numbered afresh. */
    void clear() {
        byTrampoline.clear();
        indices.clear();
    }

    @Override
    public long call(int trampoline, long[] ints, long[] floats) {
        Function f = byTrampoline.get(trampoline);
        return f == null ? 0 : call(f, ints, floats);
    }

    /** Calls function {@code f} on its provider with these registers; {@return the result's bits, 0 on failure} */
    long call(Function f, long[] ints, long[] floats) {
        Plugin provider = f.provider();
        if (provider.rawState() != PluginState.STARTED) {
            sayOnce(f.name() + " was called while " + provider.id() + " is " + provider.rawState()
                    .name().toLowerCase(java.util.Locale.ROOT) + "; it returned 0");
            return 0;
        }
        try {
            Optional<PluginProcess> elsewhere = provider.process();
            if (elsewhere.isPresent()) {
                PluginState refused = provider.enter(); // counted among its calls: its stop waits for this one
                if (refused != null) {
                    throw new IllegalStateException(provider.id() + " is " + refused.name().toLowerCase(java.util.Locale.ROOT));
                }
                try {
                    return inProcess(f, elsewhere.get(), ints, floats);
                } finally {
                    provider.leave();
                }
            }
            provider.beginBind(); // its stop waits for this call before its stop, destroy and unload run
            try {
                return inJvm(f, ints, floats);
            } finally {
                provider.endBind();
            }
        } catch (Throwable t) {
            sayOnce(f.name() + " failed: " + t.getMessage() + "; it returned 0");
            return 0;
        }
    }

    /** The provider runs in another plugin process: the same registers, through its channel. */
    private long inProcess(Function f, PluginProcess other, long[] ints, long[] floats) throws NativePlugin.Refused {
        PluginProcess.Current current = other.current().orElseThrow(() -> new IllegalStateException(
                other.key() + " is not running"));
        int[] known = indices.get(f);
        if (known == null || known[0] != current.generation()) {
            Optional<PluginProcess.Table> table = other.getInterface(f.provider().index(), f.iface().id(),
                    f.iface().major(), 0, f.iface().functions().size());
            if (table.isEmpty()) {
                throw new IllegalStateException("its get_interface gave NULL");
            }
            known = new int[] {current.generation(), table.get().functions()[f.index()]};
            indices.put(f, known);
        }
        if (known[1] < 0) {
            throw new IllegalStateException("its table has no such function");
        }
        try {
            return PluginProcess.access().callRaw(current.process(),
                    known[1], f.name(), f.floatResult(), ints, floats);
        } catch (LibraryCrashedException e) {
            other.recordEndIfEnded(f.provider(), String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /** The provider runs in the JVM: a downcall to its function, through the register classes. */
    private long inJvm(Function f, long[] ints, long[] floats) throws Throwable {
        MethodHandle h = downcalls.get(f);
        if (h == null) {
            NativePlugin n = f.provider().loaded().orElseThrow(() -> new IllegalStateException("it is not loaded"));
            MemorySegment table = n.getInterface(f.iface().id(), f.iface().major(), 0).orElseThrow(
                    () -> new IllegalStateException("its get_interface gave NULL"));
            long at = 8 + 8L * f.index();
            if (at + 8 > table.byteSize()) {
                throw new IllegalStateException("its table has no such function");
            }
            MemorySegment function = table.get(ValueLayout.ADDRESS_UNALIGNED, at);
            if (function.address() == 0) {
                throw new IllegalStateException("its table's entry is NULL");
            }
            h = LINKER.downcallHandle(function, f.floatResult() ? DOUBLE_SHAPE : INT_SHAPE);
            downcalls.put(f, h);
        }
        double a = Double.longBitsToDouble(floats[0]);
        double b = Double.longBitsToDouble(floats[1]);
        double c = Double.longBitsToDouble(floats[2]);
        double d = Double.longBitsToDouble(floats[3]);
        double e = Double.longBitsToDouble(floats[4]);
        double g = Double.longBitsToDouble(floats[5]);
        if (f.floatResult()) {
            return Double.doubleToRawLongBits((double) h.invokeExact(ints[0], ints[1], ints[2], ints[3], ints[4],
                    ints[5], a, b, c, d, e, g));
        }
        return (long) h.invokeExact(ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], a, b, c, d, e, g);
    }

    private static final MethodHandle INT_UPCALL;
    private static final MethodHandle DOUBLE_UPCALL;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            java.lang.invoke.MethodType shape = java.lang.invoke.MethodType.methodType(long.class, RemoteDependencies.class,
                    Function.class, long.class, long.class, long.class, long.class, long.class, long.class, double.class,
                    double.class, double.class, double.class, double.class, double.class);
            INT_UPCALL = l.findStatic(RemoteDependencies.class, "upcallInt", shape);
            DOUBLE_UPCALL = l.findStatic(RemoteDependencies.class, "upcallDouble", shape.changeReturnType(double.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long upcallInt(RemoteDependencies r, Function f, long a, long b, long c, long d, long e, long g,
                                  double x, double y, double z, double u, double v, double w) {
        return r.call(f, new long[] {a, b, c, d, e, g}, bits(x, y, z, u, v, w));
    }

    private static double upcallDouble(RemoteDependencies r, Function f, long a, long b, long c, long d, long e,
                                       long g, double x, double y, double z, double u, double v, double w) {
        return Double.longBitsToDouble(r.call(f, new long[] {a, b, c, d, e, g}, bits(x, y, z, u, v, w)));
    }

    private static long[] bits(double... values) {
        long[] b = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = Double.doubleToRawLongBits(values[i]);
        }
        return b;
    }

    /**
     * {@return for a plugin in the JVM, a table of {@code iface} of isolated {@code provider}: a dlp_interface
     * header and an upcall stub per function (NULL for one that passes a str or ptr), each calling the
     * provider in its process; in {@code arena}, the calling plugin's, which lives until it is unloaded}
     * The stubs never throw into C: a failure returns 0 and is logged once.
     */
    MemorySegment upcallTable(Plugin provider, ProvidedInterface iface, java.lang.foreign.Arena arena) {
        byte[] kinds = kinds(iface);
        MemorySegment table = arena.allocate(8 + 8L * kinds.length, 8);
        table.set(ValueLayout.JAVA_INT, 0, 8 + 8 * kinds.length);
        table.set(ValueLayout.JAVA_INT, 4, iface.minor());
        for (int j = 0; j < kinds.length; j++) {
            MemorySegment stub = MemorySegment.NULL;
            if (kinds[j] != 0) {
                Function f = new Function(provider, iface, j, kinds[j] == 2);
                MethodHandle h = java.lang.invoke.MethodHandles.insertArguments(kinds[j] == 2 ? DOUBLE_UPCALL : INT_UPCALL,
                        0, this, f);
                stub = LINKER.upcallStub(h, kinds[j] == 2 ? DOUBLE_SHAPE : INT_SHAPE, arena);
            }
            table.set(ValueLayout.ADDRESS, 8 + 8L * j, stub);
        }
        return table;
    }

    private void sayOnce(String message) {
        if (said.putIfAbsent(message, Boolean.TRUE) == null) {
            starter.say(who, PluginLogger.Level.ERROR, message);
        }
    }
}
