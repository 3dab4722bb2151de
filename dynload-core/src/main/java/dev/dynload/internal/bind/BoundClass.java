package dev.dynload.internal.bind;

import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * One generated class's links: for each of its methods, what makes the method's handle, and the call
 * site linked to it.
 *
 * <p>Making a downcall handle for a new signature costs milliseconds in a fresh JVM; binding 50
 * functions eagerly would pay all of them before the first call. So every method of a generated class
 * is an {@code invokedynamic} whose bootstrap builds that one method's handle on first use. The call
 * site is a {@link MutableCallSite} pointing straight at the native call: the JIT treats its target as a
 * constant, as it does a {@code static final} handle, and nothing is checked per call. When the library
 * closes, {@link Bindings#unlink} points every site at a method that throws.
 *
 * <p>The generated class reaches this object through its own class data (or, when it could not be
 * hidden, a private static field of its own), as a {@link BiFunction} of {@code java.base}: its
 * bootstrap calls {@link #apply}. No dynload package is exported to it, and it is the only class that
 * can read its class data; this object lives exactly as long as the class, so no registry keeps a bound
 * class, or its library, alive.
 */
final class BoundClass implements BiFunction<Integer, MethodType, CallSite> {

    private static final MethodHandle RETRY = Handles.find(MethodHandles.lookup(), "retry", Object.class,
            BoundClass.class, int.class, MutableCallSite.class, Object[].class);

    private final Bindings owner;
    private final List<Supplier<MethodHandle>> handles;
    /** Each method's linked site, or null; guarded by this. */
    private final MutableCallSite[] sites;

    BoundClass(Bindings owner, List<Supplier<MethodHandle>> handles) {
        this.owner = owner;
        this.handles = List.copyOf(handles);
        this.sites = new MutableCallSite[handles.size()];
    }

    /**
     * Links method {@code index}: the bootstrap of every method of the generated class.
     *
     * @param index the method's position in the class
     * @param type the method's type, without receiver
     * @return a call site linked to the method's native call; or, if making it failed, one that throws
     *         what it threw and tries again on the next call
     */
    @Override
    public CallSite apply(Integer index, MethodType type) {
        MutableCallSite site = new MutableCallSite(type);
        try {
            link(index, site);
        } catch (RuntimeException e) {
            // A bootstrap that throws fails its call site for good (JVMS 5.4.3): the site throws
            // instead, from the retry that link installed, on this call and until linking succeeds.
        }
        return site;
    }

    /** Points {@code site} at method {@code index}'s call, or at a retry that throws why it could not. */
    private void link(int index, MutableCallSite site) {
        MethodType type = site.type();
        MethodHandle call;
        try {
            call = owner.counted(handles.get(index).get().asType(type));
        } catch (RuntimeException e) {
            // A library closed before this method's first call throws IllegalStateException; other
            // failures are tried again on the next call rather than kept for good.
            site.setTarget(owner.closed() ? owner.thrower(type) : MethodHandles.insertArguments(RETRY, 0, this, index, site)
                    .asCollector(Object[].class, type.parameterCount()).asType(type));
            if (!owner.closed()) {
                throw e;
            }
            return;
        }
        synchronized (this) {
            if (owner.closed()) {
                call = owner.thrower(type);
            } else {
                sites[index] = site;
            }
        }
        site.setTarget(call);
    }

    private static Object retry(BoundClass bound, int index, MutableCallSite site, Object[] args) throws Throwable {
        bound.link(index, site);
        return site.getTarget().invokeWithArguments(args);
    }

    /** Points every linked site at the thrower and adds it to {@code sites}, to be synced. */
    synchronized void unlink(List<MutableCallSite> unlinked) {
        for (int i = 0; i < sites.length; i++) {
            if (sites[i] != null) {
                sites[i].setTarget(owner.thrower(sites[i].type()));
                unlinked.add(sites[i]);
                sites[i] = null;
            }
        }
    }
}
