package dev.dynload.bench;

import java.nio.file.Path;

/** Where the benchmark's native libraries are: built by this module into target/native. */
final class BenchLibrary {

    static final Path PATH = Path.of(System.getProperty("dynload.bench.library", "dynload-bench/target/native/libbench.so"))
            .toAbsolutePath();
    static final Path JNI = PATH.resolveSibling("libbenchjni.so");

    /** The data every way sums and sorts: the same values, so the same work. */
    static final long[] LONGS = java.util.stream.LongStream.range(0, 1000).toArray();
    static final int[] INTS_16 = new java.util.Random(16).ints(16).toArray();
    static final int[] INTS_1000 = new java.util.Random(1000).ints(1000).toArray();

    private BenchLibrary() {
    }
}
