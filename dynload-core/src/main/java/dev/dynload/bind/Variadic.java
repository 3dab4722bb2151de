package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a call to a variadic C function with the exact argument types of this Java method: the
 * first {@link #fixed()} parameters are the named ones, the rest are passed as variadic arguments (so
 * they must be {@code int}, {@code long}, {@code double} or pointers, after C's promotions).
 *
 * {@snippet lang=c :
 * int snprintf(char *buf, size_t n, const char *format, ...);
 * }
 * {@snippet :
 * @Variadic(fixed = 3) int snprintf(byte[] buf, @SizeT long n, String format, int a, double b);
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Variadic {
    /** {@return how many leading parameters are named in the C prototype} */
    int fixed();
}
