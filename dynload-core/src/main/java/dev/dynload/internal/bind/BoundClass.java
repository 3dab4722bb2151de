package dev.dynload.internal.bind;

import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

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

    private static final MethodHandle LINK = Handles.find(MethodHandles.lookup(), "linkNow", MethodHandle.class,
            BoundClass.class, int.class);

    private final Bindings owner;
    private final @Nullable String written;
    private final List<Supplier<MethodHandle>> handles;
    /**
     * Each method's one call site, once its bootstrap ran; guarded by this. Threads that make a method's
     * first call at once may all run its bootstrap: they all get this one site, so that the site unlink
     * re-points is the site the class uses.
     */
    private final MutableCallSite[] sites;
    /** Each method's native call once made, so that {@link #relink} can point its site back at it; guarded by this. */
    private final MethodHandle[] calls;

    BoundClass(Bindings owner, List<Supplier<MethodHandle>> handles) {
        this(owner, handles, null);
    }

    /**
     * @param written the name of the class the annotation processor wrote, whose methods make the calls;
     *                null for a class written at run time, whose name carries its library's mark
     */
    BoundClass(Bindings owner, List<Supplier<MethodHandle>> handles, @Nullable String written) {
        this.owner = owner;
        this.written = written;
        this.handles = List.copyOf(handles);
        this.sites = new MutableCallSite[handles.size()];
        this.calls = new MethodHandle[handles.size()];
    }

    /**
     * Links method {@code index}: the bootstrap of every method of the generated class.
     *
     * @param index the method's position in the class
     * @param type the method's type, without receiver
     * @return the method's call site, linked to its native call; or, if making that failed, pointing at
     *         a retry that throws what it threw and links again on the next call
     */
    @Override
    public synchronized CallSite apply(Integer index, MethodType type) {
        // Linked under the lock: a thread whose bootstrap raced this one's waits, then gets this site, linked.
        MutableCallSite site = sites[index];
        if (site != null) {
            return site;
        }
        site = new MutableCallSite(type);
        sites[index] = site;
        try {
            link(index, site);
        } catch (RuntimeException e) {
            // A bootstrap that throws fails its call site for good (JVMS 5.4.3): the site throws
            // instead, from a retry, on this call and until linking succeeds.
            if (!owner.closed()) {
                site.setTarget(retry(index, type));
            }
        }
        return site;
    }

    /**
     * Method {@code index}'s call site, not linked yet: its first call links it. For a class written
     * at compile time, whose methods call {@code invokeExact} on a constant handle where a generated
     * one makes an {@code invokedynamic}: the handle is this site's dynamic invoker.
     *
     * @param index the method's position in the class
     * @param type the method's type, without receiver
     * @return the site
     */
    synchronized MutableCallSite unlinked(int index, MethodType type) {
        MutableCallSite site = sites[index];
        if (site == null) {
            site = new MutableCallSite(type);
            site.setTarget(owner.closed() ? owner.thrower(type) : retry(index, type));
            sites[index] = site;
        }
        return site;
    }

    /**
     * A target that links the site on its call, then makes the call through the site's new target:
     * for sites not linked yet. The arguments pass through unboxed ({@code (args) -> link().invokeExact(args)}).
     */
    private MethodHandle retry(int index, MethodType type) {
        return MethodHandles.foldArguments(MethodHandles.exactInvoker(type), MethodHandles.insertArguments(LINK, 0, this,
                index));
    }

    /** Points {@code site} at method {@code index}'s call; what making it threw is thrown, the retry left. */
    private void link(int index, MutableCallSite site) {
        MethodType type = site.type();
        synchronized (this) {
            if (owner.closed()) {
                // Before anything is looked up: a closed library's table or exports may be unmapped. A
                // lookup that starts after this check is safe, for the closer waits for every thread in a
                // bound method (this one is) before it unloads.
                site.setTarget(owner.thrower(type));
                return;
            }
        }
        MethodHandle call;
        try {
            call = owner.counted(handles.get(index).get().asType(type));
        } catch (RuntimeException e) {
            // A library closed before this method's first call throws IllegalStateException for good.
            synchronized (this) {
                if (owner.closed()) {
                    site.setTarget(owner.thrower(type));
                }
            }
            throw e;
        }
        synchronized (this) {
            // Under the lock that unlink takes: a site is never re-pointed at the call after unlink.
            calls[index] = call;
            site.setTarget(owner.closed() ? owner.thrower(type) : call);
        }
    }

    /** {@return the name of the written class whose methods make these calls, or null (see the constructor)} */
    @Nullable String written() {
        return written;
    }

    /** Links method {@code index}'s site and returns its target: what a call of a site not linked yet makes. */
    private static MethodHandle linkNow(BoundClass bound, int index) {
        MutableCallSite site;
        synchronized (bound) {
            site = bound.sites[index];
            if (bound.calls[index] != null && !bound.owner.closed()) {
                return bound.calls[index]; // linked by a call that raced this one
            }
        }
        bound.link(index, site);
        return site.getTarget();
    }

    /**
     * Points every site at the thrower and adds it to {@code unlinked}, to be synced. Called once the
     * library is marked closed, so no site is linked to a call afterwards.
     */
    synchronized void unlink(List<MutableCallSite> unlinked) {
        point(unlinked, true);
    }

    /**
     * Points every site back at its call (a site whose call was never made links on its next call), and
     * adds it to {@code relinked}, to be synced. Called once the library is marked open again.
     */
    synchronized void relink(List<MutableCallSite> relinked) {
        point(relinked, false);
    }

    private void point(List<MutableCallSite> changed, boolean thrower) {
        for (int i = 0; i < sites.length; i++) {
            MutableCallSite site = sites[i];
            if (site != null) {
                site.setTarget(thrower ? owner.thrower(site.type()) : calls[i] != null ? calls[i]
                        : retry(i, site.type()));
                changed.add(site);
            }
        }
    }
}
