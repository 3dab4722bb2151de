package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface that {@code Library.bind} binds, for dynload's annotation processor
 * ({@code dev.dynload:dynload-processor}). With the processor on the compiler's processor path, every
 * rule {@code bind} checks becomes a compiler error on the method or parameter at fault, in the words
 * of {@code BindingException}, and the processor writes the interface's implementation, which
 * {@code bind} then uses instead of writing one at run time. Without the processor, the annotation does
 * nothing, and {@code bind} works as before.
 *
 * {@snippet lang=c :
 * // zlib.h
 * unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned int len);
 * }
 * {@snippet :
 * @LibraryInterface
 * interface Zlib {
 *     @CLong long crc32(@CLong long crc, @In byte[] buf, int len);
 * }
 * Zlib z = lib.bind(Zlib.class); // the class the processor wrote, checked when it compiled
 * }
 *
 * <p>What only the library can answer is still checked by {@code bind}: that it exports each symbol,
 * the function a {@code @FreeWith} names, and the values of a {@link CEnum}. See docs/binding.md,
 * "Compile-time binding".
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface LibraryInterface {
}
