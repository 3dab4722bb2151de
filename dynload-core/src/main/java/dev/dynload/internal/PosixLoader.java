package dev.dynload.internal;

import dev.dynload.CString;
import dev.dynload.LoadOption;
import dev.dynload.OperatingSystem;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
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
     * One holder class per function: a downcall handle for a new signature costs milliseconds in a fresh
     * JVM, so each is made on first use: dlclose waits for a close, dlinfo for a search by name. dlerror
     * is made before the call whose failure it reports, never after: making a downcall handle may itself
     * call the loader and replace the thread's pending error.
     */
    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().findOrThrow(name), descriptor);
    }

    private static final class Dlopen {
        static final MethodHandle H = libc("dlopen", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    }

    private static final class Dlsym {
        static final MethodHandle H = libc("dlsym", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }

    private static final class Dlclose {
        static final MethodHandle H = libc("dlclose", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class Dlerror {
        static final MethodHandle H = libc("dlerror", FunctionDescriptor.of(ADDRESS));
    }

    private static final class Dlinfo {
        static final MethodHandle H = Linker.nativeLinker().defaultLookup().find("dlinfo")
                .map(a -> Linker.nativeLinker().downcallHandle(a, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)))
                .orElse(null);
    }

    @Override
    public OperatingSystem os() {
        return flags.os;
    }

    @Override
    public Opened open(String file, Set<LoadOption.Flag> options) {
        int bits = flags.of(options);
        MethodHandle dlerror = Dlerror.H;
        return OsThread.call(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment name = file == null ? MemorySegment.NULL : arena.allocateFrom(file);
                MemorySegment handle = (MemorySegment) Dlopen.H.invokeExact(name, bits);
                if (handle.address() != 0) {
                    return new Opened(handle, null);
                }
                return new Opened(MemorySegment.NULL, lastError(dlerror));
            }
        });
    }

    @Override
    public MemorySegment find(MemorySegment handle, String symbol) {
        // dlsym's NULL means "not exported" for every symbol a caller can use, so dlerror is not needed
        // here and the lookup runs on the calling thread, virtual or not.
        try (Arena arena = Arena.ofConfined()) {
            return (MemorySegment) Dlsym.H.invokeExact(handle, arena.allocateFrom(symbol));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public Optional<String> close(MemorySegment handle) {
        MethodHandle dlerror = Dlerror.H;
        MethodHandle dlclose = Dlclose.H;
        return OsThread.call(() -> {
            int rc = (int) dlclose.invokeExact(handle);
            return rc == 0 ? Optional.empty() : Optional.of(lastError(dlerror));
        });
    }

    @Override
    public Optional<Path> pathOf(MemorySegment handle) {
        MethodHandle dlinfo = Dlinfo.H;
        MethodHandle dlerror = Dlerror.H;
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

    private static String lastError(MethodHandle dlerror) {
        try {
            String message = CString.read((MemorySegment) dlerror.invokeExact());
            return message == null ? "the loader gave no message" : message;
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
