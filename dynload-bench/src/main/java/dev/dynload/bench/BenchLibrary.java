package dev.dynload.bench;

import java.nio.file.Path;

/** Where the benchmark's native library is: built by this module into target/native. */
final class BenchLibrary {

    static final Path PATH = Path.of(System.getProperty("dynload.bench.library", "dynload-bench/target/native/libbench.so"))
            .toAbsolutePath();

    private BenchLibrary() {
    }
}
