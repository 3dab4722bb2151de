package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A Java {@code long} parameter or return value that is a C {@code size_t} (or {@code ssize_t},
 * {@code uintptr_t}): as wide as a pointer. On a method it applies to the return value.
 *
 * {@snippet lang=c :
 * size_t strlen(const char *s);
 * }
 * {@snippet :
 * @SizeT long strlen(String s);
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface SizeT {
}
