package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Passes a primitive array parameter as the Java heap array itself instead of a native copy: no copy in
 * or out, for short {@link Critical} functions. The method becomes critical with heap access.
 *
 * {@snippet lang=c :
 * int64_t sum(const int64_t *values, size_t n);
 * }
 * {@snippet :
 * long sum(@Heap long[] values, @SizeT long n);
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Heap {
}
