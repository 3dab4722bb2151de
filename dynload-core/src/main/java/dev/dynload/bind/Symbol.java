package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a method to a symbol of another name than the method's own.
 *
 * {@snippet lang=c :
 * const char *zlibVersion(void);
 * }
 * {@snippet :
 * interface Zlib {
 *     @Symbol("zlibVersion") String version();
 * }
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Symbol {
    /** {@return the symbol's name in the library} */
    String value();
}
