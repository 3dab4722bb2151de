package dev.dynload.bind;

/**
 * A Java enum that stands for a C enum whose values are not 0, 1, 2... in declaration order. Enums that
 * do not implement it are passed as their {@link Enum#ordinal()}.
 *
 * {@snippet lang=c :
 * enum level { LOW = 10, HIGH = 20 };
 * }
 * {@snippet :
 * enum Level implements CEnum {
 *     LOW(10), HIGH(20);
 *     private final int value;
 *     Level(int value) { this.value = value; }
 *     public int value() { return value; }
 * }
 * }
 */
public interface CEnum {

    /** {@return the C value of this constant} */
    int value();
}
