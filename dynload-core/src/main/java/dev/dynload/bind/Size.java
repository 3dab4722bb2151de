package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How many bytes a {@code MemorySegment} that native code hands to Java points to: a pointer returned
 * by a function, or a pointer argument of a callback. Without it such a segment has length 0 and can
 * only be passed on. On a method it applies to the return value.
 *
 * {@snippet :
 * interface IntComparator { int compare(@Size(4) MemorySegment a, @Size(4) MemorySegment b); }
 * }
 *
 * <p><strong>Safety:</strong> dynload trusts this size; a wrong one reads or writes outside the object.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD})
public @interface Size {
    /** {@return the size in bytes} */
    long value();
}
