package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a record a C {@code union}: every component at offset 0, the size of the largest, aligned as
 * the most aligned.
 *
 * {@snippet lang=c :
 * union number { int32_t i; float f; double d; };
 * }
 * {@snippet :
 * @Union record Number(int i, float f, double d) {}
 * }
 *
 * <p>Read from C, every component views the same bytes, as in C: the one you know to be the current
 * member holds its value. Written to C, the components that are not zero are written, the largest
 * first; those that are set must agree with one another byte for byte, as the components of a union
 * read from C do, so a union can be read, passed back and written: {@code new Number(0, 1.5f, 0)}
 * writes the float, and {@code new Number(1, 2f, 0)} is an {@code IllegalArgumentException}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Union {
}
