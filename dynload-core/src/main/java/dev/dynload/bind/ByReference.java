package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record parameter or return value passed as a pointer to the struct ({@code struct point *}) rather
 * than by value. A parameter is copied into native memory for the call; a returned pointer is read into
 * a new record, and {@code NULL} gives {@code null}.
 *
 * {@snippet lang=c :
 * double length(const struct point *p);
 * }
 * {@snippet :
 * double length(@ByReference Point p);
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD})
public @interface ByReference {
}
