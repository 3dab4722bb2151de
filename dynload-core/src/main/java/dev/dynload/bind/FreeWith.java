package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The {@code char*} a function returns is the caller's to free: dynload copies it into a Java string,
 * then passes the pointer to the named function of the same library (or of the process). Without this,
 * a returned string belongs to the library and is only copied.
 *
 * {@snippet lang=c :
 * char *describe(void);          // caller frees with describe_free()
 * }
 * {@snippet :
 * @FreeWith("describe_free") String describe();
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface FreeWith {
    /** {@return the name of the function, taking the pointer, that frees it} */
    String value();
}
