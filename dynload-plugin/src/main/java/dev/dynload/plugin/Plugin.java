package dev.dynload.plugin;

import org.jspecify.annotations.Nullable;
import dev.dynload.BindingException;
import dev.dynload.bind.FunctionTable;
import dev.dynload.internal.bind.BindingRules;
import dev.dynload.internal.bind.JavaMethod;
import dev.dynload.plugin.rules.PluginRules;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One plugin a {@link PluginHost} knows: its descriptor, where it is in its lifecycle, why it failed
 * if it did, and, once started, its interfaces bound to Java interfaces.
 *
 * {@snippet lang=c :
 * // manifest: provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32)
 * }
 * {@snippet :
 * @PluginInterface(id = "com.example.greeter", major = 1, minor = 2)
 * interface Greeter { String greet(String who); int add(int a, int b); }
 *
 * Plugin p = host.plugin("com.example.greeter.c").orElseThrow();
 * Greeter g = p.bind(Greeter.class);       // checked against the manifest's signatures
 * g.add(2, 3);                             // the cost of a raw FFM call
 * }
 *
 * <h2>Thread-safety</h2>
 * All methods may be called from any thread, and none holds a lock while plugin code runs. A bound
 * interface may be called from many threads; once the plugin is stopping, its methods throw
 * {@link IllegalStateException}, and the plugin's stop and destroy run only after the calls already
 * running (and the binds under way) have returned.
 */
public final class Plugin {

    /** Its file and manifest: another after a reload. */
    private volatile PluginDescriptor descriptor;
    /** Guards the fields below; held for a few field reads and writes, never across plugin or user code. */
    private final Object lock = new Object();
    private volatile PluginState state;
    private volatile String failure;
    /** The native side from STARTED until it is unloaded. */
    private NativePlugin loaded;
    private HostServices services;
    /** Binds under way: each may be running the plugin's get_interface, so stop waits for them. */
    private int binding;
    /** Where it runs: in process, unless the host isolates it. */
    private Isolation isolation = Isolation.inProcess();
    /** Its process and its index there, when it runs out of process; fixed once it starts. */
    private volatile @Nullable PluginProcess process;
    private volatile int index = -1;
    /** Calls into it running now, out of process: a stop waits for them. */
    private int calls;
    /** A reload is replacing it: binds wait until it is done; and the thread running it. */
    private boolean reloading;
    private @Nullable Thread reloader;
    /** Its bound interfaces in process, each a forwarder whose switch a reload moves; guarded by lock. */
    private final List<Bound> bound = new ArrayList<>();

    /**
     * One interface bound in process: what binding it again takes, and its forwarder's switch, weakly (a
     * forwarder nobody uses is collected with it).
     */
    record Bound(Class<?> iface, PluginInterface declared, MethodHandles.@Nullable Lookup lookup,
                 java.lang.ref.WeakReference<dev.dynload.internal.bind.Forwarder.Switch> target) {
    }

    Plugin(PluginDescriptor descriptor, PluginState state, String failure) {
        this.descriptor = descriptor;
        this.state = state;
        this.failure = failure;
    }

    /** {@return the plugin's file and manifest} */
    public PluginDescriptor descriptor() {
        return descriptor;
    }

    /** {@return the plugin's id} */
    public String id() {
        return descriptor.id();
    }

    /**
     * {@return where the plugin is in its lifecycle} For a plugin out of process, a process that has ended
     * since the last call shows here as {@link PluginState#CRASHED}.
     */
    public PluginState state() {
        PluginProcess p = process;
        if (state == PluginState.STARTED && p != null && p.ended()) {
            p.recordEndIfEnded(this, "its process ended (" + p.howEnded() + ")");
        }
        return state;
    }

    /** {@return the state as last set, without looking at a process} */
    PluginState rawState() {
        return state;
    }

    /** {@return where the plugin's code runs} */
    public Isolation isolation() {
        return isolation;
    }

    /**
     * {@return the id of the process the plugin runs in, when it runs out of process and its process is
     * running; for logs and tools (dynload never signals a process by its id)}
     */
    public java.util.OptionalLong processId() {
        PluginProcess p = process;
        if (p == null) {
            return java.util.OptionalLong.empty();
        }
        Optional<PluginProcess.Current> c = p.current();
        return c.isPresent() && c.get().process().isAlive() ? java.util.OptionalLong.of(c.get().process().pid())
                : java.util.OptionalLong.empty();
    }

    void isolate(Isolation isolation, PluginProcess process, int index) {
        synchronized (lock) {
            this.isolation = isolation;
            this.process = process;
            this.index = index;
        }
    }

