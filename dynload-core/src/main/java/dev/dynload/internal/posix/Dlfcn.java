package dev.dynload.internal.posix;

import org.jspecify.annotations.Nullable;

import dev.dynload.internal.NativeLoader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code dlopen}, {@code dlsym}, {@code dlclose} and {@code dlerror}, called through
 * {@code java.lang.foreign} so that failures carry the loader's own message: the part of the Linux and
 * macOS backends that is the same on both.
 *
 * <p>{@code dlerror} reports the last failure <em>of the calling OS thread</em>. A virtual thread can move
 * to another carrier between two downcalls, so every call that reads {@code dlerror} runs, with the call
 * that failed, in one piece on one platform thread ({@link OsThread}).
 */
public final class Dlfcn {

    private Dlfcn() {
    }

    /**
     * Calls {@code dlopen}.
     *
     * @param file the name or path, or null for the process itself
     * @param bits the flags, in this platform's values
     * @return the handle, or the loader's message
     */
    public static NativeLoader.Opened open(@Nullable String file, int bits) {
        // A platform thread is its own OS thread: its dlerror is its own, so the call runs in place. Tested
        // here, not only in OsThread.call, so that a platform thread's first open makes no lambda.
        return Thread.currentThread().isVirtual() ? OsThread.call(() -> openHere(file, bits)) : openHere(file, bits);
    }

    private static NativeLoader.Opened openHere(@Nullable String file, int bits) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = file == null ? MemorySegment.NULL : Libc.cString(arena, file);
            MemorySegment handle = Libc.call(Libc.DLOPEN, name, Libc.word(bits));
            if (handle.address() != 0) {
                return new NativeLoader.Opened(handle, null, null);
            }
            return new NativeLoader.Opened(MemorySegment.NULL, lastError(), null);
        }
    }

    /**
     * Calls {@code dlsym}. Its NULL means "not exported" for every symbol a caller can use, so
     * {@code dlerror} is not needed, and the lookup runs on the calling thread, virtual or not.
     *
     * @param handle a live handle
     * @param symbol the name
     * @return the address, or NULL
     */
    public static MemorySegment find(MemorySegment handle, String symbol) {
        try (Arena arena = Arena.ofConfined()) {
            return Libc.call(Libc.DLSYM, handle, Libc.cString(arena, symbol));
        }
    }

    /**
     * Calls {@code dlclose}.
     *
     * @param handle the handle
     * @return the loader's message, if it failed
     */
    public static Optional<String> close(MemorySegment handle) {
        MemorySegment h = MemorySegment.ofAddress(handle.address());
        // In place on a platform thread, as open does: no lambda spun on a program's first close.
        return Thread.currentThread().isVirtual() ? OsThread.call(() -> closeHere(h)) : closeHere(h);
    }

    /** dlclose and its message, on this OS thread. */
    private static Optional<String> closeHere(MemorySegment h) {
        int rc = Libc.asInt(Libc.call(Libc.DLCLOSE, h, MemorySegment.NULL));
        return rc == 0 ? Optional.<String>empty() : Optional.of(lastError());
    }

    /** {@return the calling thread's pending loader message, which reading clears} */
    public static String lastError() {
        String message = Libc.text(Libc.call(Libc.DLERROR, MemorySegment.NULL, MemorySegment.NULL));
        return message == null ? "the loader gave no message" : message;
    }

    /** glibc's {@code dlinfo}, where the C library has it. */
    private static final class Dlinfo {
        static final @Nullable MethodHandle H = handle();

        /** Without a lambda: a fresh JVM's first open would spin a class for it. */
        private static @Nullable MethodHandle handle() {
            java.util.Optional<MemorySegment> found = Linker.nativeLinker().defaultLookup().find("dlinfo");
            return found.isEmpty() ? null : Linker.nativeLinker().downcallHandle(found.get(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        }
    }

    /** {@code RTLD_DI_LINKMAP} of glibc's {@code dlinfo}. */
    private static final int RTLD_DI_LINKMAP = 2;

    /**
     * The path the loader resolved a handle's file to, through {@code dlinfo(RTLD_DI_LINKMAP)} where the C
     * library has it.
     *
     * @param handle a live handle
     * @return its {@code l_name}, as the loader recorded it
     */
    public static Optional<String> loadedName(MemorySegment handle) {
        MethodHandle dlinfo = Dlinfo.H;
        if (dlinfo == null) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) dlinfo.invokeExact(handle, RTLD_DI_LINKMAP, out);
            if (rc != 0) {
                OsThread.call(Dlfcn::lastError); // clear this thread's pending error
                return Optional.empty();
            }
            // struct link_map { ElfW(Addr) l_addr; char *l_name; ... }: l_name follows one address.
            MemorySegment map = out.get(ADDRESS, 0).reinterpret(2 * ADDRESS.byteSize());
            String name = Libc.text(map.get(ADDRESS, ADDRESS.byteSize()));
            return name == null || name.isEmpty() ? Optional.empty() : Optional.of(name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * An unexpected throwable from a downcall, rethrown unchecked.
     *
     * @param t what was thrown
     * @return never returns; declared so that callers can write {@code throw rethrow(t)}
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native loader call failed", t);
    }

    /**
     * This platform's {@code dlopen} flags for a load.
     *
     * @param flags what the load asks for
     * @param lazy RTLD_LAZY
     * @param now RTLD_NOW
     * @param global RTLD_GLOBAL
     * @param local RTLD_LOCAL
     * @param nodelete RTLD_NODELETE
     * @return the bits
     */
    public static int bits(dev.dynload.internal.LoadFlags flags, int lazy, int now, int global, int local, int nodelete) {
        int bits = flags.lazy() ? lazy : now;
        bits |= flags.global() ? global : local;
        return flags.noDelete() ? bits | nodelete : bits;
    }

}
