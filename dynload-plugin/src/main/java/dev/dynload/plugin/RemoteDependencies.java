package dev.dynload.plugin;

import dev.dynload.IsolatedLibrary;
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

    /** Trampolines {@code first} on stand for the functions of {@code iface} of {@code provider}. */
    void register(int first, Plugin provider, ProvidedInterface iface) {
        byte[] kinds = kinds(iface);
        for (int j = 0; j < kinds.length; j++) {
            if (kinds[j] != 0) {
                byTrampoline.put(first + j, new Function(provider, iface, j, kinds[j] == 2));
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
        if (f == null) {
            return 0;
        }
        Plugin provider = f.provider();
        if (provider.rawState() != PluginState.STARTED) {
            sayOnce(f.name() + " was called while " + provider.id() + " is " + provider.rawState()
                    .name().toLowerCase(java.util.Locale.ROOT) + "; it returned 0");
            return 0;
        }
        try {
            Optional<PluginProcess> elsewhere = provider.process();
            return elsewhere.isPresent() ? inProcess(f, elsewhere.get(), ints, floats) : inJvm(f, ints, floats);
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
            return IsolatedAccess.get(IsolatedLibrary.class, dev.dynload.Sandbox.class).callRaw(current.process(),
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

    private void sayOnce(String message) {
        if (said.putIfAbsent(message, Boolean.TRUE) == null) {
            starter.say(who, PluginLogger.Level.ERROR, message);
        }
    }
}
