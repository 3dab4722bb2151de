package dev.dynload;

import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.linux.Bulk;
import dev.dynload.internal.linux.CallbackHandler;
import dev.dynload.internal.linux.NoAnswer;
import dev.dynload.internal.linux.RunnerCalls;
import dev.dynload.internal.linux.RunnerStart;
import dev.dynload.internal.linux.RunnerProcess;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A native library loaded into a process of its own, called through shared memory: a crash, an
 * {@code abort}, an {@code exit} or an endless loop in it ends that process, never the JVM. A call that
 * gets no answer throws {@link LibraryCrashedException}, naming the function and the signal, the exit
 * status or the deadline.
 *
 * {@snippet lang=c :
 * int32_t add(int32_t a, int32_t b) { return a + b; }
 * void crash(void) { *(volatile int *) 0 = 1; }
 * }
 * {@snippet :
 * interface Api {
 *     int add(int a, int b);
 *     void crash();
 * }
 * try (IsolatedLibrary lib = IsolatedLibrary.open(Path.of("libuntrusted.so"))) {
 *     Api api = lib.bind(Api.class);
 *     api.add(2, 3);   // 5, computed in the library's process
 *     api.crash();     // LibraryCrashedException: SIGSEGV; this JVM goes on
 * }
 * }
 *
 * <p>The file is opened once and checked as {@link Library#open(Path, LoadOption...)} checks it; the
 * library's process (a small native runner, not a JVM) is handed that very descriptor. The process dies
 * with the JVM, however the JVM ends, and is signalled only through a process descriptor. Calls from many
 * threads run at once, up to 16, each in a slot of the shared memory; a hot call makes no system call.
 *
 * <p>What crosses, for now: methods whose parameters and result are primitives ({@code int},
 * {@code long}, {@code short}, {@code byte}, {@code char}, {@code boolean}, {@code float}, {@code double})
 * or {@code String}s (C's {@code const char *}, UTF-8; a returned string is copied back, and freed only with {@code @FreeWith}),
 * or arrays of primitives but {@code boolean} (copied in, and back out after the call; up to 2 MiB a
 * call), or functional interfaces whose method takes and returns primitives (Java callbacks, called back
 * from the library's process during the call), or records as C structs and unions (through a
 * {@code Ref} or {@code @ByReference}, or by value on x86-64, in registers or on the stack as the
 * platform passes them), or enums (as C {@code int}s), at most six integer, string, array or callback parameters and six
 * floating-point ones, or {@code void}. The binding annotations act as in process ({@code @Symbol},
 * {@code @In}, {@code @Out}, {@code @Unsigned}, {@code @Errno}, {@code @FreeWith}; a {@code @Count} or
 * {@code @Size} result is copied back), except {@code @Critical}, {@code @Heap} and {@code @Variadic},
 * which are refused. Everything else is refused at {@link #bind}, by name. Linux on x86-64 and AArch64 only; docs/isolation.md says what isolation promises
 * and what it does not.
 */
public final class IsolatedLibrary implements AutoCloseable {

    /** How long a call (and the load) may take when {@link #open(Path, Duration)} is not told. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    final String name;
    final RunnerCalls calls;
    final long deadlineNanos;
    /** For the load and the lookups of bind: the deadline, but never less than {@link #DEFAULT_DEADLINE}. */
    private final long setupNanos;
    private final Map<String, Integer> functions = new HashMap<>();

    /** The callbacks kept past their call; made, with the runner's upcall thread, when the first is kept. */
    private volatile @Nullable KeptCallbacks kept;
    /** Where the library's process prints, given at open; null: this JVM's stderr. */
    private volatile java.util.function.@Nullable Consumer<String> output;

    /** {@return the callbacks this library keeps past their call} */
    KeptCallbacks kept() {
        KeptCallbacks k = kept;
        if (k == null) {
            synchronized (this) {
                k = kept;
                if (k == null) {
                    java.util.function.Consumer<String> said = output;
                    k = new KeptCallbacks(name, said != null ? said : System.err::println); // with the library's output
                    calls.onKept(k);
                    kept = k;
                }
            }
        }
        return k;
    }

    IsolatedLibrary(String name, RunnerCalls calls, long deadlineNanos) {
        this.name = name;
        this.calls = calls;
        this.deadlineNanos = deadlineNanos;
        this.setupNanos = setupNanos(deadlineNanos);
    }

    static long setupNanos(long deadlineNanos) {
        return Math.max(deadlineNanos, DEFAULT_DEADLINE.toNanos());
    }

    /**
     * Loads {@code file} into a process of its own, with calls limited to {@link #DEFAULT_DEADLINE}.
     *
     * @param file the library
     * @return the library, to be closed by the caller
     * @throws LibraryLoadException if the file cannot be opened, is damaged, is not a library, or its
     *                              process refused or failed to load it ({@code FAILED_IN_ISOLATION})
     * @throws UnsupportedOperationException on a platform without isolation
     */
    public static IsolatedLibrary open(Path file) {
        return open(file, DEFAULT_DEADLINE);
    }

    /**
     * Loads {@code file} into a process of its own.
     *
     * @param file the library
     * @param deadline how long the load, and each call, may take; a call past it ends the library's process
     * @return the library, to be closed by the caller
     * @throws LibraryLoadException if the file cannot be opened, is damaged, is not a library, or its
     *                              process refused or failed to load it ({@code FAILED_IN_ISOLATION})
     * @throws UnsupportedOperationException on a platform without isolation
     */
    public static IsolatedLibrary open(Path file, Duration deadline) {
        return open(file, deadline, null);
    }

    /**
     * Loads {@code file} into a process of its own, whose stdout and stderr go to {@code output} line by line
     * (a library's {@code printf}, its diagnostics, a crash message) instead of this JVM's own.
     *
     * {@snippet :
     * IsolatedLibrary lib = IsolatedLibrary.open(path, Duration.ofSeconds(5), line -> log.info(line));
     * }
     *
     * @param file the library
     * @param deadline how long the load, and each call, may take; a call past it ends the library's process
     * @param output where each line the library's process prints goes, on a thread of its own; null for
     *               this JVM's stdout and stderr
     * @return the library, to be closed by the caller
     * @throws LibraryLoadException if the file cannot be opened, is damaged, is not a library, or its
     *                              process refused or failed to load it ({@code FAILED_IN_ISOLATION})
     * @throws UnsupportedOperationException on a platform without isolation
     */
    public static IsolatedLibrary open(Path file, Duration deadline, java.util.function.@Nullable Consumer<String> output) {
        return open(file, deadline, output, Sandbox.none());
    }

    /**
     * Loads {@code file} into a process of its own, limited and confined by {@code sandbox} from before the
     * library's first instruction (see {@link Sandbox}).
     *
     * {@snippet :
     * IsolatedLibrary lib = IsolatedLibrary.open(path, Duration.ofSeconds(5), log::info, Sandbox.confined());
     * }
     *
     * @param file the library
     * @param deadline how long the load, and each call, may take; a call past it ends the library's process
     * @param output where each line the library's process prints goes (and each call its sandbox denied);
     *               null for this JVM's stdout and stderr
     * @param sandbox the limits and sandbox
     * @return the library, to be closed by the caller
     * @throws LibraryLoadException if the file cannot be opened, is damaged, is not a library, or its
     *                              process refused or failed to load it ({@code FAILED_IN_ISOLATION}), a
     *                              sandbox this kernel cannot give included
     * @throws UnsupportedOperationException on a platform without isolation
     */
    public static IsolatedLibrary open(Path file, Duration deadline, java.util.function.@Nullable Consumer<String> output,
                                       Sandbox sandbox) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the deadline must be positive: " + deadline);
        }
        NativeLoader loader = linuxLoader("isolated libraries");
        long nanos = nanos(deadline);
        Isolation.Checked checked = Isolation.Checked.of(loader, file);
        try (OpenFile open = checked.open()) {
            IsolatedLibrary lib = new IsolatedLibrary(file.toString(), RunnerStart.start(loader, open,
                    setupNanos(nanos), output, checked.originFolders(), sandbox.runnerArguments()), nanos);
            lib.output = output;
            return lib;
        } catch (NoAnswer e) {
            throw checked.diagnosis().failedInIsolation(e.getMessage(), null);
        } catch (IOException e) {
            throw checked.diagnosis().failedInIsolation("its process could not be started: " + e.getMessage(), null);
        }
    }

    static NativeLoader linuxLoader(String what) {
        NativeLoader loader = NativeLoader.current();
        if (!loader.getClass().getName().endsWith(".LinuxLoader")) {
            throw new UnsupportedOperationException(what + " run on Linux only; this is " + OperatingSystem.current());
        }
        return loader;
    }

    /** A deadline in nanoseconds; one of centuries is cut to one that fits. */
    static long nanos(Duration deadline) {
        return deadline.compareTo(Duration.ofDays(36_500)) > 0 ? Long.MAX_VALUE / 4 : deadline.toNanos();
    }


    static {
        dev.dynload.internal.IsolatedAccess.set(new IsolatedLibraryAccess());
    }


    /**
     * Binds an interface to the library's functions, each method to the function of its name, called in the
     * library's process. Every method is checked before any is bound.
     *
     * @param iface the interface
     * @param <T> its type
     * @return a proxy whose calls run in the library's process
     * @throws BindingException listing each method that cannot cross to another process, or whose function
     *                          the library does not export
     * @throws LibraryCrashedException if the library's process has ended
     */
    public <T> T bind(Class<T> iface) {
        Objects.requireNonNull(iface, "iface");
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface.getName() + " is not an interface");
        }
        List<String> problems = new ArrayList<>();
        Map<Method, IsolatedCall> plan = new HashMap<>();
        for (Method m : iface.getMethods()) {
            if (!Modifier.isAbstract(m.getModifiers()) || isObjectMethod(m)) {
                continue; // default methods stay Java; toString, equals and hashCode are the proxy's
            }
            IsolatedCall call = IsolatedCall.of(m, problems);
            if (call == null) {
                continue;
            }
            int index = resolve(call.marks.symbol());
            if (index < 0) {
                problems.add(m.getName() + ": symbol \"" + call.marks.symbol() + "\" not found in " + name);
                continue;
            }
            String free = call.marks.freeWith();
            int freeIndex = free == null ? -1 : resolve(free);
            if (free != null && freeIndex < 0) {
                problems.add(m.getName() + ": @FreeWith(\"" + free + "\"): symbol \"" + free + "\" not found in " + name);
                continue;
            }
            plan.put(m, freeIndex < 0 ? call.at(index) : call.at(index).freeing(freeIndex));
        }
        if (!problems.isEmpty()) {
            throw new BindingException(iface, name, problems);
        }
        InvocationHandler handler = (proxy, method, args) -> {
            IsolatedCall call = plan.get(method);
            if (call != null) {
                return call.invoke(this, args);
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            return objectMethod(proxy, method, args, iface);
        };
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler));
    }

    /** {@return whether {@code m} redeclares a public method of Object (the proxy's, not the library's)} */
    static boolean isObjectMethod(Method m) {
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static Object objectMethod(Object proxy, Method method, Object @Nullable [] args, Class<?> iface) {
        return switch (method.getName()) {
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> args != null && proxy == args[0];
            case "toString" -> iface.getSimpleName() + "[isolated]";
            default -> throw new UnsupportedOperationException(method.toString());
        };
    }

    private int resolve(String function) {
        synchronized (functions) {
            Integer known = functions.get(function);
            if (known != null) {
                return known;
            }
        }
        int index;
        try {
            index = calls.resolve(function, setupNanos);
        } catch (NoAnswer e) {
            throw crashed(function, e);
        }
        if (index >= 0) {
            synchronized (functions) {
                functions.put(function, index);
            }
        }
        return index;
    }

    long call(IsolatedCall c, long[] ints, long[] floats, int pointers, byte[] data, int dataLength, boolean copyBack,
              int bulkPointers, List<Bulk> bulk, int callbacks, @Nullable CallbackHandler handler,
              dev.dynload.internal.linux.@Nullable Frame frame) {
        try {
            return calls.call(c.index, c.function, c.returns, ints, c.intCount, floats, c.floatCount, pointers, data,
                    dataLength, copyBack, bulkPointers, bulk, callbacks, handler, frame, deadlineNanos);
        } catch (NoAnswer e) {
            throw crashed(c.function, e);
        }
    }

    @Nullable String callForText(IsolatedCall c, long[] ints, long[] floats, int pointers, byte[] data, int dataLength,
                                 dev.dynload.internal.linux.@Nullable Frame frame) {
        byte[] text;
        try {
            text = calls.callForText(c.index, c.function, ints, c.intCount, floats, c.floatCount, pointers, data,
                    dataLength, frame, deadlineNanos);
        } catch (NoAnswer e) {
            throw crashed(c.function, e);
        }
        if (text == null) {
            return null;
        }
        if (text.length >= RunnerCalls.dataSize()) {
            throw new IllegalStateException(name + ": " + c.function + "() returned a string of " + text.length
                    + " bytes or more, more than the " + (RunnerCalls.dataSize() - 1) + " an isolated call carries back");
        }
        return new String(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    LibraryCrashedException crashed(String function, NoAnswer e) {
        RunnerProcess.Exit exit = e.exit();
        LibraryCrashedException.Reason reason = switch (e.failure()) {
            case DEADLINE -> LibraryCrashedException.Reason.DEADLINE;
            case CLOSED -> LibraryCrashedException.Reason.CLOSED;
            case BUSY -> LibraryCrashedException.Reason.DEADLINE;
            case ENDED -> exit != null && !exit.signalled() ? LibraryCrashedException.Reason.EXIT
                    : LibraryCrashedException.Reason.SIGNAL;
        };
        int signal = exit != null && exit.signalled() ? exit.code() : 0;
        int status = exit != null && !exit.signalled() ? exit.code() : 0;
        String detail = e.getMessage();
        String prefix = function + ": ";
        return new LibraryCrashedException(reason, name, function, signal, status,
                detail != null && detail.startsWith(prefix) ? detail.substring(prefix.length()) : String.valueOf(detail),
                e.failure() != NoAnswer.Failure.BUSY && e.failure() != NoAnswer.Failure.CLOSED);
    }

    /**
     * Calls one function without an interface, for tools that learn its signature at run time.
     *
     * {@snippet :
     * double one = (double) lib.call("cos", double.class, List.of(double.class), 0.0);
     * }
     *
     * @param function the function's name
     * @param returns its result's type: a primitive, {@code String} or {@code void.class}
     * @param parameters its parameters' types, primitives or {@code String}
     * @param arguments the arguments, boxed
     * @return the result, boxed; null for {@code void} or a NULL string
     * @throws IllegalArgumentException if a type cannot cross to another process or the arguments do not match
     * @throws SymbolNotFoundException if the library does not export the function
     * @throws LibraryCrashedException if the call got no answer
     */
    public @Nullable Object call(String function, Class<?> returns, List<Class<?>> parameters,
                                 @Nullable Object... arguments) {
        Objects.requireNonNull(function, "function");
        List<String> problems = new ArrayList<>();
        IsolatedCall c = IsolatedCall.of(function, parameters.toArray(new Class<?>[0]), returns, problems);
        if (c == null) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (arguments.length != parameters.size()) {
            throw new IllegalArgumentException(function + " takes " + parameters.size() + " arguments, not "
                    + arguments.length);
        }
        int index = resolve(function);
        if (index < 0) {
            throw new SymbolNotFoundException(function, name, List.of(), "run 'dynload symbols " + name
                    + "' to list what it exports");
        }
        return c.at(index).invoke(this, arguments);
    }

    /** {@return the process id of the library's process, for logs and tools; dynload never signals it by PID} */
    public long pid() {
        return calls.pid();
    }

    /** {@return whether the library's process still runs} */
    public boolean isAlive() {
        return calls.alive();
    }

    /** {@return the library as it was opened} */
    public String name() {
        return name;
    }

    /**
     * Ends the library's process and frees the shared memory. Calls still running get a
     * {@link LibraryCrashedException}. Closing a closed library does nothing.
     */
    @Override
    public void close() {
        calls.close();
    }

    @Override
    public String toString() {
        return "IsolatedLibrary[" + name + ", pid " + calls.pid() + (calls.alive() ? "" : ", ended") + "]";
    }

}
