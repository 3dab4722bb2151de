package dev.dynload.internal.bind;

import dev.dynload.bind.FunctionTable;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The bound interfaces of one library: the only door from {@code dev.dynload.Library} into binding. It binds
 * interfaces, keeps their linked call sites (weakly: a bound object nothing uses is collected with its
 * class, so binding per request does not grow memory), unlinks them all when the library closes, and
 * tells when no bound call is running any more, so that the library can be unloaded.
 *
 * <h2>Why bound calls cost nothing for this</h2>
 * A bound call does not hold the library open for its length (that takes two atomic updates on a shared
 * counter, about the price of the call itself). Instead, closing (1) points every linked call site at a
 * method that throws and waits until every thread sees it ({@link MutableCallSite#syncAll}), so that no
 * bound call can start any more, then (2) looks for the calls that had started: a bound call runs inside
 * a method of a generated class whose name carries this library's mark, and a platform thread's stack,
 * as {@link Thread#getAllStackTraces} shows it, holds that frame until the call returns (for the class
 * the annotation processor wrote, whose name is its own, a frame of the class that serves this library;
 * see {@link WrittenClass}). Virtual threads are not in that snapshot, so a bound call on a virtual thread counts itself in and out instead (a test
 * of {@link Thread#isVirtual} is all a platform thread pays); it counts itself in before it checks that
 * the library is still open, and the closer marks the library closed before it reads the count, so one
 * of the two always sees the other.
 */
public final class Bindings {

    private static final AtomicLong IDS = new AtomicLong();
    private static final MethodHandle IS_VIRTUAL = Handles.find(MethodHandles.lookup(), "isVirtual", boolean.class);
    private static final MethodHandle ENTER = Handles.find(MethodHandles.lookup(), "enter", void.class, Bindings.class);
    private static final MethodHandle EXIT = Handles.find(MethodHandles.lookup(), "exit", void.class, Bindings.class);
    private static final MethodHandle THROW_CLOSED = Handles.find(MethodHandles.lookup(), "throwClosed", Object.class,
            String.class);

    private final BoundLibrary library;
    /** In the name of every class generated for this library, and so in every bound call's stack. */
    private final String mark = "$Dynload$" + IDS.incrementAndGet() + "$";
    private final AtomicLong virtualCalls = new AtomicLong();
    private volatile boolean closed;
    /** The generated classes' links, weakly; guarded by itself. */
    private final List<WeakReference<BoundClass>> classes = new ArrayList<>();
    private final ReferenceQueue<BoundClass> collected = new ReferenceQueue<>();

    /**
     * @param library the library: its names and addresses, and the facade's exceptions
     */
    public Bindings(BoundLibrary library) {
        this.library = library;
    }

    /**
     * Binds {@code iface} to the library.
     *
     * @param lookup the caller's lookup, or null to ask for private access to the interface's package
     * @throws dev.dynload.BindingException listing every method that cannot be bound, and why
     * @throws IllegalStateException if the library closed meanwhile
     */
    public <T> T bind(Class<T> iface, MethodHandles.@Nullable Lookup lookup) {
        return Binder.bind(this, iface, lookup, Optional.empty());
    }

    /**
     * Binds {@code iface} to the functions of a table rather than the library's exports.
     *
     * @param table where each function is
     * @param lookup the caller's lookup, or null
     */
    public <T> T bind(Class<T> iface, FunctionTable table, MethodHandles.@Nullable Lookup lookup) {
        return Binder.bind(this, iface, lookup, Optional.of(table));
    }

    BoundLibrary library() {
        return library;
    }

    String name() {
        return library.name();
    }

    /** {@return the symbol's address, as a global segment; empty if the library lacks it} */
    Optional<MemorySegment> address(String symbol) {
        return library.address(symbol);
    }

    /** {@return the part of a generated class's name that marks it as this library's} */
    String mark() {
        return mark;
    }

    /** Keeps a generated class's links, to be unlinked when the library closes. */
    void register(BoundClass bound) {
        synchronized (classes) {
            expunge();
            classes.add(new WeakReference<>(bound, collected));
        }
    }

    /** {@return how many generated classes' links are kept: those not collected yet} */
    int registered() {
        synchronized (classes) {
            expunge();
            return classes.size();
        }
    }

    /** Drops the references to classes the collector has unloaded; guarded by {@code classes}. */
    private void expunge() {
        for (Reference<?> gone = collected.poll(); gone != null; gone = collected.poll()) {
            classes.remove(gone);
        }
    }

    /**
     * A linked method's call: as it is on a platform thread; counted in and out on a virtual thread
     * (see the class comment).
     */
    MethodHandle counted(MethodHandle call) {
        MethodType type = call.type();
        MethodHandle exit = MethodHandles.insertArguments(EXIT, 0, this);
        Class<?> r = type.returnType();
        MethodHandle cleanup = r == void.class
                ? MethodHandles.dropArguments(exit, 0, Throwable.class)
                : MethodHandles.foldArguments(MethodHandles.dropArguments(MethodHandles.identity(r), 0, Throwable.class),
                        MethodHandles.dropArguments(exit, 0, Throwable.class, r));
        cleanup = MethodHandles.dropArguments(cleanup, r == void.class ? 1 : 2, type.parameterList());
        // Counted in outside the try: a call that enter() refuses was never counted, so exit() must not run.
        MethodHandle tracked = MethodHandles.foldArguments(MethodHandles.tryFinally(call, cleanup),
                MethodHandles.insertArguments(ENTER, 0, this));
        return MethodHandles.guardWithTest(MethodHandles.dropArguments(IS_VIRTUAL, 0, type.parameterList()),
                tracked, call);
    }

    private static boolean isVirtual() {
        return Thread.currentThread().isVirtual();
    }

    private static void enter(Bindings b) {
        b.virtualCalls.incrementAndGet();
        if (b.closed) {
            b.virtualCalls.decrementAndGet();
            throwClosed(b.name());
        }
    }

    private static void exit(Bindings b) {
        b.virtualCalls.decrementAndGet();
    }

    /** {@return whether the library is closed: a method linked now gets the thrower} */
    boolean closed() {
        return closed;
    }

    /** {@return whether {@link #unlink} has run: the library's bound interfaces are gone for good} */
    public boolean unlinked() {
        return closed;
    }

    /**
     * Points every linked bound method at a method that throws {@link IllegalStateException}, and
     * makes every thread see it. Methods not linked yet throw on their first call.
     */
    public void unlink() {
        repoint(true);
    }

    /**
     * Undoes {@link #unlink}: every bound method calls the library again, and every thread sees it. For a
     * library that was unbound to let its calls drain and is kept after all; never after it closed.
     */
    public void relink() {
        repoint(false);
    }

    private void repoint(boolean unlink) {
        List<MutableCallSite> sites = new ArrayList<>();
        synchronized (classes) {
            // Under the lock that register takes: a class bound meanwhile is either repointed here, or
            // links after the flag changed and reads it.
            closed = unlink;
            expunge();
            for (WeakReference<BoundClass> ref : classes) {
                BoundClass bound = ref.get();
                if (bound != null) {
                    if (unlink) {
                        bound.unlink(sites);
                    } else {
                        bound.relink(sites);
                    }
                }
            }
        }
        if (!sites.isEmpty()) {
            MutableCallSite.syncAll(sites.toArray(new MutableCallSite[0]));
        }
    }

    /**
     * Whether no bound call into the library runs on any thread, once {@link #unlink} has returned:
     * no platform thread's stack holds a frame of this library's generated classes, and no virtual
     * thread is counted in. The snapshot of every stack is taken at a safepoint: about a millisecond,
     * paid once per close of a library that was bound.
     */
    public boolean idle() {
        return idle(Thread.getAllStackTraces());
    }

    /**
     * {@link #idle()} against a snapshot of every platform thread's stack, taken after {@link #unlink}
     * returned, so that one snapshot serves several libraries.
     */
    public boolean idle(Map<Thread, StackTraceElement[]> stacks) {
        if (virtualCalls.get() != 0) {
            return false;
        }
        List<String> written = writtenClasses();
        for (StackTraceElement[] stack : stacks.values()) {
            for (int i = 0; i < stack.length; i++) {
                String name = stack[i].getClassName();
                if ((name.contains(mark) || (!written.isEmpty() && written.contains(name))) && !throwing(stack, i)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * {@return the names of the classes the annotation processor wrote that serve this library's binds}
     * Their names carry no mark: each serves one bind at most (see {@link WrittenClass}), so its frames
     * are this library's.
     */
    private List<String> writtenClasses() {
        List<String> names = new ArrayList<>();
        synchronized (classes) {
            for (WeakReference<BoundClass> ref : classes) {
                BoundClass bound = ref.get();
                if (bound != null && bound.written() != null) {
                    names.add(bound.written());
                }
            }
        }
        return names;
    }

    /**
     * Whether the bound method at {@code stack[i]} is throwing because its library is closed rather than
     * calling into it: the first frame it called, past the method handle machinery, is {@link #throwClosed}
     * (directly, or through {@link #enter}). A thread that keeps calling a closed library's methods,
     * catching what they throw, spends most of its time there, building the exception; without this it
     * would look busy in every snapshot.
     */
    private static boolean throwing(StackTraceElement[] stack, int i) {
        int callee = i - 1;
        while (callee >= 0 && stack[callee].getClassName().startsWith("java.lang.invoke.")) {
            callee--;
        }
        if (callee >= 0 && isBindings(stack[callee], "enter")) {
            callee--;
        }
        return callee >= 0 && isBindings(stack[callee], "throwClosed");
    }

    private static boolean isBindings(StackTraceElement frame, String method) {
        return frame.getMethodName().equals(method) && frame.getClassName().equals(Bindings.class.getName());
    }

    /** A handle of {@code type} that throws, naming the library, as every method of a closed library does. */
    MethodHandle thrower(MethodType type) {
        MethodHandle thrower = MethodHandles.insertArguments(THROW_CLOSED, 0, name())
                .asType(MethodType.methodType(type.returnType()));
        return MethodHandles.dropArguments(thrower, 0, type.parameterList());
    }

    private static Object throwClosed(String library) {
        throw new Unlinked(library + " is closed, or its interfaces were unbound; its bound methods "
                + "cannot be called any more");
    }

    /** What an unlinked bound method throws: the call never reached the library. */
    static final class Unlinked extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Unlinked(String message) {
            super(message);
        }
    }
}
