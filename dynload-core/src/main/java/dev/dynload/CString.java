package dev.dynload;

import org.jspecify.annotations.Nullable;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Reads NUL-terminated C strings ({@code const char*}) that native code returns.
 *
 * {@snippet lang=c :
 * const char *greet(void);          // returns "Hello from Rust!"
 * }
 * {@snippet :
 * MethodHandle greet = lib.downcall("greet", FunctionDescriptor.of(ValueLayout.ADDRESS));
 * String s = CString.read((MemorySegment) greet.invokeExact());   // "Hello from Rust!"
 * }
 *
 * <h2>Safety</h2>
 * A pointer returned by native code carries no length, so reading it trusts native code: the pointer
 * must be {@code NULL} or point to readable memory that holds a NUL within it. A wrong pointer can
 * crash the JVM, as it would crash a C program. {@link MemorySegment#NULL} reads as {@code null}.
 */
public final class CString {

    private CString() {
    }

    /**
     * Copies the UTF-8 C string at {@code pointer} into a Java string.
     *
     * @param pointer the address of the first byte, or {@link MemorySegment#NULL}
     * @return the string, or {@code null} when {@code pointer} is {@code NULL}
     */
    public static @Nullable String read(MemorySegment pointer) {
        return read(pointer, StandardCharsets.UTF_8);
    }

    /**
     * Copies the C string at {@code pointer}, decoded with {@code charset}.
     *
     * @param pointer the address of the first byte, or {@link MemorySegment#NULL}
     * @param charset how the bytes are encoded
     * @return the string, or {@code null} when {@code pointer} is {@code NULL}
     */
    public static @Nullable String read(MemorySegment pointer, Charset charset) {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(charset, "charset");
        if (pointer.address() == 0) {
            return null;
        }
        // A segment of the native pointer's size (often 0) cannot be read; widen it to the address space,
        // keeping its scope so that a pointer into a closed library still throws instead of crashing.
        MemorySegment wide = pointer.byteSize() > 0 ? pointer : pointer.reinterpret(Long.MAX_VALUE);
        return wide.getString(0, charset);
    }
}
