package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a primitive array parameter that the C function only reads, a {@code const} pointer: the array
 * is copied into native memory before the call and not copied back after it. Without it an array is
 * copied both ways, since C may write to it; with it, a large input array costs one copy instead of two.
 * The name and meaning are jnr-ffi's.
 *
 * {@snippet lang=c :
 * int64_t sum(const int64_t *values, size_t n);
 * }
 * {@snippet :
 * @SizeT long sum(@In long[] values, @SizeT long n);
 * }
 *
 * <p>If the function does write to the array after all, its writes are lost, nothing worse: the copy is
 * dynload's. {@link Heap} and {@code In} exclude each other: a heap array is not copied at all.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface In {
}