    Optional<PluginProcess> process() {
        return Optional.ofNullable(process);
    }

    int index() {
        return index;
    }

    /**
     * Its process ended: a started (or starting) plugin is CRASHED, with the cause. A stopping one is left to
     * its stop, which sees the end itself; a crashed one gets the newer cause.
     */
    void crashed(String cause) {
        synchronized (lock) {
            if (state == PluginState.STARTED || state == PluginState.STARTING || state == PluginState.CRASHED) {
                failure = cause;
                state = PluginState.CRASHED;
                lock.notifyAll();
            }
        }
    }

    /** It crashed too often: it stays CRASHED, and says it is quarantined. */
    void quarantined(String why) {
        synchronized (lock) {
            failure = "quarantined: " + why;
            state = PluginState.CRASHED;
        }
    }

    /** {@return whether it is quarantined} */
    boolean isQuarantined() {
        String f = failure;
        return state == PluginState.CRASHED && f != null && f.startsWith("quarantined: ");
    }

    /** Started again in a new process. */
    void restarted() {
        synchronized (lock) {
            if (state == PluginState.CRASHED) {
                failure = null;
                state = PluginState.STARTED;
            }
        }
    }

    /** Out of process: a call begins, if the plugin is started. {@return its state, when it is not} */
    @Nullable PluginState enter() {
        synchronized (lock) {
            if (state != PluginState.STARTED) {
                return state;
            }
            calls++;
            return null;
        }
    }

