package dev.dynload.plugin;

import dev.dynload.BindingException;
import dev.dynload.bind.FunctionTable;
import dev.dynload.bind.Signatures;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

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
 * All methods may be called from any thread. A bound interface may be called from many threads; once the
 * plugin stops, its methods throw {@link IllegalStateException}, and the plugin's stop and destroy run
 * only after the calls already running have returned.
 */
public final class Plugin {

    private final PluginDescriptor descriptor;
    private final Object lifecycle;
    private volatile PluginState state;
    private volatile String failure;
    /** The native side while started; guarded by lifecycle. */
    private NativePlugin loaded;

    Plugin(PluginDescriptor descriptor, Object lifecycle, PluginState state, String failure) {
        this.descriptor = descriptor;
        this.lifecycle = lifecycle;
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

    /** {@return why the plugin failed, when its state is {@link PluginState#FAILED}} */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    void started(NativePlugin n) {
        loaded = n;
        state = PluginState.STARTED;
    }

    void failed(String why) {
        failure = why;
        state = PluginState.FAILED;
    }

    /** {@return the native side, and forgets it: the caller stops and unloads it} */
    NativePlugin stopping() {
        NativePlugin n = loaded;
        loaded = null;
        state = PluginState.STOPPED;
        return n;
    }

    /** {@return the native side while started; called under the lifecycle lock} */
    Optional<NativePlugin> loaded() {
        return Optional.ofNullable(loaded);
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
    public <T> T bind(Class<T> iface, MethodHandles.Lookup lookup) {
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
        synchronized (lifecycle) {
            if (state != PluginState.STARTED || loaded == null) {
                throw new IllegalStateException("plugin " + id() + " is " + state.name().toLowerCase(java.util.Locale.ROOT)
                        + "; bind its interfaces while it is started");
            }
            Optional<MemorySegment> given = loaded.getInterface(declared.id(), declared.major(), 0);
            if (given.isEmpty()) {
                throw new BindingException(iface, where, List.of("its get_interface gave NULL for " + declared.id()
                        + "/" + declared.major() + ", which its manifest provides"));
            }
            MemorySegment table = given.get();
            return loaded.library().bind(iface, new Table(table, provided, declared, id()), lookup);
        }
    }

    /** The plugin's interface table: functions by name, in the manifest's order, as many as its size holds. */
    private record Table(MemorySegment table, ProvidedInterface provided, PluginInterface declared, String plugin)
            implements FunctionTable {

        @Override
        public Optional<MemorySegment> find(String function) {
            int index = indexOf(provided, function);
            long offset = 8 + 8L * index;
            if (index < 0 || offset + 8 > table.byteSize()) {
                return Optional.empty();
            }
            MemorySegment f = table.get(ValueLayout.ADDRESS_UNALIGNED, offset);
            return f.address() == 0 ? Optional.empty() : Optional.of(f);
        }

        @Override
        public String absent(Method method) {
            int minor = table.get(ValueLayout.JAVA_INT_UNALIGNED, 4);
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
            if (!agree(m, java, c)) {
                problems.add(describe(m) + " calls " + spell(java) + ", but plugin " + id() + " declares " + c
                        + "; make the Java types match the C signature");
            }
        }
        return problems;
    }

    private static boolean agree(Method m, FunctionDescriptor java, FunctionSignature c) {
        if (java.argumentLayouts().size() != c.parameters().size()) {
            return false;
        }
        if (!kind(java.returnLayout()).equals(kind(c.result()))) {
            return false;
        }
        if ((m.getReturnType() == String.class) != (c.result() == CType.STR)
                && !(c.result() == CType.STR && m.getReturnType() == MemorySegment.class)) {
            return false;
        }
        int k = 0;
        for (int i = 0; i < m.getParameterCount(); i++) {
            if (m.getParameterTypes()[i] == java.lang.foreign.Arena.class) {
                continue;
            }
            CType t = c.parameters().get(k);
            if (!kind(Optional.of(java.argumentLayouts().get(k))).equals(kind(t))
                    || (m.getParameterTypes()[i] == String.class) != (t == CType.STR)
                    && !(t == CType.STR && m.getParameterTypes()[i] == MemorySegment.class)) {
                return false;
            }
            k++;
        }
        return true;
    }

    /** A layout's ABI kind: "void", "ptr", "f32", "f64", "bool", or "int" and its bits. */
    private static String kind(Optional<MemoryLayout> layout) {
        if (layout.isEmpty()) {
            return "void";
        }
        MemoryLayout l = layout.get();
        if (l instanceof AddressLayout) {
            return "ptr";
        }
        if (l instanceof ValueLayout.OfFloat) {
            return "f32";
        }
        if (l instanceof ValueLayout.OfDouble) {
            return "f64";
        }
        if (l instanceof ValueLayout.OfBoolean) {
            return "bool";
        }
        return l instanceof ValueLayout ? "int" + l.byteSize() * 8 : "struct";
    }

    private static String kind(CType t) {
        return switch (t) {
            case VOID -> "void";
            case PTR, STR -> "ptr";
            case F32 -> "f32";
            case F64 -> "f64";
            case BOOL -> "bool";
            case I8, U8 -> "int8";
            case I16, U16 -> "int16";
            case I32, U32 -> "int32";
            case I64, U64 -> "int64";
        };
    }

    private static String spell(FunctionDescriptor d) {
        StringJoiner p = new StringJoiner(", ", "(", ")");
        for (MemoryLayout l : d.argumentLayouts()) {
            p.add(kind(Optional.of(l)));
        }
        return kind(d.returnLayout()) + p;
    }

    private static String describe(Method m) {
        StringJoiner p = new StringJoiner(", ", "(", ")");
        for (Class<?> t : m.getParameterTypes()) {
            p.add(t.getSimpleName());
        }
        return m.getDeclaringClass().getSimpleName() + "." + m.getName() + p;
    }

    @Override
    public String toString() {
        return "Plugin[" + descriptor + ", " + state + (failure == null ? "" : ": " + failure) + "]";
    }
}
