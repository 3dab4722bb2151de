package dev.dynload.internal.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import org.jspecify.annotations.Nullable;

/**
 * How the x86-64 System V calling convention passes a struct or union by value, from its layout: each
 * eightbyte of a struct of at most 16 bytes is classed INTEGER (a general register) or SSE (a vector
 * register), and anything larger, or with a field off its alignment, is MEMORY (copied onto the stack as
 * an argument, returned through a hidden pointer the caller passes first). An eightbyte holding any
 * integer is INTEGER; one holding only {@code float}s and {@code double}s is SSE.
 *
 * <p>An argument whose eightbytes do not all fit in the registers still free goes on the stack whole; the
 * arguments after it may still take registers. The facts are the ABI document's (section 3.2.3); this
 * is a reading of them for the layouts the type table makes, which hold no {@code long double}, no
 * {@code __int128} and no bit-fields.
 */
public final class StructClasses {
    /** An eightbyte passed in a general register. */
    public static final int INTEGER = 1;
    /** An eightbyte passed in a vector register. */
    public static final int SSE = 2;

    private StructClasses() {
    }

    /**
     * {@return the class of each eightbyte of {@code layout}, or null when it is passed in memory}
     *
     * @throws IllegalArgumentException when an eightbyte holds only padding, which this does not pass
     */
    public static int @Nullable [] of(MemoryLayout layout) {
        long size = layout.byteSize();
        if (size == 0 || size > 16 || layout.byteAlignment() > 8) {
            return null;
        }
        int[] classes = new int[(int) ((size + 7) / 8)];
        if (!classify(layout, 0, classes)) {
            return null;
        }
        for (int c : classes) {
            if (c == 0) {
                throw new IllegalArgumentException("an eightbyte of " + layout + " holds only padding");
            }
        }
        return classes;
    }

    /** {@return the result kind the runner returns a struct of these classes with (see RunnerCalls#call)} */
    public static int returnKind(int[] classes) {
        if (classes.length == 1) {
            return classes[0] == SSE ? 2 : 1;
        }
        return classes[0] == INTEGER ? (classes[1] == INTEGER ? 5 : 7) : (classes[1] == INTEGER ? 8 : 6);
    }

    /** Merges the classes of {@code layout}'s fields at {@code offset} into {@code classes}; false when unaligned. */
    private static boolean classify(MemoryLayout layout, long offset, int[] classes) {
        if (layout instanceof PaddingLayout) {
            return true;
        }
        if (layout instanceof ValueLayout v) {
            if (offset % v.byteSize() != 0) {
                return false; // a field off its natural alignment (a packed struct): MEMORY
            }
            int c = v.carrier() == float.class || v.carrier() == double.class ? SSE : INTEGER;
            int at = (int) (offset / 8);
            classes[at] = classes[at] == INTEGER || c == INTEGER ? INTEGER : SSE;
            return true;
        }
        if (layout instanceof SequenceLayout s) {
            long step = s.elementLayout().byteSize();
            for (long k = 0; k < s.elementCount(); k++) {
                if (!classify(s.elementLayout(), offset + k * step, classes)) {
                    return false;
                }
            }
            return true;
        }
        GroupLayout g = (GroupLayout) layout;
        long at = offset;
        for (MemoryLayout m : g.memberLayouts()) {
            if (!classify(m, at, classes)) {
                return false;
            }
            if (g instanceof StructLayout) {
                at += m.byteSize();
            }
        }
        return true;
    }
}
