package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Calls the function as an FFM <em>critical</em> function: cheaper to call, for short functions that
 * never call back into Java, never block and never take long, since the JVM cannot pause the calling
 * thread while it runs. See {@link java.lang.foreign.Linker.Option#critical(boolean)}.
 *
 * {@snippet :
 * @Critical int add(int a, int b);
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Critical {
    /** {@return whether array parameters marked {@link Heap} may pass Java heap memory; implied by them} */
    boolean allowHeap() default false;
}
