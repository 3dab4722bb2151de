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

import org.jspecify.annotations.Nullable;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The functions of an isolated plugin's dependencies that run out of its process: in the JVM, or in
 * another plugin process. The runner gives the plugin a table of trampolines for each of their interfaces
 * (plugins.c, the REMOTE step); a trampoline called during a call or a step of the host calls back to the
 * host on that call's slot, and this class makes the call on the provider, with the same register
 * arguments, and hands back the result. A {@code str} crosses as its bytes: the runner copies a str
 * argument into the calling slot's bulk area, this class reads it from there and gives the provider a
 * string of its own process, and writes a str result back into the same area. A function that passes a
 * {@code ptr} (an address in one process) has no trampoline: its entry is NULL. A provider that is not
 * started gets no call: the trampoline returns 0 (NULL for a str) and the log says so once.
 */
final class RemoteDependencies implements IsolatedAccess.RemoteCalls {

    private static final Linker LINKER = Linker.nativeLinker();
    /** Every function called through the register classes: six integers and six doubles, as the runner does. */
    private static final FunctionDescriptor INT_SHAPE = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE);
    private static final FunctionDescriptor DOUBLE_SHAPE = FunctionDescriptor.of(JAVA_DOUBLE, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE,
            JAVA_DOUBLE);

    /**
     * One function of a provider's interface, as trampoline K stands for it: whether it returns in the
     * floating-point register or returns a str, and the bits of its integer arguments that are a str.
     */
    record Function(Plugin provider, ProvidedInterface iface, int index, boolean floatResult, boolean textResult,
                    int texts) {
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
     * {@return two bytes per function of {@code iface}, as plugins.c's REMOTE step reads them: 0 where it
     * cannot be carried (a ptr, or more arguments than registers), 1 where it returns in the integer
     * register, 2 in the floating-point one, 3 where it returns a str; then the bits of its integer
     * arguments that are a str}
     */
    static byte[] kinds(ProvidedInterface iface) {
        byte[] kinds = new byte[2 * iface.functions().size()];
        for (int j = 0; j < iface.functions().size(); j++) {
            FunctionSignature f = iface.functions().get(j);
            boolean addresses = f.result() == CType.PTR || f.parameters().contains(CType.PTR);
            int floats = 0;
            int ints = 0;
            int texts = 0;
            for (CType t : f.parameters()) {
                if (t == CType.F32 || t == CType.F64) {
                    floats++;
                } else {
                    texts |= t == CType.STR && ints < 6 ? 1 << ints : 0;
                    ints++;
                }
            }
            boolean fits = floats <= 6 && ints <= 6;
            kinds[2 * j] = (byte) (addresses || !fits ? 0 : f.result() == CType.F32 || f.result() == CType.F64 ? 2
                    : f.result() == CType.STR ? 3 : 1);
            kinds[2 * j + 1] = (byte) (kinds[2 * j] == 0 ? 0 : texts);
        }
        return kinds;
    }

    /** {@return function {@code j} of {@code iface} of {@code provider}, as its two bytes of {@link #kinds} say} */
    private static Function function(Plugin provider, ProvidedInterface iface, int j, byte[] kinds) {
        return new Function(provider, iface, j, kinds[2 * j] == 2, kinds[2 * j] == 3, kinds[2 * j + 1] & 0xff);
    }

    /**
     * Trampolines {@code first} on stand for the carried functions of {@code iface} of {@code provider}, in
     * table order (plugins.c numbers only those).
     */
    void register(int first, Plugin provider, ProvidedInterface iface) {
        byte[] kinds = kinds(iface);
        int k = first;
        for (int j = 0; j < kinds.length / 2; j++) {
            if (kinds[2 * j] != 0) {
                byTrampoline.put(k++, function(provider, iface, j, kinds));
            }
        }
    }

    /** A new process: its trampolines are numbered afresh. */
    void clear() {
        byTrampoline.clear();
        indices.clear();
    }

    @Override
    public long call(int trampoline, long[] ints, long[] floats, MemorySegment strings) {
        Function f = byTrampoline.get(trampoline);
        if (f == null) {
            return 0;
        }
        String[] texts = null;
        long end = 0; // past the argument strings: where a str result goes
        if (f.texts() != 0) {
            texts = new String[6];
            for (int k = 0; k < 6; k++) {
                if ((f.texts() & (1 << k)) == 0 || ints[k] == -1) {
                    continue;
                }
                try {
                    texts[k] = strings.getString(ints[k]);
                } catch (RuntimeException e) { // an offset or a string the runner would never send
                    sayOnce(f.name() + " got a damaged string argument; it returned 0");
                    return 0; // 0 or, for a str result, NULL
                }
                end = Math.max(end, (ints[k] + texts[k].getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1
                        + 7) & ~7L);
            }
        }
        Object result = call(f, ints, floats, texts);
        if (!f.textResult()) {
            return result == null ? 0 : (Long) result;
        }
        if (result == null) {
            return 0; // NULL: the runner reads 1 + the offset, so that any failure (0) is NULL too
        }
        byte[] bytes = ((String) result).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (end + bytes.length + 1 > strings.byteSize()) {
            sayOnce(f.name() + " returned a string longer than a call carries back; it returned NULL");
            return 0;
        }
        MemorySegment.copy(bytes, 0, strings, ValueLayout.JAVA_BYTE, end, bytes.length);
        strings.set(ValueLayout.JAVA_BYTE, end + bytes.length, (byte) 0);
        return end + 1;
    }

    /**
     * Calls function {@code f} on its provider with these registers, and {@code texts} for its str
     * arguments; {@return the result's bits as a Long, or the String it returned; null on failure (said once)}
     */
    @Nullable Object call(Function f, long[] ints, long[] floats, String @Nullable [] texts) {
        Plugin provider = f.provider();
        provider.awaitReloaded(); // a reload drains it: the call goes to the copy that serves after
        if (provider.rawState() != PluginState.STARTED) {
            sayOnce(f.name() + " was called while " + provider.id() + " is " + provider.rawState()
                    .name().toLowerCase(java.util.Locale.ROOT) + "; it returned " + (f.textResult() ? "NULL" : "0"));
            return null;
        }
        try {
            if (provider.process().isPresent()) {
                PluginState refused = provider.enter(); // counted among its calls: its stop waits for this one
                if (refused != null) {
                    throw new IllegalStateException(provider.id() + " is " + refused.name().toLowerCase(java.util.Locale.ROOT));
                }
                try {
                    // Read once counted in: a reload that moved it to another process has finished its switch.
                    return inProcess(f, provider.process().orElseThrow(), ints, floats, texts);
                } finally {
                    provider.leave();
                }
            }
            provider.beginBind(); // its stop waits for this call before its stop, destroy and unload run
            try {
                return inJvm(f, ints, floats, texts);
            } finally {
                provider.endBind();
            }
        } catch (Throwable t) {
            sayOnce(f.name() + " failed: " + t.getMessage() + "; it returned " + (f.textResult() ? "NULL" : "0"));
            return null;
        }
    }

    /** The provider runs in another plugin process: the same registers, through its channel. */
    private @Nullable Object inProcess(Function f, PluginProcess other, long[] ints, long[] floats,
                                       String @Nullable [] texts) throws NativePlugin.Refused {
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
            if (texts != null || f.textResult()) {
                return PluginProcess.access().callRawWithTexts(current.process(), known[1], f.name(), f.floatResult(),
                        f.textResult(), ints, floats, f.texts(), texts != null ? texts : new String[6]);
            }
            return PluginProcess.access().callRaw(current.process(),
                    known[1], f.name(), f.floatResult(), ints, floats);
        } catch (LibraryCrashedException e) {
            other.recordEndIfEnded(f.provider(), String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /** The provider runs in the JVM: a downcall to its function, through the register classes. */
    private Object inJvm(Function f, long[] ints, long[] floats, String @Nullable [] texts) throws Throwable {
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
        if (texts != null || f.textResult()) {
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                long[] registers = ints.clone();
                for (int k = 0; k < 6; k++) {
                    if ((f.texts() & (1 << k)) != 0) {
                        registers[k] = texts == null || texts[k] == null ? 0 : arena.allocateFrom(texts[k]).address();
                    }
                }
                Object bits = inJvm(f, h, registers, floats);
                if (!f.textResult()) {
                    return bits;
                }
                long address = (Long) bits; // the provider's string, valid until this thread calls it again
                return address == 0 ? null : MemorySegment.ofAddress(address).reinterpret(Long.MAX_VALUE).getString(0);
            }
        }
        return inJvm(f, h, ints, floats);
    }

    private static Object inJvm(Function f, MethodHandle h, long[] ints, long[] floats) throws Throwable {
        double a = Double.longBitsToDouble(floats[0]);
        double b = Double.longBitsToDouble(floats[1]);
        double c = Double.longBitsToDouble(floats[2]);
        double d = Double.longBitsToDouble(floats[3]);
        double e = Double.longBitsToDouble(floats[4]);
        double g = Double.longBitsToDouble(floats[5]);
        if (f.floatResult()) {
            return (Long) Double.doubleToRawLongBits((double) h.invokeExact(ints[0], ints[1], ints[2], ints[3], ints[4],
                    ints[5], a, b, c, d, e, g));
        }
        return (Long) (long) h.invokeExact(ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], a, b, c, d, e, g);
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

    /** An upcall stub's body: it never throws into C; a failure returns 0 (NULL) and is said once. */
    private static long upcallInt(RemoteDependencies r, Function f, long a, long b, long c, long d, long e, long g,
                                  double x, double y, double z, double u, double v, double w) {
        try {
            long[] ints = {a, b, c, d, e, g};
            Object result = r.call(f, ints, bits(x, y, z, u, v, w), texts(f, ints));
            if (!f.textResult()) {
                return result == null ? 0 : (Long) result;
            }
            if (result == null) {
                return 0; // NULL
            }
            // Valid until this thread calls through the table again, as the ABI asks of a str result.
            MemorySegment copy = java.lang.foreign.Arena.ofAuto().allocateFrom((String) result);
            r.lastText.set(copy);
            return copy.address();
        } catch (Throwable t) {
            r.sayOnce(f.name() + " failed: " + t + "; it returned 0");
            return 0;
        }
    }

    private static double upcallDouble(RemoteDependencies r, Function f, long a, long b, long c, long d, long e,
                                       long g, double x, double y, double z, double u, double v, double w) {
        try {
            long[] ints = {a, b, c, d, e, g};
            Object result = r.call(f, ints, bits(x, y, z, u, v, w), texts(f, ints));
            return Double.longBitsToDouble(result == null ? 0 : (Long) result);
        } catch (Throwable t) {
            r.sayOnce(f.name() + " failed: " + t + "; it returned 0");
            return 0;
        }
    }

    /** {@return the str arguments of an upcall, read from this process's memory; null when it has none} */
    private static String @Nullable [] texts(Function f, long[] ints) {
        if (f.texts() == 0) {
            return null;
        }
        String[] texts = new String[6];
        for (int k = 0; k < 6; k++) {
            if ((f.texts() & (1 << k)) != 0 && ints[k] != 0) {
                texts[k] = MemorySegment.ofAddress(ints[k]).reinterpret(Long.MAX_VALUE).getString(0);
            }
        }
        return texts;
    }

    /** Each thread's last str result of an upcall, kept alive until its next. */
    private final ThreadLocal<MemorySegment> lastText = new ThreadLocal<>();

    private static long[] bits(double... values) {
        long[] b = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = Double.doubleToRawLongBits(values[i]);
        }
        return b;
    }

    /**
     * {@return for a plugin in the JVM, a table of {@code iface} of isolated {@code provider}: a dlp_interface
     * header and an upcall stub per function (NULL for one that passes a ptr), each calling the
     * provider in its process; in {@code arena}, the calling plugin's, which lives until it is unloaded}
     * The stubs never throw into C: a failure returns 0 and is logged once.
     */
    MemorySegment upcallTable(Plugin provider, ProvidedInterface iface, java.lang.foreign.Arena arena) {
        byte[] kinds = kinds(iface);
        int count = kinds.length / 2;
        MemorySegment table = arena.allocate(8 + 8L * count, 8);
        table.set(ValueLayout.JAVA_INT, 0, 8 + 8 * count);
        table.set(ValueLayout.JAVA_INT, 4, iface.minor());
        for (int j = 0; j < count; j++) {
            MemorySegment stub = MemorySegment.NULL;
            if (kinds[2 * j] != 0) {
                Function f = function(provider, iface, j, kinds);
                MethodHandle h = java.lang.invoke.MethodHandles.insertArguments(f.floatResult() ? DOUBLE_UPCALL : INT_UPCALL,
                        0, this, f);
                stub = LINKER.upcallStub(h, f.floatResult() ? DOUBLE_SHAPE : INT_SHAPE, arena);
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
