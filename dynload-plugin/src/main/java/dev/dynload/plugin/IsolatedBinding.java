package dev.dynload.plugin;

import dev.dynload.BindingException;
import dev.dynload.LibraryCrashedException;
import dev.dynload.internal.IsolatedAccess;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A Java interface bound to an isolated plugin's table: each method a call in the plugin's process,
 * through the shared memory. The functions' places in the runner are found again after a restart (a new
 * process has its own), and a call that gets no answer marks the plugin CRASHED and throws
 * {@link PluginCrashedException}; the next one restarts it if the host's policy allows.
 */
final class IsolatedBinding implements InvocationHandler {

    private final Plugin plugin;
    private final PluginProcess process;
    private final Class<?> iface;
    private final PluginInterface declared;
    private final ProvidedInterface provided;
    /** Each method's call, planned once; placed at its function for one process at a time. */
    private final Map<Method, IsolatedAccess.Planned> planned;
    private volatile Placed placed;
    /** The caller's lookup, for default methods of interfaces in packages not opened to dynload; or null. */
    private final java.lang.invoke.MethodHandles.@Nullable Lookup lookup;

    /** The calls placed at their functions in one process (its generation), and the table's minor there. */
    private record Placed(int generation, Map<Method, IsolatedAccess.Planned> calls, int minor) {
    }

    private IsolatedBinding(Plugin plugin, PluginProcess process, Class<?> iface, PluginInterface declared,
                            ProvidedInterface provided, Map<Method, IsolatedAccess.Planned> planned, Placed placed,
                            java.lang.invoke.MethodHandles.@Nullable Lookup lookup) {
        this.lookup = lookup;
        this.plugin = plugin;
        this.process = process;
        this.iface = iface;
        this.declared = declared;
        this.provided = provided;
        this.planned = planned;
        this.placed = placed;
    }

