package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A Java {@code long} parameter or return value that is a C {@code long}: 64 bits on Linux and macOS,
 * 32 on Windows. On a method it applies to the return value.
 *
 * {@snippet lang=c :
 * long labs(long v);
 * }
 * {@snippet :
 * @CLong long labs(@CLong long v);
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface CLong {
}
