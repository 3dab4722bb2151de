package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a primitive array parameter that the C function only writes: the native copy starts as zeros,
 * and the function's elements are copied back into the array after the call, but the array's own
 * elements are not copied in. The counterpart of {@link In}; the name and meaning are jnr-ffi's.
 *
 * {@snippet lang=c :
 * ssize_t getrandom(void *buf, size_t n, unsigned flags);
 * }
 * {@snippet :
 * @SizeT long getrandom(@Out byte[] buf, @SizeT long n, int flags);
 * }
 *
 * <p>{@code @Out}, {@link In} and {@link Heap} exclude each other.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Out {
}
