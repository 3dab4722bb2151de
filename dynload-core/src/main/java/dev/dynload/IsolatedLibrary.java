package dev.dynload;

import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.linux.RunnerCalls;
import dev.dynload.internal.linux.RunnerProcess;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
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
import java.util.Optional;

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
 * or {@code String}s (C's {@code const char *}, UTF-8; a returned string is copied back and not freed),
 * or arrays of primitives but {@code boolean} (copied in, and back out after the call; up to 2 MiB a
 * call), or functional interfaces whose method takes and returns primitives (Java callbacks, called back
 * from the library's process during the call), at most six integer, string, array or callback parameters
 * and six floating-point ones, or {@code void}. Everything else is refused at {@link #bind}, by name. Linux on x86-64 and AArch64 only; docs/isolation.md says what isolation promises
 * and what it does not.
 */
public final class IsolatedLibrary implements AutoCloseable {

    /** How long a call (and the load) may take when {@link #open(Path, Duration)} is not told. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    private final String name;
    private final RunnerCalls calls;
    private final long deadlineNanos;
    /** For the load and the lookups of bind: the deadline, but never less than {@link #DEFAULT_DEADLINE}. */
    private final long setupNanos;
    private final Map<String, Integer> functions = new HashMap<>();

    private IsolatedLibrary(String name, RunnerCalls calls, long deadlineNanos) {
        this.name = name;
        this.calls = calls;
        this.deadlineNanos = deadlineNanos;
        this.setupNanos = setupNanos(deadlineNanos);
    }

    private static long setupNanos(long deadlineNanos) {
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
        Checked checked = Checked.of(loader, file);
        try (OpenFile open = checked.open) {
            return new IsolatedLibrary(file.toString(), RunnerCalls.start(loader, open, setupNanos(nanos), output,
                    checked.originFolders, sandbox.runnerArguments()), nanos);
        } catch (RunnerCalls.NoAnswer e) {
            throw checked.diagnosis.failedInIsolation(e.getMessage(), null);
        } catch (IOException e) {
            throw checked.diagnosis.failedInIsolation("its process could not be started: " + e.getMessage(), null);
        }
    }

    private static NativeLoader linuxLoader(String what) {
        NativeLoader loader = NativeLoader.current();
        if (!loader.getClass().getName().endsWith(".LinuxLoader")) {
            throw new UnsupportedOperationException(what + " run on Linux only; this is " + OperatingSystem.current());
        }
        return loader;
    }

    /** A deadline in nanoseconds; one of centuries is cut to one that fits. */
    private static long nanos(Duration deadline) {
        return deadline.compareTo(Duration.ofDays(36_500)) > 0 ? Long.MAX_VALUE / 4 : deadline.toNanos();
    }

    /** A file opened once and checked as {@link Library#open} checks it, for a runner to be handed. */
    private record Checked(OpenFile open, Diagnosis diagnosis, List<Path> originFolders) {
        static Checked of(NativeLoader loader, Path file) {
            Diagnosis diagnosis = new Diagnosis(file.toString(), file, List.of());
            OpenFile open;
            try {
                open = loader.openFile(file);
            } catch (IOException e) {
                throw diagnosis.cannotOpen(e);
            }
            try {
                diagnosis.readThrough(open.readable());
                Optional<LibraryLoadException> refused = diagnosis.beforeLoading(open);
                if (refused.isEmpty()) {
                    refused = diagnosis.notElf();
                }
                if (refused.isPresent()) {
                    throw refused.get();
                }
                Optional<dev.dynload.elf.ElfCheck> elf = diagnosis.structure(); // throws for a damaged file
                return new Checked(open, diagnosis, Isolation.originFolders(file,
                        elf.isPresent() ? elf.get().runPath() : List.of()));
            } catch (RuntimeException | Error e) {
                open.close();
                throw e;
            }
        }
    }

    static {
        dev.dynload.internal.IsolatedAccess.set(new Access());
    }

    /** What dynload's plugin host uses of isolation (see {@link dev.dynload.internal.IsolatedAccess}). */
    private static final class Access implements dev.dynload.internal.IsolatedAccess<IsolatedLibrary, Sandbox> {
        @Override
        public IsolatedLibrary startPlugins(String name, List<Path> files, Duration deadline,
                                            java.util.function.@Nullable Consumer<String> output, PluginLog log,
                                            java.util.function.Function<Path, @Nullable String> vet, Sandbox sandbox) {
            NativeLoader loader = linuxLoader("isolated plugins");
            long nanos = nanos(deadline);
            List<Checked> checked = new ArrayList<>();
            try {
                List<Path> originFolders = new ArrayList<>();
                List<OpenFile> open = new ArrayList<>();
                for (Path file : files) {
                    Checked c = Checked.of(loader, file);
                    checked.add(c);
                    String refused = vet.apply(c.open.readable());
                    if (refused != null) {
                        throw c.diagnosis.failedInIsolation(refused, null);
                    }
                    open.add(c.open);
                    for (Path folder : c.originFolders) {
                        if (!originFolders.contains(folder)) {
                            originFolders.add(folder);
                        }
                    }
                }
                Diagnosis first = checked.get(0).diagnosis;
                try {
                    return new IsolatedLibrary(name, RunnerCalls.startPlugins(loader, open, setupNanos(nanos), output,
                            originFolders, log::log, sandbox.runnerArguments()), nanos);
                } catch (RunnerCalls.NoAnswer e) {
                    // "... plugin N: why" names the file the runner could not load; else the first speaks for all.
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("plugin (\\d+): ")
                            .matcher(String.valueOf(e.getMessage()));
                    int at = m.find() ? Integer.parseInt(m.group(1)) : 0;
                    Diagnosis which = at < checked.size() ? checked.get(at).diagnosis : first;
                    throw which.failedInIsolation(e.getMessage(), null);
                } catch (IOException e) {
                    throw first.failedInIsolation("its process could not be started: " + e.getMessage(), null);
                }
            } finally {
                for (Checked c : checked) {
                    c.open.close();
                }
            }
        }

        @Override
        public Step step(IsolatedLibrary process, int plugin, String name, long[] ints, byte[] data, int length) {
            try {
                RunnerCalls.StepAnswer a = process.calls.step(plugin, name, ints, data, length, process.deadlineNanos);
                return new Step(a.result(), a.error(), a.text(), a.data());
            } catch (RunnerCalls.NoAnswer e) {
                throw process.crashed(name, e);
            }
        }

        @Override
        public LibraryCrashedException ended(IsolatedLibrary process, String function) {
            RunnerProcess.Exit exit = process.calls.exit();
            if (exit == null) {
                return new LibraryCrashedException(LibraryCrashedException.Reason.CLOSED, process.name, function, 0, 0,
                        "the process is still running", false);
            }
            return new LibraryCrashedException(exit.signalled() ? LibraryCrashedException.Reason.SIGNAL
                    : LibraryCrashedException.Reason.EXIT, process.name, function, exit.signalled() ? exit.code() : 0,
                    exit.signalled() ? 0 : exit.code(), "the process ended before the call (" + exit.describe() + ")",
                    true);
        }

        @Override
        public String howEnded(IsolatedLibrary process) {
            RunnerProcess.Exit exit = process.calls.exit();
            return exit == null ? "running" : exit.describe();
        }

        @Override
        public @Nullable Object invokeDefault(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }

        @Override
        public void onRemote(IsolatedLibrary process, RemoteCalls remote) {
            process.calls.onRemote(remote::call);
        }

        @Override
        public long callRaw(IsolatedLibrary process, int function, String name, boolean floatResult, long[] ints,
                            long[] floats) {
            try {
                return process.calls.call(function, name, floatResult ? 2 : 1, ints, 6, floats, 6, 0, Call.NO_DATA, 0,
                        false, process.deadlineNanos);
            } catch (RunnerCalls.NoAnswer e) {
                throw process.crashed(name, e);
            }
        }

        @Override
        public int dataSize() {
            return RunnerCalls.dataSize();
        }

        @Override
        public @Nullable Planned plan(Method m, List<String> problems) {
            return Call.of(m, problems);
        }

        @Override
        public @Nullable Object invoke(IsolatedLibrary process, Planned call, Object @Nullable [] args) {
            return ((Call) call).invoke(process, args);
        }
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
        Map<Method, Call> plan = new HashMap<>();
        for (Method m : iface.getMethods()) {
            if (!Modifier.isAbstract(m.getModifiers()) || isObjectMethod(m)) {
                continue; // default methods stay Java; toString, equals and hashCode are the proxy's
            }
            Call call = Call.of(m, problems);
            if (call == null) {
                continue;
            }
            int index = resolve(m.getName());
            if (index < 0) {
                problems.add(m.getName() + ": symbol \"" + m.getName() + "\" not found in " + name);
                continue;
            }
            plan.put(m, call.at(index));
        }
        if (!problems.isEmpty()) {
            throw new BindingException(iface, name, problems);
        }
        InvocationHandler handler = (proxy, method, args) -> {
            Call call = plan.get(method);
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

    private static boolean isObjectMethod(Method m) {
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
        } catch (RunnerCalls.NoAnswer e) {
            throw crashed(function, e);
        }
        if (index >= 0) {
            synchronized (functions) {
                functions.put(function, index);
            }
        }
        return index;
    }

    long call(Call c, long[] ints, long[] floats, int pointers, byte[] data, int dataLength, boolean copyBack,
              int bulkPointers, List<RunnerCalls.Bulk> bulk, int callbacks, RunnerCalls.@Nullable CallbackHandler handler,
              int @Nullable [] errno) {
        try {
            return calls.call(c.index, c.function, c.returns, ints, c.intCount, floats, c.floatCount, pointers, data,
                    dataLength, copyBack, bulkPointers, bulk, callbacks, handler, errno, deadlineNanos);
        } catch (RunnerCalls.NoAnswer e) {
            throw crashed(c.function, e);
        }
    }

    @Nullable String callForText(Call c, long[] ints, long[] floats, int pointers, byte[] data, int dataLength,
                                 int @Nullable [] errno) {
        byte[] text;
        try {
            text = calls.callForText(c.index, c.function, ints, c.intCount, floats, c.floatCount, pointers, data,
                    dataLength, errno, deadlineNanos);
        } catch (RunnerCalls.NoAnswer e) {
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

    private LibraryCrashedException crashed(String function, RunnerCalls.NoAnswer e) {
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
                e.failure() != RunnerCalls.Failure.BUSY && e.failure() != RunnerCalls.Failure.CLOSED);
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
        Call c = Call.of(function, parameters.toArray(new Class<?>[0]), returns, problems);
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

    /** One method's call: which arguments go to which registers, and what comes back. */
    static final class Call implements dev.dynload.internal.IsolatedAccess.Planned {
        static final byte[] NO_DATA = new byte[0];
        /** Where in a slot the bytes of string arguments begin. */
        private static final int DATA_OFFSET = RunnerCalls.dataOffset();
        final String function;
        final int index;
        final int returns;
        final int intCount;
        final int floatCount;
        final Class<?>[] parameters;
        final Class<?> result;
        /** Per parameter: the struct of a {@code Ref} or {@code @ByReference} record, else null. */
        final dev.dynload.internal.bind.@Nullable RecordCodec[] structs;
        /** Whether the method is {@code @Errno}: a failed result throws with the errno the call left. */
        final boolean errno;

        private Call(String function, int index, int returns, int intCount, int floatCount, Class<?>[] parameters,
                     Class<?> result, dev.dynload.internal.bind.@Nullable RecordCodec[] structs, boolean errno) {
            this.structs = structs;
            this.errno = errno;
            this.function = function;
            this.index = index;
            this.returns = returns;
            this.intCount = intCount;
            this.floatCount = floatCount;
            this.parameters = parameters;
            this.result = result;
        }

        @Override
        public Call at(int functionIndex) {
            return new Call(function, functionIndex, returns, intCount, floatCount, parameters, result, structs, errno);
        }

        /** Whether an {@code @Errno} function's result says it failed: -1, or false; as in process. */
        private boolean failed(long bits) {
            if (result == boolean.class) {
                return (bits & 0xff) == 0;
            } else if (result == long.class) {
                return bits == -1;
            } else if (result == int.class) {
                return (int) bits == -1;
            } else if (result == short.class) {
                return (short) bits == -1;
            }
            return result == byte.class && (byte) bits == -1;
        }

        /** Reads each Ref's struct back from where it lay in the data area, as a new record in the reference. */
        @SuppressWarnings("unchecked")
        private void readRefs(Object @Nullable [] args, byte[] data, int[] refAt) {
            for (int a = 0; a < parameters.length; a++) {
                if (refAt[a] > 0) {
                    dev.dynload.internal.bind.RecordCodec struct = structs[a];
                    try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
                        MemorySegment s = scratch.allocate(struct.size(), struct.alignment());
                        MemorySegment.copy(MemorySegment.ofArray(data), refAt[a] - 1, s, 0, struct.size());
                        ((dev.dynload.bind.Ref<Object>) args[a]).set(struct.read(s, 0));
                    }
                }
            }
        }

        /** Copies what the function wrote into the data area back into each array argument, from where it lay. */
        private void copyBack(Object @Nullable [] args, byte[] data, int[] arrayAt) {
            for (int a = 0; a < parameters.length; a++) {
                if (arrayAt[a] >= 0) {
                    Object array = args[a];
                    MemorySegment.copy(MemorySegment.ofArray(data), elementLayout(parameters[a].getComponentType()),
                            arrayAt[a], array, 0, java.lang.reflect.Array.getLength(array));
                }
            }
        }

        /** The native-order, unaligned layout of an array's element, to copy through a byte array. */
        private static java.lang.foreign.ValueLayout elementLayout(Class<?> element) {
            java.lang.foreign.ValueLayout l = element == byte.class ? java.lang.foreign.ValueLayout.JAVA_BYTE
                    : element == short.class ? java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED
                    : element == char.class ? java.lang.foreign.ValueLayout.JAVA_CHAR_UNALIGNED
                    : element == int.class ? java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED
                    : element == long.class ? java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED
                    : element == float.class ? java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED
                    : java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
            return l;
        }

        /** The call of {@code m}, or null with its problems added. */
        static @Nullable Call of(Method m, List<String> problems) {
            return of(m.getName(), m.getParameterTypes(), m.getReturnType(), problems, m);
        }

        static @Nullable Call of(String function, Class<?>[] types, Class<?> r, List<String> problems) {
            return of(function, types, r, problems, null);
        }

        /**
         * The struct of parameter {@code i} of {@code m} when it crosses as one: a {@code Ref<R>} (copied in,
         * and back into the reference), or a {@code @ByReference} record (copied in); else null. Problems
         * go to {@code mine}.
         */
        private static dev.dynload.internal.bind.@Nullable RecordCodec struct(@Nullable Method m, int i, Class<?> t,
                                                                              List<String> mine) {
            Class<?> record = null;
            if (t == dev.dynload.bind.Ref.class && m != null
                    && m.getGenericParameterTypes()[i] instanceof java.lang.reflect.ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> c && c.isRecord()) {
                record = c;
            } else if (t.isRecord() && m != null && m.getParameters()[i].isAnnotationPresent(
                    dev.dynload.bind.ByReference.class)) {
                record = t;
            }
            if (record == null) {
                return null;
            }
            String pointer = pointerField(record);
            if (pointer != null) {
                mine.add("parameter " + i + ": record " + record.getSimpleName() + " has a pointer field (" + pointer
                        + "), an address of one process that means nothing in the other; isolated structs hold values");
                return null;
            }
            try {
                return dev.dynload.internal.bind.RecordCodec.of(record, null);
            } catch (IllegalArgumentException e) {
                mine.add("parameter " + i + ": " + e.getMessage());
                return null;
            }
        }

        /** {@return the first component of {@code record} (nested records too) that is a pointer, or null} */
        private static @Nullable String pointerField(Class<?> record) {
            for (java.lang.reflect.RecordComponent c : record.getRecordComponents()) {
                Class<?> t = c.getType();
                if (t == MemorySegment.class || t == String.class || t.isInterface()) {
                    return c.getName();
                }
                if (t.isRecord()) {
                    String inner = pointerField(t);
                    if (inner != null) {
                        return c.getName() + "." + inner;
                    }
                }
            }
            return null;
        }

        /** The call of a function of these types, or null with its problems added. */
        private static @Nullable Call of(String function, Class<?>[] types, Class<?> r, List<String> problems,
                                         @Nullable Method m) {
            int ints = 0;
            int floats = 0;
            List<String> mine = new ArrayList<>();
            dev.dynload.internal.bind.RecordCodec[] structs = new dev.dynload.internal.bind.RecordCodec[types.length];
            for (int i = 0; i < types.length; i++) {
                Class<?> t = types[i];
                if (t == dev.dynload.bind.Ref.class || t.isRecord()) {
                    structs[i] = struct(m, i, t, mine);
                    if (structs[i] == null && t.isRecord() && mine.isEmpty()) {
                        mine.add("parameter " + i + " is a record passed by value, which cannot cross to another "
                                + "process yet; pass it @ByReference (read by C) or through Ref<" + t.getSimpleName()
                                + "> (written by C)");
                    } else if (structs[i] == null && mine.isEmpty()) {
                        mine.add("parameter " + i + " is a Ref whose type argument is not a record");
                    }
                    ints++;
                } else if (t == float.class || t == double.class) {
                    floats++;
                } else if (Callbacks.isCallback(t)) {
                    Callbacks.check(t, "parameter " + i, mine);
                    ints++;
                } else if ((t.isPrimitive() && t != void.class) || t == String.class
                        || (t.isArray() && t.getComponentType().isPrimitive() && t.getComponentType() != boolean.class)) {
                    ints++;
                } else {
                    mine.add("parameter " + i + " is a " + t.getName() + ", which cannot cross to another process yet; "
                            + "isolated calls take primitives, strings and primitive arrays (use Library.bind in "
                            + "process for structs, callbacks and pointers)");
                }
            }
            boolean arrays = false;
            for (Class<?> t : types) {
                arrays |= t.isArray();
            }
            if (arrays && r == String.class) {
                mine.add("returns a String and takes arrays: an isolated call carries one or the other back, not both "
                        + "yet; return the string through a char array, or call twice");
            }
            if (ints > 6 || floats > 6) {
                mine.add("takes " + ints + " integer and " + floats + " floating-point parameters; an isolated call "
                        + "takes at most six of each");
            }
            int returns = r == void.class ? 0 : r == double.class ? 2 : r == float.class ? 3 : r == String.class ? 4
                    : r.isPrimitive() ? 1 : -1;
            if (returns < 0) {
                mine.add("returns a " + r.getName() + ", which cannot cross to another process yet; return a primitive "
                        + "or a String");
            }
            boolean errno = m != null && m.isAnnotationPresent(dev.dynload.bind.Errno.class);
            if (errno && (r == void.class || r == float.class || r == double.class)) {
                mine.add("@Errno needs a result that says failure (-1, NULL or false); it returns " + r.getName());
            }
            boolean carriedBack = false;
            for (int i = 0; i < types.length; i++) {
                carriedBack |= types[i] == dev.dynload.bind.Ref.class || Callbacks.isCallback(types[i]);
            }
            if (carriedBack && r == String.class) {
                mine.add("returns a String and takes a Ref or a callback: an isolated call carries a string back "
                        + "alone, not yet with them; return an int and pass the string through a char array");
            }
            for (String p : mine) {
                problems.add(function + ": " + p);
            }
            return mine.isEmpty() ? new Call(function, -1, returns, ints, floats, types, r, structs, errno) : null;
        }

        @Nullable Object invoke(IsolatedLibrary library, Object @Nullable [] args) {
            long[] ints = new long[6];
            long[] floats = new long[6];
            int i = 0;
            int f = 0;
            int pointers = 0;
            byte[] data = NO_DATA;
            int used = 0;
            int[] arrayAt = null; // where each array argument's bytes lie in data, to copy them back from
            List<RunnerCalls.Bulk> bulk = List.of(); // arrays too large for the slot: the slot's bulk area
            int bulkPointers = 0;
            long bulkUsed = 0;
            Callbacks callbacks = null; // the Java callbacks of this call, by integer argument position
            int callbackBits = 0;
            int[] refAt = null; // where each Ref's struct lies in data, to read it back from
            for (int a = 0; a < parameters.length; a++) {
                Object v = args[a];
                Class<?> t = parameters[a];
                dev.dynload.internal.bind.RecordCodec struct = structs[a];
                if (struct != null) { // a Ref or a @ByReference record: a copy of the struct in the slot
                    if (v == null) {
                        ints[i++] = 0; // NULL
                        continue;
                    }
                    if (data == NO_DATA) {
                        data = new byte[RunnerCalls.dataSize()];
                    }
                    long alignment = Math.max(8, struct.alignment());
                    used = (int) ((used + alignment - 1) & -alignment);
                    int size = (int) struct.size();
                    if (used + size > data.length) {
                        throw new IllegalArgumentException(function + "(): parameter " + a + "'s struct takes " + size
                                + " bytes, more than the " + (data.length - used) + " left of what an isolated call carries");
                    }
                    Object record = t == dev.dynload.bind.Ref.class ? ((dev.dynload.bind.Ref<?>) v).get() : v;
                    try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
                        MemorySegment s = scratch.allocate(size, struct.alignment());
                        struct.write(s, 0, record); // the type table's writer, on aligned native memory
                        MemorySegment.copy(s, 0, MemorySegment.ofArray(data), used, size);
                    }
                    if (t == dev.dynload.bind.Ref.class) {
                        if (refAt == null) {
                            refAt = new int[parameters.length];
                        }
                        refAt[a] = used + 1; // 0: not a Ref
                    }
                    pointers |= 1 << i;
                    ints[i++] = DATA_OFFSET + used;
                    used += size;
                    continue;
                }
                if (t.isInterface()) { // a callback, as Call.of checked: a C function pointer in the runner
                    if (v != null) {
                        if (callbacks == null) {
                            callbacks = new Callbacks(function);
                        }
                        callbackBits |= callbacks.add(i, t, v);
                    }
                    ints[i++] = 0; // NULL for a null callback; the runner puts its trampoline there otherwise
                    continue;
                }
                if (t == String.class || t.isArray()) {
                    if (v == null) {
                        ints[i++] = 0; // NULL
                        continue;
                    }
                    if (data == NO_DATA) {
                        data = new byte[RunnerCalls.dataSize()];
                    }
                    used = (used + 7) & ~7; // each argument's bytes aligned for any element type
                    byte[] text = t == String.class ? ((String) v).getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
                    int size = text != null ? text.length + 1
                            : java.lang.reflect.Array.getLength(v) * (int) elementLayout(t.getComponentType()).byteSize();
                    if (used + size > data.length && text == null) {
                        // Too large for the slot: into the slot's bulk area, copied in and back out the same way.
                        bulkUsed = (bulkUsed + 7) & ~7;
                        if (bulkUsed + size > RunnerCalls.bulkSize()) {
                            throw new IllegalArgumentException(function + "(): its arrays take " + (bulkUsed + size)
                                    + " bytes, more than the " + RunnerCalls.bulkSize() + " an isolated call carries");
                        }
                        if (bulk.isEmpty()) {
                            bulk = new ArrayList<>();
                        }
                        bulk.add(new RunnerCalls.Bulk(v, bulkUsed, elementLayout(t.getComponentType())));
                        bulkPointers |= 1 << i;
                        ints[i++] = bulkUsed;
                        bulkUsed += size;
                        continue;
                    }
                    if (used + size > data.length) {
                        throw new IllegalArgumentException(function + "(): its string arguments take "
                                + (used + size) + " bytes, more than the " + data.length + " an isolated call carries");
                    }
                    if (text != null) {
                        System.arraycopy(text, 0, data, used, text.length);
                        data[used + text.length] = 0;
                    } else {
                        MemorySegment.copy(v, 0, MemorySegment.ofArray(data), elementLayout(t.getComponentType()),
                                used, java.lang.reflect.Array.getLength(v));
                        if (arrayAt == null) {
                            arrayAt = new int[parameters.length];
                            java.util.Arrays.fill(arrayAt, -1);
                        }
                        arrayAt[a] = used;
                    }
                    pointers |= 1 << i;
                    ints[i++] = DATA_OFFSET + used;
                    used += size;
                } else if (t == double.class) {
                    floats[f++] = Double.doubleToRawLongBits((Double) v);
                } else if (t == float.class) {
                    floats[f++] = Integer.toUnsignedLong(Float.floatToRawIntBits((Float) v));
                } else if (t == boolean.class) {
                    ints[i++] = (Boolean) v ? 1 : 0;
                } else if (t == char.class) {
                    ints[i++] = (Character) v;
                } else {
                    ints[i++] = ((Number) v).longValue();
                }
            }
            int[] error = errno ? new int[1] : null;
            if (result == String.class) {
                String text = library.callForText(this, ints, floats, pointers, data, used, error);
                if (error != null && text == null) {
                    throw new dev.dynload.bind.ErrnoException(function, error[0],
                            dev.dynload.internal.posix.Libc.strerror(error[0]));
                }
                return text;
            }
            long bits = library.call(this, ints, floats, pointers, data, used,
                    arrayAt != null || refAt != null || !bulk.isEmpty(), bulkPointers, bulk, callbackBits, callbacks, error);
            if (callbacks != null) {
                callbacks.rethrow(); // a callback's exception, from the bound method, once C has finished
            }
            if (arrayAt != null) {
                copyBack(args, data, arrayAt);
            }
            if (refAt != null) {
                readRefs(args, data, refAt);
            }
            if (error != null && failed(bits)) {
                throw new dev.dynload.bind.ErrnoException(function, error[0],
                        dev.dynload.internal.posix.Libc.strerror(error[0]));
            }
            if (result == void.class) {
                return null;
            } else if (result == double.class) {
                return Double.longBitsToDouble(bits);
            } else if (result == float.class) {
                return Float.intBitsToFloat((int) bits);
            } else if (result == long.class) {
                return bits;
            } else if (result == int.class) {
                return (int) bits;
            } else if (result == short.class) {
                return (short) bits;
            } else if (result == byte.class) {
                return (byte) bits;
            } else if (result == char.class) {
                return (char) bits;
            }
            return (bits & 0xff) != 0; // a C bool is one byte
        }
    }
}
