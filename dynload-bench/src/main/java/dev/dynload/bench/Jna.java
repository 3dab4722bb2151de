package dev.dynload.bench;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** The two ways JNA maps the benchmark library and libc: an interface, and direct mapping. */
final class Jna {

    private Jna() {
    }

    /** {@code struct vec2 { double x, y; }} by value. */
    @Structure.FieldOrder({"x", "y"})
    public static class Vec2 extends Structure implements Structure.ByValue {
        public double x;
        public double y;

        public Vec2() {
        }

        Vec2(double x, double y) {
            this.x = x;
            this.y = y;
        }
    }

    /** The qsort comparator. */
    public interface Compare extends Callback {
        int invoke(Pointer a, Pointer b);
    }

    /** JNA interface mapping. */
    public interface Interface extends com.sun.jna.Library {
        Interface INSTANCE = Native.load(BenchLibrary.PATH.toString(), Interface.class);

        int bench_noop();

        int bench_add(int a, int b);

        double bench_mul(double a, double b);

        String bench_greet();

        long bench_strlen(String s);

        long bench_sum(long[] values, long n);

        double bench_dot(Vec2 a, Vec2 b);
    }

    /** libc through JNA interface mapping. */
    public interface LibC extends com.sun.jna.Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        void qsort(int[] base, long n, long size, Compare compare);
    }

    /** JNA direct mapping. */
    public static final class Direct {
        static {
            Native.register(Direct.class, BenchLibrary.PATH.toString());
        }

        private Direct() {
        }

        static native int bench_noop();

        static native int bench_add(int a, int b);

        static native double bench_mul(double a, double b);

        static native String bench_greet();

        static native long bench_strlen(String s);

        static native long bench_sum(long[] values, long n);

        static native double bench_dot(Vec2 a, Vec2 b);
    }

    /** libc through JNA direct mapping. */
    public static final class DirectLibC {
        static {
            Native.register(DirectLibC.class, "c");
        }

        private DirectLibC() {
        }

        static native void qsort(int[] base, long n, long size, Compare compare);
    }
}