    /** Out of process: a call ended. */
    void leave() {
        synchronized (lock) {
            if (--calls == 0) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Out of process: moves a started plugin to STOPPING and waits, up to the deadline
     * ({@link System#nanoTime()}), for its calls and binds to return. {@return whether they did; empty if it
     * was not started}
     */
    Optional<Boolean> stopIsolated(long deadline) {
        boolean interrupted = false;
        try {
            synchronized (lock) {
                if (state != PluginState.STARTED) {
                    return Optional.empty();
                }
                state = PluginState.STOPPING;
                while (calls > 0 || binding > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return Optional.of(false);
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                return Optional.of(true);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Out of process: stopped; its process may be gone with it. */
    void stoppedIsolated(@Nullable String note) {
        synchronized (lock) {
            failure = note;
            state = PluginState.STOPPED;
        }
    }

    /** Out of process: started. */
    void startedIsolated() {
        synchronized (lock) {
            failure = null;
            state = PluginState.STARTED;
        }
    }

    /**
     * {@return why the plugin failed, when its state is {@link PluginState#FAILED}; why it is left loaded,
     * when {@link PluginState#STUCK}; how its process ended, when {@link PluginState#CRASHED} (or when it was
     * {@link PluginState#STOPPED} without its stop and destroy, out of process)}
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    void starting() {
        synchronized (lock) {
            state = PluginState.STARTING;
        }
    }

    void started(NativePlugin n, HostServices s) {
        synchronized (lock) {
            loaded = n;
            services = s;
            failure = null;
            state = PluginState.STARTED;
        }
    }

    void failed(String why) {
        synchronized (lock) {
            failure = why;
            state = PluginState.FAILED;
        }
    }

    /**
     * Moves a started (or stuck) plugin to STOPPING: from now on nothing binds, and its bound methods are
     * about to throw. {@return its native side, or empty if it was neither started nor stuck}
     */
    Optional<NativePlugin> beginStop() {
        synchronized (lock) {
            if (state != PluginState.STARTED && state != PluginState.STUCK) {
                return Optional.empty();
            }
            state = PluginState.STOPPING;
            return Optional.of(loaded);
        }
    }

    /** Waits, up to the deadline ({@link System#nanoTime()}), for the binds under way to return. */
    boolean bindsReturned(long deadline) {
        boolean interrupted = false;
        try {
            synchronized (lock) {
                while (binding > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        interrupted = true; // kept, as NativePlugin.returned keeps it: the stop goes on
                    }
                }
                return true;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Leaves it loaded, without its stop and destroy: a call into it (or one it may make) has not returned. */
    void stuck(String why) {
        synchronized (lock) {
            failure = why;
            state = PluginState.STUCK;
        }
    }

    /** After its stop, destroy and unload. */
    void stopped() {
        synchronized (lock) {
            loaded = null;
            services = null;
            failure = null;
            state = PluginState.STOPPED;
        }
    }

    /**
     * A reload begins: waits for the binds under way, then makes new binds wait until {@link #reloaded}.
     * {@return its native side and its interfaces bound now, or empty if it is not started}
     */
    Optional<List<Bound>> beginReload() {
        boolean interrupted = false;
        try {
            synchronized (lock) {
                while (binding > 0 && state == PluginState.STARTED) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (state != PluginState.STARTED || (loaded == null && process == null)) {
                    return Optional.empty();
                }
                reloading = true;
                reloader = Thread.currentThread();
                List<Bound> live = new ArrayList<>();
                expunge();
                live.addAll(bound);
                return Optional.of(live);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Replaced copies a reload had to leave loaded and started, retired once this plugin stops. */
    private final List<Runnable> kept = new ArrayList<>();

    /** Keeps a replaced copy's retirement for this plugin's stop. */
    void keep(Runnable retire) {
        synchronized (lock) {
            kept.add(retire);
        }
    }

    /** {@return the retirements kept, now taken: run them once this plugin is stopped} */
    List<Runnable> takeKept() {
        synchronized (lock) {
            List<Runnable> all = List.copyOf(kept);
            kept.clear();
            return all;
        }
    }

    /** Drops the bound interfaces whose forwarders were collected; called with the lock held. */
    private void expunge() {
        for (java.util.Iterator<Bound> i = bound.iterator(); i.hasNext(); ) {
            if (i.next().target().get() == null) {
                i.remove();
            }
        }
    }

    /** Out of process, at a reload's switch: the copy that runs now is described by {@code d}. */
    void describe(PluginDescriptor d) {
        synchronized (lock) {
            descriptor = d;
        }
    }

    /** The reload is done: {@code next} replaced it (or, when null, it failed and the plugin is as it was). */
    void reloaded(@Nullable PluginDescriptor next, @Nullable NativePlugin n, @Nullable HostServices s) {
        synchronized (lock) {
            if (next != null) {
                descriptor = next;
                if (n != null) {
                    loaded = n;
                    services = s;
                }
            }
            reloading = false;
            reloader = null;
            lock.notifyAll();
        }
    }

    /** Out of process: a bind begins (it runs the plugin's get_interface), if the plugin is started. */
    void beginBind() {
        synchronized (lock) {
            if (state != PluginState.STARTED) {
                throw new IllegalStateException("plugin " + id() + " is " + state.name().toLowerCase(java.util.Locale.ROOT)
                        + "; bind its interfaces while it is started");
            }
            binding++;
        }
    }

    /** Out of process: a bind ended. */
    void endBind() {
        synchronized (lock) {
            if (--binding == 0) {
                lock.notifyAll();
            }
        }
    }

    /** {@return the native side while loaded} */
    Optional<NativePlugin> loaded() {
        synchronized (lock) {
            return Optional.ofNullable(loaded);
        }
    }

    /** {@return the host services given to it at init, while loaded} */
    Optional<HostServices> services() {
        synchronized (lock) {
            return Optional.ofNullable(services);
        }
    }

    /**
     * Binds a Java interface, annotated with {@link PluginInterface}, to the plugin's table of that
     * interface. Each method's C signature (as dynload maps its Java types) is checked against the one
     * the plugin's manifest declares; a method the plugin's table lacks (an older minor) keeps its default
     * body, or throws {@link UnsupportedOperationException} naming the plugin, the interface and both
     * versions.
     *
     * @param iface the interface
     * @param <T> its type
     * @return the plugin's implementation
     * @throws IllegalStateException if the plugin has not started, or has stopped
     * @throws IllegalArgumentException if {@code iface} is not annotated with {@link PluginInterface}
     * @throws BindingException if the plugin does not provide the interface, gives no table for it, or a
     *         signature differs from its manifest's, naming both
     */
    public <T> T bind(Class<T> iface) {
        return bind(iface, null);
    }

    /**
     * {@link #bind(Class)} with the caller's access rights, for interfaces in packages not opened to
     * dynload.
     *
     * @param iface the interface
     * @param lookup a lookup with full privilege in the interface's package, or null
     * @param <T> its type
     * @return the plugin's implementation
     */
    public <T> T bind(Class<T> iface, MethodHandles.@Nullable Lookup lookup) {
        PluginInterface declared = iface.getAnnotation(PluginInterface.class);
        if (declared == null) {
            throw new IllegalArgumentException(iface.getName() + " has no @PluginInterface saying which interface "
                    + "id and version it stands for");
        }
        provided(iface, declared, descriptor); // refused by name before anything waits
        NativePlugin n = enterBind();
        try {
            // The plugin's get_interface runs here, outside the lock; stop and reload wait for this bind.
            return forwarded(iface, n == null ? bindIsolated(iface, declared, lookup)
                    : bindNative(n, iface, declared, lookup), declared, lookup);
        } finally {
            endBind();
        }
    }

    /**
     * Counts a bind in, once no reload runs: the bind goes to the copy that serves after it (out of
     * process, the plugin is STOPPING while the old process drains; the bind waits all the same). {@return
     * its native side, in process; null out of process, where its process's bind checks the state}
     *
     * @throws IllegalStateException if this thread runs the plugin's reload (it would wait for itself), or,
     *         in process, if the plugin is not started
     */
    private @Nullable NativePlugin enterBind() {
        boolean interrupted = false;
        try {
            synchronized (lock) {
                if (reloading && reloader == Thread.currentThread()) {
                    throw new IllegalStateException("plugin " + id() + " is being reloaded by this thread (a bind from "
                            + "its logger, or from its own lifecycle code?); bind it once reload() has returned");
                }
                while (reloading) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (process == null && state != PluginState.STARTED) {
                    throw new IllegalStateException("plugin " + id() + " is " + state.name().toLowerCase(
                            java.util.Locale.ROOT) + "; bind its interfaces while it is started");
                }
                binding++;
                return process == null ? loaded : null;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits while a reload of this plugin runs, unless this thread runs it: a dependency's call through the
     * host goes to the copy that serves after it. Bounded by the reload's own time limits.
     */
    void awaitReloaded() {
        boolean interrupted = false;
        synchronized (lock) {
            while (reloading && reloader != Thread.currentThread()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A forwarder to {@code target}, kept so that a reload can move it. */
    private <T> T forwarded(Class<T> iface, T target, PluginInterface declared, MethodHandles.@Nullable Lookup lookup) {
        dev.dynload.internal.bind.Forwarder.Switch sw = new dev.dynload.internal.bind.Forwarder.Switch(target);
        T forwarder = process != null ? IsolatedBinding.forwarder(iface, sw)
                : dev.dynload.internal.bind.Forwarder.make(iface, sw, lookup);
        synchronized (lock) {
            expunge();
            bound.add(new Bound(iface, declared, lookup, new java.lang.ref.WeakReference<>(sw)));
        }
        return forwarder;
    }

    /** {@return where messages say a bind went: the plugin and its file} */
    private String where(PluginDescriptor d) {
        return id() + " (" + d.file() + ")";
    }

    /**
     * {@return the interface {@code d}'s manifest provides for {@code declared}}
     *
     * @throws BindingException if it provides none
     */
    private ProvidedInterface provided(Class<?> iface, PluginInterface declared, PluginDescriptor d) {
        Optional<ProvidedInterface> found = d.manifest().provided(declared.id(), declared.major());
        if (found.isEmpty()) {
            throw new BindingException(iface, where(d), List.of("the plugin does not provide " + declared.id() + "/"
                    + declared.major() + "; its manifest provides " + d.manifest().provides()));
        }
        return found.get();
    }

    /**
     * {@return the interface {@code d} provides for {@code declared}, each Java method checked against it}
     *
     * @throws BindingException if it provides none, or a signature differs
     */
    private ProvidedInterface checked(Class<?> iface, PluginInterface declared, PluginDescriptor d) {
        ProvidedInterface provided = provided(iface, declared, d);
        List<String> problems = check(iface, declared, provided);
        if (!problems.isEmpty()) {
            throw new BindingException(iface, where(d), problems);
        }
        return provided;
    }

    /**
     * Binds {@code iface} to this plugin in its process, as its descriptor provides it now: the object a
     * forwarder calls.
     *
     * @throws BindingException if a signature differs, or the plugin does not provide it
     */
    <T> T bindIsolated(Class<T> iface, PluginInterface declared, MethodHandles.@Nullable Lookup lookup) {
        PluginDescriptor d = descriptor;
        return IsolatedBinding.bind(this, iface, declared, checked(iface, declared, d), where(d), lookup);
    }

    /**
     * Binds {@code iface} to {@code n}'s table of it, as {@code n}'s descriptor provides it: the object a
     * forwarder calls. Runs the plugin's get_interface.
     *
     * @throws BindingException if the plugin gives no table, or the descriptor does not provide it
     */
    <T> T bindNative(NativePlugin n, Class<T> iface, PluginInterface declared, MethodHandles.@Nullable Lookup lookup) {
        PluginDescriptor d = n.descriptor();
        String where = where(d);
        // Against the copy bound, not the descriptor read before: a reload may have brought other signatures.
        ProvidedInterface provided = checked(iface, declared, d);
        Optional<MemorySegment> given = n.getInterface(declared.id(), declared.major(), 0);
        if (given.isEmpty()) {
            throw new BindingException(iface, where, List.of("its get_interface gave NULL for " + declared.id()
                    + "/" + declared.major() + ", which its manifest provides"));
        }
        return n.library().bind(iface, Table.read(given.get(), provided, declared, id()), lookup);
    }

    /**
     * The plugin's interface table, read once when the interface is bound: its minor, and the address of
     * each function the manifest lists that lies within the table's size. A method linked on its first call
     * reads these, never the plugin's memory, which may be unloaded by then.
     */
    private record Table(long[] functions, int minor, ProvidedInterface provided, PluginInterface declared,
                         String plugin) implements FunctionTable {

        static Table read(MemorySegment table, ProvidedInterface provided, PluginInterface declared, String plugin) {
            // dlp_interface (Abi.INTERFACE), then one function pointer per function the manifest declares.
            long header = Abi.INTERFACE.byteSize();
            long pointer = ValueLayout.ADDRESS.byteSize();
            long size = table.byteSize();
            int count = (int) Math.min(provided.functions().size(), Math.max(0, (size - header) / pointer));
            long[] functions = new long[count];
            for (int i = 0; i < count; i++) {
                functions[i] = table.get(ValueLayout.ADDRESS_UNALIGNED, header + pointer * i).address();
            }
            return new Table(functions, table.get(ValueLayout.JAVA_INT_UNALIGNED, Abi.INTERFACE_MINOR), provided,
                    declared, plugin);
        }

        @Override
        public Optional<MemorySegment> find(String function) {
            int index = indexOf(provided, function);
            if (index < 0 || index >= functions.length || functions[index] == 0) {
                return Optional.empty();
            }
            return Optional.of(MemorySegment.ofAddress(functions[index]));
        }

        @Override
        public String absent(Method method) {
            return "plugin " + plugin + " implements " + declared.id() + "/" + declared.major() + "." + minor
                    + ", which has no " + symbolOf(method) + "; the host's " + method.getDeclaringClass().getSimpleName()
                    + " is " + declared.id() + "/" + declared.major() + "." + declared.minor();
        }
    }

    /** The function a method stands for: its name, or its {@link dev.dynload.bind.Symbol}, as binding reads it. */
    static String symbolOf(Method m) {
        dev.dynload.bind.Symbol s = m.getAnnotation(dev.dynload.bind.Symbol.class);
        return s != null ? s.value() : m.getName();
    }

    static int indexOf(ProvidedInterface provided, String function) {
        for (int i = 0; i < provided.functions().size(); i++) {
            if (provided.functions().get(i).name().equals(function)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Each Java method against the manifest: the same C signature, or a problem naming both; and, where
     * the {@code @PluginInterface} declares its functions, against that declaration, as the annotation
     * processor checked it when the host compiled.
     */
    List<String> check(Class<?> iface, PluginInterface declared, ProvidedInterface provided) {
        List<String> problems = new ArrayList<>();
        List<JavaMethod> views = new ArrayList<>();
        List<String> symbols = new ArrayList<>();
        String owner = iface.getSimpleName();
        List<FunctionSignature> functions = PluginRules.declared(owner, declared.functions(), problems);
        for (Method m : iface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            JavaMethod view = JavaMethod.of(m);
            if (PluginRules.compared(m.isDefault(), symbolOf(m), functions)) {
                views.add(view);
                symbols.add(symbolOf(m));
            }
            int index = indexOf(provided, symbolOf(m));
            if (index < 0) {
                if (Modifier.isAbstract(m.getModifiers()) && declared.minor() <= provided.minor()) {
                    problems.add(describe(m) + " is not a function of " + provided + " as plugin " + id()
                            + " declares it (" + provided.functions() + ")");
                }
                continue; // a newer minor's function: absent from this plugin's table
            }
            FunctionSignature c = provided.functions().get(index);
            Optional<FunctionDescriptor> java = PluginRules.check(m.getDeclaringClass().getSimpleName(), view, problems);
            if (java.isEmpty()) {
                continue;
            }
            Optional<String> difference = PluginRules.difference(view, java.get(), c);
            if (difference.isPresent()) {
                problems.add(describe(m) + " does not match " + c + " of plugin " + id() + ": " + difference.get());
            }
        }
        if (!functions.isEmpty()) {
            for (BindingRules.Problem p : PluginRules.checkDeclared(owner, views, symbols, functions)) {
                problems.add(p.message());
            }
        }
        return problems;
    }

    /** {@return {@code Greeter.add(int, int)}, for messages} */
    static String describe(Method m) {
        return PluginRules.describe(m.getDeclaringClass().getSimpleName(), JavaMethod.of(m));
    }

    @Override
    public String toString() {
        return "Plugin[" + descriptor + ", " + state + (failure == null ? "" : ": " + failure) + "]";
    }
}
