package dev.dynload.cli;

import dev.dynload.internal.Printable;
import dev.dynload.CString;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The C types {@code dynload call} passes and returns, with their command-line names, how a value is
 * parsed from text and how a result is printed.
 */
enum CType {
    VOID(null, "void"),
    BOOL(ValueLayout.JAVA_BOOLEAN, "bool"),
    INT8(ValueLayout.JAVA_BYTE, "int8", "i8", "char", "byte"),
    UINT8(ValueLayout.JAVA_BYTE, "uint8", "u8"),
    INT16(ValueLayout.JAVA_SHORT, "int16", "i16", "short"),
    UINT16(ValueLayout.JAVA_SHORT, "uint16", "u16"),
    INT32(ValueLayout.JAVA_INT, "int32", "i32", "int"),
    UINT32(ValueLayout.JAVA_INT, "uint32", "u32", "uint"),
    INT64(ValueLayout.JAVA_LONG, "int64", "i64", "long"),
    UINT64(ValueLayout.JAVA_LONG, "uint64", "u64", "ulong", "size_t"),
    FLOAT(ValueLayout.JAVA_FLOAT, "float", "f32"),
    DOUBLE(ValueLayout.JAVA_DOUBLE, "double", "f64"),
    POINTER(ValueLayout.ADDRESS, "pointer", "ptr"),
    STRING(ValueLayout.ADDRESS, "string", "str");

    private final MemoryLayout layout;
    private final String[] names;

    CType(MemoryLayout layout, String... names) {
        this.layout = layout;
        this.names = names;
    }

    /** {@return the layout for a FunctionDescriptor, empty for void} */
    Optional<MemoryLayout> layout() {
        return Optional.ofNullable(layout);
    }

    /** {@return the main command-line name} */
    String displayName() {
        return names[0];
    }

    static CType named(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (CType t : values()) {
            if (Arrays.asList(t.names).contains(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown type '" + name + "'; known types: " + known());
    }

    static String known() {
        return Arrays.stream(values()).map(CType::displayName).collect(Collectors.joining(", "));
    }

    /** Parses a value of this type; strings are copied into memory from {@code allocator}. */
    Object parse(String text, SegmentAllocator allocator) {
        try {
            return switch (this) {
                case VOID -> throw new IllegalArgumentException("void is only a return type");
                case BOOL -> parseBool(text);
                case INT8 -> (byte) integer(text, Byte.MIN_VALUE, Byte.MAX_VALUE);
                case UINT8 -> (byte) integer(text, 0, 0xff);
                case INT16 -> (short) integer(text, Short.MIN_VALUE, Short.MAX_VALUE);
                case UINT16 -> (short) integer(text, 0, 0xffff);
                case INT32 -> (int) integer(text, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case UINT32 -> (int) integer(text, 0, 0xffff_ffffL);
                case INT64 -> integer(text, Long.MIN_VALUE, Long.MAX_VALUE);
                case UINT64 -> unsigned(text);
                case FLOAT -> Float.parseFloat(text);
                case DOUBLE -> Double.parseDouble(text);
                case POINTER -> MemorySegment.ofAddress(unsigned(text));
                case STRING -> allocator.allocateFrom(text);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + Printable.of(text) + "' is not a valid " + displayName()
                    + ("out of range".equals(e.getMessage()) ? ": out of its range" : ""));
        }
    }

    /** {@return the Java type a value of this C type is carried in: its layout's carrier} */
    Class<?> carrier() {
        if (layout().isEmpty()) {
            return void.class;
        }
        return ((ValueLayout) layout().get()).carrier();
    }

    /** Formats a result the way C's printf would show the value. */
    String format(Object value) {
        return switch (this) {
            case VOID -> "";
            case UINT8 -> Integer.toString(Byte.toUnsignedInt((byte) value));
            case UINT16 -> Integer.toString(Short.toUnsignedInt((short) value));
            case UINT32 -> Integer.toUnsignedString((int) value);
            case UINT64 -> Long.toUnsignedString((long) value);
            case POINTER -> "0x" + Long.toHexString(((MemorySegment) value).address());
            case STRING -> {
                String s = CString.read((MemorySegment) value);
                yield s == null ? "(null)" : s;
            }
            default -> String.valueOf(value);
        };
    }

    private static boolean parseBool(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new NumberFormatException(text);
        };
    }

    private static final BigInteger UNSIGNED_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /**
     * A whole number exactly as written: an optional sign, then decimal digits or 0x and hexadecimal digits,
     * nothing else (no second sign, no sign after 0x, no spaces).
     */
    private static BigInteger exact(String text) {
        int at = 0;
        boolean negative = false;
        if (text.startsWith("-") || text.startsWith("+")) {
            negative = text.charAt(0) == '-';
            at = 1;
        }
        int radix = 10;
        if (text.startsWith("0x", at) || text.startsWith("0X", at)) {
            radix = 16;
            at += 2;
        }
        if (at == text.length()) {
            throw new NumberFormatException(text);
        }
        for (int i = at; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), radix) < 0 || text.charAt(i) > 0x7f) {
                throw new NumberFormatException(text);
            }
        }
        BigInteger v = new BigInteger(text.substring(at), radix);
        return negative ? v.negate() : v;
    }

    private static long integer(String text, long min, long max) {
        BigInteger v = exact(text);
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new NumberFormatException("out of range");
        }
        return v.longValue();
    }

    /** An unsigned 64-bit value: 0 to 2^64 - 1, given as a non-negative number. */
    private static long unsigned(String text) {
        BigInteger v = exact(text);
        if (v.signum() < 0 || v.compareTo(UNSIGNED_MAX) > 0) {
            throw new NumberFormatException("out of range");
        }
        return v.longValue();
    }
}
