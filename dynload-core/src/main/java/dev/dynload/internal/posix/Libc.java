package dev.dynload.internal.posix;

import org.jspecify.annotations.Nullable;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The C library functions the POSIX backend calls: the loader's ({@code dlopen}, {@code dlsym},
 * {@code dlclose}, {@code dlerror}) and the few file calls that let it load exactly the file it checked
 * ({@code open}, {@code openat}, {@code close}, {@code fcntl}, {@code memfd_create}, and the thread's
 * {@code errno}).
 *
 * <p>All of them are called through one downcall handle of one shape, {@code (void*, void*, void*) ->
 * void*}. Making a downcall handle for a new shape costs milliseconds in a fresh JVM (the JDK spins a
 * class per shape), and every program that opens a library pays it before its own first call. On the
 * LP64 ABIs this backend serves (x86-64 System V, AArch64 with Apple's variant, the other 64-bit Linux
 * ports) every argument and result here travels in a 64-bit integer register: an int argument is read
 * from the low 32 bits (flags, descriptors and commands are small and non-negative, so zero- and
 * sign-extension agree); an int result is the low 32 bits of the register, read with {@link #asInt};
 * arguments a function does not take are ignored. {@code open}, {@code openat} and {@code fcntl} are
 * variadic in C, but only their named arguments and integer variadic ones are passed here: on x86-64
 * those go in the same registers either way (glibc's implementations do not read {@code %al}), and on
 * AArch64 Linux variadic arguments are passed as named ones. The file calls are made on Linux only;
 * Apple's AArch64 variant, which passes variadic arguments on the stack, gets only the loader's calls
 * and {@code open} with its two named arguments.
 *
 * <p>The addresses are looked up together, before the first call: {@code dlerror}'s must be found
 * before the call whose failure it reports, never after, as a lookup may itself call the loader and
 * replace the thread's pending error. One holder class for all of them: each class costs a fresh JVM
 * time to load.
 */
public final class Libc {

    public static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    public static final MemorySegment DLOPEN = required("dlopen");
    public static final MemorySegment DLSYM = required("dlsym");
    public static final MemorySegment DLCLOSE = required("dlclose");
    public static final MemorySegment DLERROR = required("dlerror");
    public static final MemorySegment OPEN = required("open");
    public static final MemorySegment CLOSE = required("close");
    /** Linux-only functions: NULL where the C library lacks them. */
    public static final MemorySegment OPENAT = optional("openat");
    public static final MemorySegment FCNTL = optional("fcntl");
    public static final MemorySegment MEMFD_CREATE = optional("memfd_create");
    public static final MemorySegment STRERROR = required("strerror");
    /** glibc's and musl's {@code __errno_location}, Apple's {@code __error}: the thread's errno. */
    public static final MemorySegment ERRNO = either("__errno_location", "__error");

    private Libc() {
    }

    private static MemorySegment required(String name) {
        return Linker.nativeLinker().defaultLookup().findOrThrow(name);
    }

    private static MemorySegment optional(String name) {
        return Linker.nativeLinker().defaultLookup().find(name).orElse(MemorySegment.NULL);
    }

    private static MemorySegment either(String name, String other) {
        MemorySegment found = optional(name);
        return found.address() != 0 ? found : optional(other);
    }

    /** Calls {@code function} with up to three pointer-sized arguments; see the class note. */
    public static MemorySegment call(MemorySegment function, MemorySegment a, MemorySegment b, MemorySegment c) {
        try {
            return (MemorySegment) CALL.invokeExact(function, a, b, c);
        } catch (Throwable t) {
            throw Dlfcn.rethrow(t);
        }
    }

    public static MemorySegment call(MemorySegment function, MemorySegment a, MemorySegment b) {
        return call(function, a, b, MemorySegment.NULL);
    }

    /** An int argument, in a pointer-sized register. */
    public static MemorySegment word(long value) {
        return MemorySegment.ofAddress(value);
    }

    /** An int result: the low 32 bits of the register. */
    public static int asInt(MemorySegment result) {
        return (int) result.address();
    }

    /** The calling OS thread's errno; read on the thread, right after the call that set it. */
    public static int errno() {
        if (ERRNO.address() == 0) {
            return 0;
        }
        MemorySegment location = call(ERRNO, MemorySegment.NULL, MemorySegment.NULL);
        return location.reinterpret(JAVA_INT.byteSize()).get(JAVA_INT, 0);
    }

    /** The C library's words for an errno value, such as "No such file or directory". */
    public static String strerror(int errno) {
        String text = text(call(STRERROR, word(errno), MemorySegment.NULL));
        return text == null ? "error " + errno : text;
    }

    /** The UTF-8 C string a C library function returned, or null for NULL. */
    public static @Nullable String text(MemorySegment pointer) {
        return pointer.address() == 0 ? null : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /**
     * A NUL-terminated copy of {@code bytes} in {@code arena}, copied as bytes: allocateFrom(String) would
     * load the JDK's string and var-handle machinery, milliseconds in a fresh JVM, for one file name.
     */
    public static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment copy = arena.allocate(bytes.length + 1L); // zeroed, so the last byte is the NUL
        copy.copyFrom(MemorySegment.ofArray(bytes));
        return copy;
    }

    /** {@return a NUL-terminated UTF-8 copy of {@code s} in {@code arena}} */
    public static MemorySegment cString(Arena arena, String s) {
        return cString(arena, s.getBytes(StandardCharsets.UTF_8));
    }
}
