package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A C unsigned integer held in a wider Java type, so that its whole range reads as positive: a
 * {@code uint32_t} as a {@code long}, a {@code uint8_t} or {@code uint16_t} as an {@code int} (or a
 * {@code uint8_t} as a {@code short}). C's value is zero-extended into Java; a Java value outside
 * {@code 0 .. 2^bits - 1} is an {@code IllegalArgumentException} rather than a silently cut number.
 *
 * {@snippet lang=c :
 * uint32_t crc32(uint32_t crc, const uint8_t *buf, uint32_t len);
 * }
 * {@snippet :
 * @Unsigned(32) long crc32(@Unsigned(32) long crc, @In byte[] buf, int len);
 * }
 *
 * <p>For {@code uint64_t} use a plain {@code long} and the JDK's {@link Long#toUnsignedString(long)},
 * {@link Long#compareUnsigned} and {@link Long#divideUnsigned}: Java has no wider primitive.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface Unsigned {
    /** {@return the C type's width in bits: 8, 16 or 32} */
    int value();
}
