package dev.dynload.bench;

import com.sun.jna.Native;

/** The two ways JNA maps the benchmark library: an interface, and direct mapping of native methods. */
final class Jna {

    private Jna() {
    }

    /** JNA interface mapping. */
    public interface Interface extends com.sun.jna.Library {
        Interface INSTANCE = Native.load(BenchLibrary.PATH.toString(), Interface.class);

        int bench_noop();

        int bench_add(int a, int b);

        String bench_greet();

        long bench_strlen(String s);
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

        static native String bench_greet();

        static native long bench_strlen(String s);
    }
}
