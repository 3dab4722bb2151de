package dev.dynload.plugin;

import org.jspecify.annotations.Nullable;
import dev.dynload.BindingException;
import dev.dynload.bind.FunctionTable;
import dev.dynload.Signatures;

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

    private final PluginDescriptor descriptor;
    /** Guards the fields below; held for a few field reads and writes, never across plugin or user code. */
    private final Object lock = new Object();
    private volatile PluginState state;
    private volatile String failure;
    /** The native side from STARTED until it is unloaded. */
    private NativePlugin loaded;
    private HostServices services;
    /** Binds under way: each may be running the plugin's get_interface, so stop waits for them. */
    private int binding;

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

    /** {@return where the plugin is in its lifecycle} */
    public PluginState state() {
        return state;
    }

    /**
     * {@return why the plugin failed, when its state is {@link PluginState#FAILED}, or why it is left
     * loaded, when its state is {@link PluginState#STUCK}}
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
        String where = id() + " (" + descriptor.file() + ")";
        Optional<ProvidedInterface> found = descriptor.manifest().provided(declared.id(), declared.major());
        if (found.isEmpty()) {
            throw new BindingException(iface, where, List.of("the plugin does not provide " + declared.id() + "/"
                    + declared.major() + "; its manifest provides " + descriptor.manifest().provides()));
        }
        ProvidedInterface provided = found.get();
        List<String> problems = check(iface, declared, provided);
        if (!problems.isEmpty()) {
            throw new BindingException(iface, where, problems);
        }
        NativePlugin n;
        synchronized (lock) {
            if (state != PluginState.STARTED) {
                throw new IllegalStateException("plugin " + id() + " is " + state.name().toLowerCase(java.util.Locale.ROOT)
                        + "; bind its interfaces while it is started");
            }
            n = loaded;
            binding++;
        }
        try {
            // The plugin's get_interface runs here, outside the lock; stop waits for this bind to return.
            Optional<MemorySegment> given = n.getInterface(declared.id(), declared.major(), 0);
            if (given.isEmpty()) {
                throw new BindingException(iface, where, List.of("its get_interface gave NULL for " + declared.id()
                        + "/" + declared.major() + ", which its manifest provides"));
            }
            return n.library().bind(iface, Table.read(given.get(), provided, declared, id()), lookup);
        } finally {
            synchronized (lock) {
                if (--binding == 0) {
                    lock.notifyAll();
                }
            }
        }
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
    private static String symbolOf(Method m) {
        dev.dynload.bind.Symbol s = m.getAnnotation(dev.dynload.bind.Symbol.class);
        return s != null ? s.value() : m.getName();
    }

    private static int indexOf(ProvidedInterface provided, String function) {
        for (int i = 0; i < provided.functions().size(); i++) {
            if (provided.functions().get(i).name().equals(function)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Annotations a plugin function cannot take: the plugin owns a returned str (@FreeWith would free it);
     * any plugin function may call back into the host (@Critical, @Heap); a length comes from the
     * manifest's types only (@Count, @Size).
     */
    private static final List<Class<? extends java.lang.annotation.Annotation>> REFUSED = List.of(
            dev.dynload.bind.FreeWith.class, dev.dynload.bind.Critical.class, dev.dynload.bind.Heap.class,
            dev.dynload.bind.Count.class, dev.dynload.bind.Size.class);
    private static final String REFUSED_WHY = "the plugin owns what it returns, may call the host back, and its "
            + "manifest gives no lengths";

    /** Each Java method against the manifest: the same C signature, or a problem naming both. */
    private List<String> check(Class<?> iface, PluginInterface declared, ProvidedInterface provided) {
        List<String> problems = new ArrayList<>();
        for (Method m : iface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
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
            for (Class<? extends java.lang.annotation.Annotation> a : REFUSED) {
                boolean onParameter = false;
                for (java.lang.reflect.Parameter p : m.getParameters()) {
                    onParameter |= p.isAnnotationPresent(a);
                }
                if (m.isAnnotationPresent(a) || onParameter) {
                    problems.add(describe(m) + ": @" + a.getSimpleName() + " does not apply to a plugin function ("
                            + REFUSED_WHY + ")");
                }
            }
            FunctionDescriptor java;
            try {
                java = Signatures.of(m);
            } catch (IllegalArgumentException e) {
                problems.add(describe(m) + ": " + e.getMessage());
                continue;
            }
            Optional<String> difference = SignatureCheck.difference(m, java, c);
            if (difference.isPresent()) {
                problems.add(describe(m) + " does not match " + c + " of plugin " + id() + ": " + difference.get());
            }
        }
        return problems;
    }

    private static String describe(Method m) {
        return SignatureCheck.describe(m);
    }

    @Override
    public String toString() {
        return "Plugin[" + descriptor + ", " + state + (failure == null ? "" : ": " + failure) + "]";
    }
}
