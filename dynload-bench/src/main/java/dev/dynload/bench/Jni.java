package dev.dynload.bench;

/** Hand-written JNI (src/main/c/jni.c) around the benchmark library. */
final class Jni {

    static {
        System.load(BenchLibrary.JNI.toString());
    }

    /** The comparator the JNI qsort wrapper calls for each comparison. */
    @FunctionalInterface
    interface IntComparator {
        int compare(int a, int b);
    }

    private Jni() {
    }

    static native int noop();

    static native int add(int a, int b);

    static native double mul(double a, double b);

    static native String greet();

    static native long strlen(String s);

    static native long sum(long[] values);

    static native double dot(double ax, double ay, double bx, double by);

    static native void qsort(int[] values, IntComparator comparator);
}
