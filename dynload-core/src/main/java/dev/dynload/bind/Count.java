package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A pointer from C whose length another argument of the same call gives: a callback's argument, such
 * as the row callback of {@code sqlite3_exec}, whose {@code char **values} holds {@code n} strings; or,
 * on a method, its result, counted by one of the method's parameters. As a {@code MemorySegment} it is
 * sized to that many elements; as a {@code String[]} (for {@code char**}) it is read into Java strings,
 * a {@code NULL} element as {@code null}; a {@code NULL} pointer stays {@code NULL}, or {@code null}.
 *
 * {@snippet lang=c :
 * int (*callback)(void *ctx, int n, char **values, char **names);
 * }
 * {@snippet :
 * interface Row {
 *     int row(MemorySegment ctx, int n, @Count(1) String[] values, @Count(1) String[] names);
 * }
 * }
 * {@snippet lang=c :
 * const int64_t *squares(int32_t n);    // returns n values
 * }
 * {@snippet :
 * @Count(value = 0, elementSize = 8) MemorySegment squares(int n);
 * }
 *
 * <p><strong>Safety:</strong> dynload trusts the count; a wrong one reads outside the array.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD})
public @interface Count {

    /** {@return the index of the parameter (of the callback, or of the method for a result) holding the number of elements} */
    int value();

    /** {@return the size of one element in bytes, for a {@code MemorySegment}; by default a pointer's} */
    long elementSize() default 0;
}
