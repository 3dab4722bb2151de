package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Captures {@code errno} atomically with the call (and {@code GetLastError} on Windows): when the call
 * fails, it throws an {@link ErrnoException} with the code and its {@code strerror} text. A call fails
 * when it returns -1 (an integer), {@code NULL} (a pointer or string) or, for a {@code boolean}, false.
 *
 * {@snippet lang=c :
 * int open(const char *path, int flags);   // -1 and errno on failure
 * }
 * {@snippet :
 * @Errno int open(String path, int flags);  // throws ErrnoException: ENOENT (2): No such file or directory
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Errno {
}
