package dev.dynload.format;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Mach-O and PE fixtures of src/test/c/foreign, built where the cross toolchains are installed. */
public final class ForeignFixtures {

    /** Where the build put them. */
    public static final Path FOLDER = Path.of(System.getProperty("dynload.test.native", "target/native"))
            .toAbsolutePath().resolve("foreign");

    private ForeignFixtures() {
    }

    /**
     * A fixture, or the calling test skipped with the Debian packages that build it named.
     *
     * @param name its file name, such as {@code libforeign-arm64.dylib}
     * @return its path
     */
    public static Path path(String name) {
        Path p = FOLDER.resolve(name);
        String packages = name.endsWith(".dll") ? "gcc-mingw-w64-x86-64-win32" : "clang, lld and llvm";
        assumeTrue(Files.isRegularFile(p), name + " was not built: install " + packages
                + " (scripts/toolchains does, as root on Debian)");
        return p;
    }
}