    /** Binds {@code iface}, whose signatures {@link Plugin#check} passed, to the plugin's table in its process. */
    static <T> T bind(Plugin plugin, Class<T> iface, PluginInterface declared, ProvidedInterface provided,
                      String where, java.lang.invoke.MethodHandles.@Nullable Lookup lookup) {
        PluginProcess process = plugin.process().orElseThrow();
        List<String> problems = new ArrayList<>();
        Map<Method, IsolatedAccess.Planned> planned = new HashMap<>();
        for (Method m : iface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue; // a default method stands for its function too, and keeps its body where the table lacks it
            }
            int at = Plugin.indexOf(provided, Plugin.symbolOf(m));
            if (at < 0) {
                continue; // a newer minor's function: absent from this plugin's table
            }
            FunctionSignature c = provided.functions().get(at);
            if (c.result() == CType.PTR || c.parameters().contains(CType.PTR)) {
                problems.add(Plugin.describe(m) + ": " + c + " passes a ptr, an address in the plugin's "
                        + "process, which means nothing in the host's; run the plugin in process to call it");
                continue;
            }
            IsolatedAccess.Planned p = PluginProcess.access().plan(m, problems);
            if (p != null) {
                planned.put(m, p);
            }
        }
        if (!problems.isEmpty()) {
            throw new BindingException(iface, where, problems);
        }
        IsolatedBinding b = new IsolatedBinding(plugin, process, iface, declared, provided, planned, null, lookup);
        plugin.beginBind();
        PluginProcess.Current current = null;
        try {
            current = process.current().orElseThrow(() -> new IllegalStateException(plugin.id()
                    + ": its process is not running"));
            b.placed = b.place(current);
        } catch (LibraryCrashedException e) {
            throw process.crashed(plugin, "get_interface", e, current.process());
        } catch (NativePlugin.Refused e) {
            throw new BindingException(iface, where, List.of("its get_interface failed: " + e.getMessage()));
        } finally {
            plugin.endBind();
        }
        if (b.placed == null) {
            throw new BindingException(iface, where, List.of("its get_interface gave NULL for " + declared.id() + "/"
                    + declared.major() + ", which its manifest provides"));
        }
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, b));
    }

    /**
     * A forwarder of {@code iface} to the isolated binding {@code target} holds now: a {@link Proxy}, as the
     * binding itself is, so that it needs no access to the interface's package; a call costs microseconds
     * out of process, beside which a proxy's nanoseconds do not count. It calls the binding's handler
     * directly, and runs a call again as {@link dev.dynload.internal.bind.Forwarder} does.
     */
    static <T> T forwarder(Class<T> iface, dev.dynload.internal.bind.Forwarder.Switch target) {
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, new Forwarding(target)));
    }

    private record Forwarding(dev.dynload.internal.bind.Forwarder.Switch target) implements InvocationHandler {
        @Override
        public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args, String.valueOf(target.target()));
            }
            while (true) {
                Object t = target.apply(null, null);
                try {
                    return Proxy.getInvocationHandler(t).invoke(t, method, args);
                } catch (IllegalStateException e) {
                    if (method.isDefault()) {
                        throw e; // its body may have made calls before the refusal: not run again
                    }
                    target.apply(t, e); // throws e unless the switch moved on: then the call runs again there
                }
            }
        }
    }

    /** A proxy's hashCode and equals (by identity), and toString ({@code text}). */
    private static Object objectMethod(Object proxy, Method method, Object @Nullable [] args, String text) {
        return switch (method.getName()) {
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> args != null && proxy == args[0];
            default -> text;
        };
    }

    /** Asks the plugin's process for its table; {@return each method's call placed there, or null for NULL} */
    private @Nullable Placed place(PluginProcess.Current current) throws NativePlugin.Refused {
        List<FunctionSignature> functions = provided.functions();
        Optional<PluginProcess.Table> table = process.getInterface(plugin.index(), declared.id(), declared.major(), 0,
                functions.size());
        if (table.isEmpty()) {
            return null;
        }
        Map<Method, IsolatedAccess.Planned> calls = new HashMap<>();
        for (Map.Entry<Method, IsolatedAccess.Planned> e : planned.entrySet()) {
            int at = Plugin.indexOf(provided, Plugin.symbolOf(e.getKey()));
            int function = table.get().functions()[at];
            if (function >= 0) {
                calls.put(e.getKey(), e.getValue().at(function));
            }
        }
        return new Placed(current.generation(), calls, table.get().minor());
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args, iface.getSimpleName() + "[" + plugin.id() + ", "
                    + plugin.isolation() + "]");
        }
        if (!planned.containsKey(method)) {
            if (method.isDefault()) {
                return callDefault(proxy, method, args);
            }
            throw absent(Plugin.symbolOf(method), provided.minor());
        }
        String function = Plugin.symbolOf(method);
        if (plugin.process().orElse(null) != process) { // before its crash or restart: those are another process's
            throw dev.dynload.internal.bind.Forwarder.refusal("plugin " + plugin.id() + " was reloaded into another "
                    + "process; this object's calls went to the old one");
        }
        PluginState refused = plugin.enter();
        if (refused == PluginState.CRASHED || (refused == null && process.ended())) {
            if (refused == null) {
                plugin.leave();
                plugin.state(); // records the end
            }
            if (!process.restart()) {
                throw new PluginCrashedException(plugin.id(), function, plugin.id() + ": " + function + "() was not "
                        + "called: the plugin is CRASHED (" + plugin.failure().orElse("its process ended") + ")",
                        notCalled(function));
            }
            refused = plugin.enter();
        }
        if (refused != null) {
            // A forwarder runs a call refused while stopping again on the next copy, after a reload.
            String why = "plugin " + plugin.id() + " is " + refused.name().toLowerCase(java.util.Locale.ROOT)
                    + "; its interfaces take calls while it is started";
            throw refused == PluginState.STOPPING ? dev.dynload.internal.bind.Forwarder.refusal(why)
                    : new IllegalStateException(why);
        }
        if (plugin.process().orElse(null) != process) {
            plugin.leave(); // reloaded into another process since this object was bound: the call goes there
            throw dev.dynload.internal.bind.Forwarder.refusal("plugin " + plugin.id() + " was reloaded into another "
                    + "process; this object's calls went to the old one");
        }
        PluginProcess.Current current = null;
        try {
            current = process.current().orElseThrow(() -> new IllegalStateException("plugin "
                    + plugin.id() + ": its process is not running"));
            Placed p = placed;
            if (p == null || p.generation() != current.generation()) {
                p = place(current); // a new process since the bind: the functions lie elsewhere
                if (p == null) {
                    throw new IllegalStateException(plugin.id() + ": its get_interface gave NULL for "
                            + declared.id() + "/" + declared.major() + " after its restart");
                }
                placed = p;
            }
            IsolatedAccess.Planned call = p.calls().get(method);
            if (call == null) {
                if (method.isDefault()) {
                    return callDefault(proxy, method, args);
                }
                throw absent(function, p.minor());
            }
            return PluginProcess.access().invoke(current.process(), call, args);
        } catch (LibraryCrashedException e) {
            if (e.reason() == LibraryCrashedException.Reason.CLOSED) {
                throw new IllegalStateException("plugin " + plugin.id() + " was stopped during the call of " + function, e);
            }
            throw process.crashed(plugin, function, e, current.process());
        } catch (NativePlugin.Refused e) {
            throw new IllegalStateException(plugin.id() + ": finding " + function + " in its new process failed: "
                    + e.getMessage(), e);
        } finally {
            plugin.leave();
        }
    }

    /**
     * Runs a default method's body: from dynload's core module, which an application's interface package is
     * opened to (as binding in process asks), or else from this module, which sees its own packages.
     */
    private @Nullable Object callDefault(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
        if (lookup != null) { // the caller's rights, as Plugin.bind(iface, lookup) promises
            Class<?> owner = method.getDeclaringClass();
            java.lang.invoke.MethodHandle body = java.lang.invoke.MethodHandles.privateLookupIn(owner, lookup)
                    .findSpecial(owner, method.getName(), java.lang.invoke.MethodType.methodType(method.getReturnType(),
                            method.getParameterTypes()), owner);
            return body.bindTo(proxy).invokeWithArguments(args == null ? new Object[0] : args);
        }
        try {
            return PluginProcess.access().invokeDefault(proxy, method, args);
        } catch (IllegalAccessException e) {
            try {
                return InvocationHandler.invokeDefault(proxy, method, args);
            } catch (IllegalAccessException again) {
                e.addSuppressed(again);
                throw new IllegalStateException(method + " has a default body that dynload cannot run: open "
                        + method.getDeclaringClass().getPackageName() + " to dev.dynload", e);
            }
        }
    }

    /** A function of a newer minor than the plugin implements, without a default body. */
    private UnsupportedOperationException absent(String function, int minor) {
        return new UnsupportedOperationException("plugin " + plugin.id() + " implements " + declared.id() + "/"
                + declared.major() + "." + minor + ", which has no " + function + "; the host's "
                + iface.getSimpleName() + " is " + declared.id() + "/" + declared.major() + "." + declared.minor());
    }

    /** The cause of a call refused because the plugin had crashed before it. */
    private LibraryCrashedException notCalled(String function) {
        return process.endedBefore(function);
    }
}
