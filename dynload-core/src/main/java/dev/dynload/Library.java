package dev.dynload;

import org.jspecify.annotations.Nullable;
import dev.dynload.internal.LinkerWarmUp;
import dev.dynload.internal.NativeLoader;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A native shared library loaded into this process: a Rust {@code cdylib}, a C shared object, a
 * system library. Open it, find its symbols, call its functions, close it.
 *
 * <p>In C, with the POSIX loader:
 * {@snippet lang=c :
 * void *lib = dlopen("./libtest.so", RTLD_NOW);
 * const char *(*greet)(void) = (const char *(*)(void)) dlsym(lib, "greet");
 * printf("%s\n", greet());
 * dlclose(lib);
 * }
 * The same with dynload:
 * {@snippet :
 * try (Library lib = Library.open(Path.of("./libtest.so"))) {
 *     MethodHandle greet = lib.downcall("greet", FunctionDescriptor.of(ValueLayout.ADDRESS));
 *     System.out.println(CString.read((MemorySegment) greet.invokeExact()));
 * }
 * }
 *
 * <h2>Finding a library by name</h2>
 * {@link #open(String, LoadOption...)} searches the folders of {@link LoadOption#searchPath}, then
 * {@code java.library.path}, then the system loader's own places; it says where it looked when nothing
 * loads.
 *
 * <h2>Lifetime</h2>
 * A library stays loaded until {@link #close()}. Every address and method handle obtained from it is
 * tied to it: once it is closed, using them throws {@link IllegalStateException} instead of jumping into
 * unmapped code, also when another thread closed it; {@link #close()} says how it waits for calls that
 * are still running.
 *
 * <h2>Thread-safety</h2>
 * All methods may be called from any thread, platform or virtual. Opening and closing the same file from
 * many threads at once is safe: the loader counts references and unloads the file with the last close.
 *
 * <h2>Safety</h2>
 * dynload cannot check that a {@link FunctionDescriptor} matches the C function it describes; a wrong
 * descriptor is undefined behaviour, as a wrong cast of a {@code dlsym} result is in C. Loading a library
 * runs its initialisers, which may do anything native code can do.
 *
 * <p>What the file holds is checked before that: the file is opened once, without blocking, checked
 * through that descriptor by {@link dev.dynload.elf.ElfFile#verify} (everything the system loader trusts,
 * so that a damaged or hostile file is refused instead of crashing the JVM inside the loader) and loaded
 * as that same open file, so that a file swapped after the check is not what loads.
 * {@link LoadOption#PRIVATE_COPY} loads a sealed private copy, {@link LoadOption#isolated} tries the load
 * in a child process first, and {@link LoadPlan} tells what a load would do without loading anything.
 *
 * <h2>Platform-specific behaviour</h2>
 * dynload calls the platform's loader itself ({@code dlopen} on Linux and macOS, {@code LoadLibraryExW}
 * on Windows), so errors carry the loader's own message; docs/loading.md says what differs per platform,
 * and docs/architecture.md what has run where.
 */
public final class Library implements AutoCloseable {

    private final NativeLoader loader;
    private final String name;
    private final Path path;
    /** The handle, its arena, closing, unloading and the bound interfaces. */
    private final LibraryState state;

    Library(NativeLoader loader, String name, Path path, NativeLoader.Opened opened) {
        this.loader = loader;
        this.name = name;
        this.path = path;
        this.state = new LibraryState(loader, name, opened);
    }

    /**
     * Loads the library in {@code file}.
     *
     * {@snippet :
     * Library lib = Library.open(Path.of("target/release/libtest.so"));
     * }
     *
     * @param file the library file; a relative path is taken from the working directory
     * @param options the loader's flags; the default is {@link LoadOption#NOW} and {@link LoadOption#LOCAL}
     * @return the loaded library, to be closed by the caller
     * @throws LibraryLoadException if the file does not load: the exception names the file, says why and
     *                              what to do
     * @throws IllegalArgumentException if the path holds a NUL character or the options conflict
     */
    public static Library open(Path file, LoadOption... options) {
        Objects.requireNonNull(file, "file");
        NativeLoader.current().warmUpChecks(false);
        return new Loading(NativeLoader.current(), OptionSet.of(options)).openFile(file.toString(), file);
    }

    /**
     * Loads a library by name: {@code "test"} finds {@code libtest.so} on Linux, {@code libtest.dylib} on
     * macOS; a file name such as {@code "libz.so.1"} is used as given; a name with a {@code '/'} is a path.
     * A bare name becomes the platform's file name ({@link #mapName}), then these places are searched in
     * order, and the first file that loads wins:
     * <ol>
     *   <li>the folders of {@link LoadOption#searchPath}, in the order given;</li>
     *   <li>the folders of the {@code java.library.path} system property;</li>
     *   <li>the system loader's own search ({@code LD_LIBRARY_PATH}, {@code /etc/ld.so.cache}, {@code /lib},
     *       {@code /usr/lib} on Linux).</li>
     * </ol>
     * In each folder an unversioned name also finds a versioned file: {@code "z"} finds {@code libz.so.1}
     * where no {@code libz.so} exists. A GNU linker script found by name (glibc's {@code libc.so}) is
     * followed to the library it names. A file for another CPU is passed over, as the system loader does.
     *
     * {@snippet :
     * Library z = Library.open("z");                                   // libz.so.1
     * Library mine = Library.open("test", LoadOption.searchPath(Path.of("build")));
     * }
     *
     * @param name a bare name, a file name or a path
     * @param options the loader's flags and {@link LoadOption#searchPath} folders
     * @return the loaded library, to be closed by the caller
     * @throws LibraryLoadException if no file loads; a {@link LibraryLoadException.Reason#NOT_FOUND} lists
     *                              every place searched
     * @throws IllegalArgumentException if the name is empty, holds a NUL character, or the options conflict
     */
    public static Library open(String name, LoadOption... options) {
        Objects.requireNonNull(name, "name");
        NativeLoader.current().warmUpChecks(false);
        return new Loading(NativeLoader.current(), OptionSet.of(options)).openName(name);
    }

    /**
     * Loads a library shipped inside a jar: a bundle, whose files lie under
     * {@code META-INF/dynload/BUNDLE/CLASSIFIER/} beside an index of their SHA-256s
     * ({@code META-INF/dynload/BUNDLE/index}), written by the build (see {@code docs/bundles.md}).
     *
     * {@snippet lang=c :
     * // what the C world does by hand: find the file, then
     * void *h = dlopen("/opt/app/lib/linux-x86_64/libgreeter.so", RTLD_NOW);
     * }
     * {@snippet :
     * Library greeter = Library.openBundled("greeter", App.class);   // from App's jar, on the class or module path
     * }
     *
     * <p>The files for the running platform ({@code linux-x86_64}, {@code linux-aarch_64},
     * {@code osx-aarch_64}..., with {@code -musl} on musl-based Linux) are read from the anchor's jar or
     * module, checked against the index, and loaded in the index's order (each file after those it needs);
     * the last one is returned. On Linux they are loaded from sealed memory files and never touch the disk;
     * elsewhere, or where the kernel refuses executable memory files, or when a dependency has no SONAME by
     * which the loader could find it in memory, they are written once into a private per-user cache folder,
     * named by their content, and checked again through the descriptor that loads them.
     *
     * <p>Packagers can prefer a library installed on the system with {@code -Ddynload.bundle.BUNDLE=system}
     * (used when the loader finds it by its file name), or give a path with
     * {@code -Ddynload.bundle.BUNDLE=/path/to/lib.so}.
     *
     * @param bundle the bundle's name, its folder under {@code META-INF/dynload/}
     * @param anchor a class from the bundle's jar or module, whose resources hold the bundle
     * @param options the loader's flags; {@link LoadOption#isolated} applies to each file
     * @return the library loaded last, to be closed by the caller
     * @throws LibraryLoadException {@link LibraryLoadException.Reason#NOT_BUILT_FOR_PLATFORM} (listing the
     *         platforms the bundle has), {@link LibraryLoadException.Reason#BAD_BUNDLE},
     *         {@link LibraryLoadException.Reason#HASH_MISMATCH}, {@link LibraryLoadException.Reason#UNSAFE_CACHE},
     *         {@link LibraryLoadException.Reason#DISK_FULL}, or any reason a load fails for
     * @throws IllegalArgumentException if the bundle name is not a plain name
     */
    public static Library openBundled(String bundle, Class<?> anchor, LoadOption... options) {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(anchor, "anchor");
        LinkerWarmUp.startOnce();
        return Bundles.open(bundle, new BundleResources.OfClass(anchor), NativeLoader.current(), options);
    }

    /**
     * Loads a library shipped inside a jar, found through a class loader; see
     * {@link #openBundled(String, Class, LoadOption...)}.
     *
     * @param bundle the bundle's name
     * @param loader the class loader whose resources hold the bundle
     * @param options the loader's flags
     * @return the library loaded last, to be closed by the caller
     * @throws LibraryLoadException as {@link #openBundled(String, Class, LoadOption...)} does
     */
    public static Library openBundled(String bundle, ClassLoader loader, LoadOption... options) {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(loader, "loader");
        LinkerWarmUp.startOnce();
        return Bundles.open(bundle, new BundleResources.OfLoader(loader), NativeLoader.current(), options);
    }

    /**
     * The running process itself: the JVM's own symbols and those of every library loaded with
     * {@link LoadOption#GLOBAL}, such as libc's. Libraries opened {@link LoadOption#LOCAL} stay invisible.
     *
     * {@snippet lang=c :
     * void *self = dlopen(NULL, RTLD_NOW);
     * }
     * {@snippet :
     * try (Library self = Library.process()) {
     *     MethodHandle getpid = self.downcall("getpid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
     * }
     * }
     *
     * @return a library view of the process; closing it only invalidates what was found through it
     */
    public static Library process() {
        return new Loading(NativeLoader.current(), OptionSet.of()).openProcess();
    }

    /**
     * Maps a bare name to this platform's library file name.
     *
     * @param name a bare name such as {@code "test"}
     * @return {@code libtest.so} on Linux, {@code libtest.dylib} on macOS, {@code test.dll} on Windows
     * @throws IllegalArgumentException if the name is empty or holds a folder or NUL
     * @see OperatingSystem#mapLibraryName(String)
     */
    public static String mapName(String name) {
        return OperatingSystem.current().mapLibraryName(name);
    }

    /** {@return the library as it was asked for: the path or name given to {@code open}} */
    public String name() {
        return name;
    }

    /** {@return the file the loader loaded, when known; empty for {@link #process()}} */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** {@return whether the library is still open} */
    public boolean isOpen() {
        return state.isOpen();
    }

    /**
     * Looks up an exported function or variable.
     *
     * @param symbol the symbol's name, as the library exports it (for C++ and Rust, unmangled)
     * @return its address, a zero-length segment valid while this library is open; empty when the
     *         library does not export it
     * @throws IllegalStateException if the library is closed
     * @throws IllegalArgumentException if the name is empty or holds a NUL character
     */
    public Optional<MemorySegment> find(String symbol) {
        checkSymbolName(symbol);
        MemorySegment address;
        try {
            address = loader.find(state.liveHandle(), symbol);
        } catch (IllegalStateException closedMeanwhile) {
            throw state.closed(closedMeanwhile);
        }
        if (address.address() == 0) {
            return Optional.empty();
        }
        return Optional.of(address.reinterpret(state.arena(), null));
    }

    /**
     * Looks up an exported function or variable that must be there.
     *
     * @param symbol the symbol's name
     * @return its address, a zero-length segment valid while this library is open
     * @throws SymbolNotFoundException if the library does not export it; the exception suggests the
     *                                 closest names it does export
     * @throws IllegalStateException if the library is closed
     * @throws IllegalArgumentException if the name is empty or holds a NUL character
     */
    public MemorySegment findOrThrow(String symbol) {
        Optional<MemorySegment> found = find(symbol);
        if (found.isEmpty()) {
            throw SymbolNotFoundException.in(this, symbol);
        }
        return found.get();
    }

    /**
     * An exported variable, as a segment of its layout's size, to read and write.
     *
     * {@snippet lang=c :
     * int32_t counter = 42;
     * }
     * {@snippet :
     * MemorySegment counter = lib.variable("counter", ValueLayout.JAVA_INT);
     * counter.get(ValueLayout.JAVA_INT, 0);      // 42
     * counter.set(ValueLayout.JAVA_INT, 0, 43);
     * }
     *
     * <p>The segment is the JDK's own, scoped to this library: read or written after {@link #close()}, it
     * throws the JDK's {@link IllegalStateException} ("Already closed"), which cannot name the library the
     * way this class's own methods do.
     *
     * @param symbol the variable's name
     * @param layout its C type's layout
     * @return the variable's memory, valid while this library is open
     * @throws SymbolNotFoundException if the library does not export it
     * @throws IllegalStateException if the library is closed
     */
    public MemorySegment variable(String symbol, MemoryLayout layout) {
        Objects.requireNonNull(layout, "layout");
        return findOrThrow(symbol).reinterpret(layout.byteSize());
    }

    /**
     * A method handle that calls an exported function: the raw escape hatch under dynload's typed
     * bindings, exactly as {@link Linker#downcallHandle(MemorySegment, FunctionDescriptor, Linker.Option...)}
     * makes it, except that it is tied to this library and throws {@link IllegalStateException} once the
     * library is closed.
     *
     * {@snippet lang=c :
     * int32_t add(int32_t a, int32_t b);
     * }
     * {@snippet :
     * MethodHandle add = lib.downcall("add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
     * int sum = (int) add.invokeExact(2, 3);
     * }
     *
     * <p><strong>Safety:</strong> the descriptor must match the C function; dynload cannot check that.
     *
     * @param symbol the function's name
     * @param descriptor its C signature
     * @param options linker options, such as {@link Linker.Option#critical(boolean)}
     * @return the handle, of the type {@code descriptor.toMethodType()}
     * @throws SymbolNotFoundException if the library does not export it
     * @throws IllegalStateException if the library is closed
     */
    public MethodHandle downcall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        Objects.requireNonNull(descriptor, "descriptor");
        MemorySegment target = findOrThrow(symbol);
        // Unbound, the linker takes the target as a segment and keeps its scope (this library's arena)
        // alive for the length of each call: a closed library makes calls throw, and close() waits for
        // calls in flight instead of unmapping code under them.
        MethodHandle unbound = Linker.nativeLinker().downcallHandle(descriptor, options);
        MethodHandle bound = MethodHandles.insertArguments(unbound, 0, target);
        return state.explainClosed(bound);
    }

    /**
     * Binds a Java interface to this library's functions: each abstract method calls the function of
     * its name (or of its {@link dev.dynload.bind.Symbol}), with Java types mapped to C types as
     * docs/binding.md tabulates. Default methods stay Java. Every method is checked before any is bound,
     * and all problems are reported together.
     *
     * {@snippet lang=c :
     * const char *greet(void);
     * int add(int a, int b);
     * }
     * {@snippet :
     * interface Greeter {
     *     String greet();
     *     int add(int a, int b);
     * }
     * Greeter g = lib.bind(Greeter.class);
     * g.greet();       // "Hello from Rust!"
     * }
     *
     * <p>The implementation is a class generated now, whose methods call the native functions through
     * constant method handles; after {@link #close()} they throw {@link IllegalStateException}, and the
     * library is unloaded once bound calls that had started have returned (see {@link #close()}). dynload
     * needs access to the interface: on the class path it has it; in a named module, open the package to
     * {@code dev.dynload}, or use {@link #bind(Class, MethodHandles.Lookup)}.
     *
     * @param iface the interface
     * @param <T> its type
     * @return an implementation bound to this library
     * @throws BindingException listing every method that cannot be bound and why
     * @throws IllegalArgumentException if {@code iface} is not an interface
     * @throws IllegalStateException if the library is closed
     */
    public <T> T bind(Class<T> iface) {
        return bind(iface, (MethodHandles.Lookup) null);
    }

    /**
     * Binds a Java interface with the caller's access rights, for interfaces in packages that are not
     * opened to {@code dev.dynload}: pass {@code MethodHandles.lookup()}.
     *
     * @param iface the interface
     * @param lookup a lookup with full privilege in the interface's package
     * @param <T> its type
     * @return an implementation bound to this library
     * @throws BindingException listing every method that cannot be bound and why
     * @see #bind(Class)
     */
    public <T> T bind(Class<T> iface, MethodHandles.Lookup lookup) {
        Objects.requireNonNull(iface, "iface");
        // Should close() run after this, the binding's first calls throw: they find their symbols
        // through find(), which a closed library refuses.
        return state.bindings(this).bind(iface, lookup);
    }

    /**
     * Binds a Java interface to functions in a table the library hands out (a plugin's interface table,
     * a C vtable), instead of its exports: each method calls the function at the address {@code table}
     * finds for its name. A method the table lacks throws {@link UnsupportedOperationException} (or keeps
     * its default body), and a default method the table has calls the table's function; see
     * {@link dev.dynload.bind.FunctionTable}. Otherwise as {@link #bind(Class)}: the same type table, the
     * same speed, and the methods throw once this library is closed.
     *
     * {@snippet lang=c :
     * struct greeter { uint32_t size; uint32_t minor; const char *(*greet)(const char *); };
     * }
     * {@snippet :
     * Greeter g = lib.bind(Greeter.class, name -> name.equals("greet")
     *         ? Optional.of(table.get(ValueLayout.ADDRESS, 8)) : Optional.empty());
     * }
     *
     * @param iface the interface
     * @param table where each function is; its addresses must stay valid while this library is open
     * @param <T> its type
     * @return an implementation bound to the table's functions
     * @throws BindingException listing every method that cannot be bound and why
     * @throws IllegalStateException if the library is closed
     */
    public <T> T bind(Class<T> iface, dev.dynload.bind.FunctionTable table) {
        return bind(iface, table, null);
    }

    /**
     * {@link #bind(Class, dev.dynload.bind.FunctionTable)} with the caller's access rights.
     *
     * @param iface the interface
     * @param table where each function is
     * @param lookup a lookup with full privilege in the interface's package, or null
     * @param <T> its type
     * @return an implementation bound to the table's functions
     */
    public <T> T bind(Class<T> iface, dev.dynload.bind.FunctionTable table, MethodHandles.@Nullable Lookup lookup) {
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(table, "table");
        return state.bindings(this).bind(iface, table, lookup);
    }

    /**
     * Unloads the library: after this, every address and handle obtained from it throws
     * {@link IllegalStateException} when used. Closing a closed library does nothing.
     *
     * <p>A library with bound interfaces ({@link #bind}) is unloaded once the bound calls that had
     * started before {@code close()} have returned: its bound methods throw from now on, and a call that
     * another thread is still running goes on in mapped code. {@code close()} does not wait for such a
     * call; a daemon thread unloads the library when the last one returns, and {@link #whenUnloaded()}
     * says when. docs/lifetimes.md explains how this costs bound calls nothing.
     *
     * <p>Calls into the library through {@link #downcall} handles that are still running on other threads
     * are waited for, up to one second. Closing from inside a callback of one of the library's own calls
     * fails at once, saying so. A handle from {@link #downcall} names the library in the exception it throws
     * after close; a segment from {@link #variable} throws the JDK's own "Already closed".
     *
     * @throws IllegalStateException if calls into the library on other threads have not returned within
     *                               one second (the library stays open), or if the loader failed to unload
     *                               it
     */
    @Override
    public void close() {
        state.close();
    }

    /**
     * Unlinks every interface bound to this library, and says when the bound calls running now have
     * returned; the library stays open, and its own downcalls and lookups keep working. From now on the
     * bound methods throw {@link IllegalStateException}, and {@link #bind} refuses. For a host that must
     * run the library's own shutdown once nobody is inside it any more: a plugin's {@code stop} and
     * {@code destroy}.
     *
     * {@snippet :
     * lib.unbind().toCompletableFuture().join();   // no bound call runs in the library any more
     * shutdown.invokeExact();                       // a downcall of lib's own
     * lib.close();
     * }
     *
     * @return a stage that completes once the bound calls that were running have returned
     */
    public CompletionStage<Void> unbind() {
        return state.unbind(this);
    }

    /**
     * Undoes {@link #unbind()}: the interfaces bound before it call the library again, and {@link #bind}
     * binds again. For a host that drained a library's calls to change something (a plugin reload) and
     * keeps the library after all (the reload failed): a bound object made before {@code unbind()} works
     * again; a call made while it was unbound threw, and is not replayed.
     *
     * {@snippet :
     * lib.unbind().toCompletableFuture().join();   // no bound call runs in the library
     * if (!replaced()) {
     *     lib.relink();                             // greeter.greet(...) reaches the library again
     * }
     * }
     *
     * @throws IllegalStateException if the library is closed: its code may be unmapped, so its bound
     *         methods stay unlinked
     */
    public void relink() {
        state.relink();
    }

    /**
     * Completes once the library has been handed back to the loader after {@link #close()}: at once for
     * a library without bound interfaces, else when the bound calls that were running when it closed
     * have returned. A library loaded by several {@code Library} objects (or by others, or with
     * {@link LoadOption#NODELETE}) stays mapped until the loader's last reference goes.
     *
     * {@snippet :
     * lib.close();
     * lib.whenUnloaded().toCompletableFuture().join();   // now a rebuilt libgreeter.so can be opened
     * }
     *
     * @return a stage that completes with {@code null}, or exceptionally with the loader's error
     */
    public CompletionStage<Void> whenUnloaded() {
        return state.whenUnloaded();
    }

    private static void checkSymbolName(String symbol) {
        Objects.requireNonNull(symbol, "symbol");
        if (symbol.isEmpty()) {
            throw new IllegalArgumentException("empty symbol name");
        }
        if (symbol.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("symbol name \"" + OperatingSystem.printable(symbol)
                    + "\" holds a NUL character, which C names cannot contain");
        }
    }

    @Override
    public String toString() {
        return "Library[" + name + (path != null && !path.toString().equals(name) ? " at " + path : "")
                + (isOpen() ? "" : ", closed") + "]";
    }
}
