package dev.dynload.bind;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fixed-length C array inside a struct, given as a record component: a primitive array of exactly
 * this many elements, or a {@code String} for a {@code char} array (read up to its first NUL, written
 * as UTF-8 followed by a NUL, so at most {@code value() - 1} bytes).
 *
 * {@snippet lang=c :
 * struct utsname { char sysname[65]; char nodename[65]; char release[65]; char version[65]; char machine[65]; ... };
 * struct sample { int32_t id; double values[4]; };
 * }
 * {@snippet :
 * record Utsname(@Length(65) String sysname, @Length(65) String nodename, @Length(65) String release,
 *                @Length(65) String version, @Length(65) String machine, @Length(65) String domainname) {}
 * record Sample(int id, @Length(4) double[] values) {}
 * }
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Length {
    /** {@return the number of elements of the C array} */
    int value();
}
