package dev.dynload.internal;

import dev.dynload.CString;
import dev.dynload.LoadOption;
import dev.dynload.OperatingSystem;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The POSIX loader: {@code dlopen}, {@code dlsym}, {@code dlclose} and {@code dlerror}, called through
 * {@code java.lang.foreign} so that failures carry the loader's own message.
 *
 * <p>{@code dlerror} reports the last failure <em>of the calling OS thread</em>. A virtual thread can move
 * to another carrier between two downcalls, so every call that reads {@code dlerror} runs, with the call
 * that failed, in one piece on one platform thread ({@link OsThread}).
 */
final class PosixLoader implements NativeLoader {

    /** The {@code dlopen} flag values and default folders of one C library family. */
    enum Flags {
        /** glibc and musl on Linux. */
        GLIBC(OperatingSystem.LINUX, 0x1, 0x2, 0x0, 0x100, 0x1000, "LD_LIBRARY_PATH",
                List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib")),
        /** macOS. */
        DARWIN(OperatingSystem.MACOS, 0x1, 0x2, 0x4, 0x8, 0x80, "DYLD_LIBRARY_PATH",
                List.of("/usr/local/lib", "/opt/homebrew/lib", "/usr/lib"));

        final OperatingSystem os;
        final int lazy;
        final int now;
        final int local;
        final int global;
        final int nodelete;
        final String pathVariable;
        final List<String> defaultFolders;

        Flags(OperatingSystem os, int lazy, int now, int local, int global, int nodelete,
              String pathVariable, List<String> defaultFolders) {
            this.os = os;
            this.lazy = lazy;
            this.now = now;
            this.local = local;
            this.global = global;
            this.nodelete = nodelete;
            this.pathVariable = pathVariable;
            this.defaultFolders = defaultFolders;
        }

        int of(Set<LoadOption.Flag> flags) {
            int bits = flags.contains(LoadOption.Flag.LAZY) ? lazy : now;
            bits |= flags.contains(LoadOption.Flag.GLOBAL) ? global : local;
            if (flags.contains(LoadOption.Flag.NODELETE)) {
                bits |= nodelete;
            }
            return bits;
        }
    }

    /** {@code RTLD_DI_LINKMAP} of glibc's {@code dlinfo}. */
    private static final int RTLD_DI_LINKMAP = 2;

    private final Flags flags;

    PosixLoader(Flags flags) {
        this.flags = flags;
    }

    /*
     * dlopen, dlsym, dlerror and dlclose are all called through one downcall handle of one shape,
     * (void*, void*) -> void*. Making a downcall handle for a new shape costs milliseconds in a fresh JVM
     * (the JDK spins a class per shape), and every program that opens a library pays it before its own
     * first call; one shape instead of four makes that one class. On the LP64 ABIs this loader serves
     * (x86-64 System V, AArch64 with Apple's variant, and the other 64-bit Linux ports) every one of these
     * arguments and results travels in a 64-bit integer register: an int argument is read from the low
     * 32 bits, whose value is the flags (small and non-negative, so zero- and sign-extension agree); an
     * int result is the low 32 bits of the register; arguments a function does not take are ignored.
     *
     * The four addresses are looked up together, before the first call: dlerror's must be found before
     * the call whose failure it reports, never after, as a lookup may itself call the loader and replace
     * the thread's pending error. One holder class for all of them: each class costs a fresh JVM time
     * to load.
     */
    private static final class Libdl {
        static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        static final MemorySegment DLOPEN = libc("dlopen");
        static final MemorySegment DLSYM = libc("dlsym");
        static final MemorySegment DLCLOSE = libc("dlclose");
        static final MemorySegment DLERROR = libc("dlerror");
    }

    private static MemorySegment libc(String name) {
        return Linker.nativeLinker().defaultLookup().findOrThrow(name);
    }

    private static final class Dlinfo {
        static final MethodHandle H = Linker.nativeLinker().defaultLookup().find("dlinfo")
                .map(a -> Linker.nativeLinker().downcallHandle(a, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)))
                .orElse(null);
    }

    /** Calls {@code function} with two pointer-sized arguments; see the note on {@link Libdl}. */
    private static MemorySegment call(MemorySegment function, MemorySegment a, MemorySegment b) {
        try {
            return (MemorySegment) Libdl.CALL.invokeExact(function, a, b);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * A NUL-terminated copy of {@code s} in {@code arena}, copied as bytes: allocateFrom(String) would
     * load the JDK's string and var-handle machinery, milliseconds in a fresh JVM, for one file name.
     */
    private static MemorySegment cString(Arena arena, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        MemorySegment copy = arena.allocate(bytes.length + 1L); // zeroed, so the last byte is the NUL
        copy.copyFrom(MemorySegment.ofArray(bytes));
        return copy;
    }

    @Override
    public OperatingSystem os() {
        return flags.os;
    }

    @Override
    public Opened open(String file, Set<LoadOption.Flag> options) {
        MemorySegment bits = MemorySegment.ofAddress(flags.of(options));
        // A platform thread is its own OS thread: its dlerror is its own, so the call runs in place. Tested
        // here, not only in OsThread.call, so that a platform thread's first open makes no lambda.
        return Thread.currentThread().isVirtual() ? OsThread.call(() -> openHere(file, bits)) : openHere(file, bits);
    }

    private static Opened openHere(String file, MemorySegment bits) {
        MemorySegment dlerror = Libdl.DLERROR;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = file == null ? MemorySegment.NULL : cString(arena, file);
            MemorySegment handle = call(Libdl.DLOPEN, name, bits);
            if (handle.address() != 0) {
                return new Opened(handle, null);
            }
            return new Opened(MemorySegment.NULL, lastError(dlerror));
        }
    }

    @Override
    public MemorySegment find(MemorySegment handle, String symbol) {
        // dlsym's NULL means "not exported" for every symbol a caller can use, so dlerror is not needed
        // here and the lookup runs on the calling thread, virtual or not.
        try (Arena arena = Arena.ofConfined()) {
            return call(Libdl.DLSYM, handle, cString(arena, symbol));
        }
    }

    @Override
    public Optional<String> close(MemorySegment handle) {
        MemorySegment dlerror = Libdl.DLERROR;
        MemorySegment dlclose = Libdl.DLCLOSE;
        return OsThread.call(() -> {
            int rc = (int) call(dlclose, handle, MemorySegment.NULL).address(); // an int result: the low 32 bits
            return rc == 0 ? Optional.empty() : Optional.of(lastError(dlerror));
        });
    }

    @Override
    public Optional<Path> pathOf(MemorySegment handle) {
        MethodHandle dlinfo = Dlinfo.H;
        MemorySegment dlerror = Libdl.DLERROR;
        if (dlinfo == null) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) dlinfo.invokeExact(handle, RTLD_DI_LINKMAP, out);
            if (rc != 0) {
                OsThread.call(() -> lastError(dlerror)); // clear this thread's pending error
                return Optional.empty();
            }
            // struct link_map { ElfW(Addr) l_addr; char *l_name; ... }: l_name follows one address.
            MemorySegment map = out.get(ADDRESS, 0).reinterpret(2 * ADDRESS.byteSize());
            String name = CString.read(map.get(ADDRESS, ADDRESS.byteSize()));
            return name == null || name.isEmpty() ? Optional.empty() : Optional.of(Path.of(name));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public List<Path> systemFolders() {
        return SystemFolders.of(flags.pathVariable, flags.defaultFolders);
    }

    @Override
    public String systemSearchDescription() {
        return flags == Flags.GLIBC
                ? "the system loader's search (" + flags.pathVariable + ", DT_RUNPATH, /etc/ld.so.cache, "
                        + String.join(", ", flags.defaultFolders) + ")"
                : "the system loader's search (" + flags.pathVariable + ", " + String.join(", ", flags.defaultFolders) + ")";
    }

    private static String lastError(MemorySegment dlerror) {
        String message = CString.read(call(dlerror, MemorySegment.NULL, MemorySegment.NULL));
        return message == null ? "the loader gave no message" : message;
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native loader call failed", t);
    }
}
