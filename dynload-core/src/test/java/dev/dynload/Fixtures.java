package dev.dynload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Where the build put the C fixtures of src/test/c, and copies of them to break on purpose. */
final class Fixtures {

    static final Path NATIVE = Path.of(System.getProperty("dynload.test.native", "target/native")).toAbsolutePath();
    static final Path FIXTURE = NATIVE.resolve("libfixture.so");
    static final Path DEPENDENT = NATIVE.resolve("libdependent.so");
    static final Path DEPENDENCY = NATIVE.resolve("deps/libdependency.so");

    private Fixtures() {
    }

    /** Copies the fixture library to {@code dir/name}, for tests that load it under another name. */
    static Path copyFixture(Path dir, String name) throws IOException {
        return Files.copy(FIXTURE, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** A copy of the fixture with {@code bytes} written at {@code offset}. */
    static Path patchedFixture(Path dir, String name, int offset, byte... bytes) throws IOException {
        byte[] content = Files.readAllBytes(FIXTURE);
        System.arraycopy(bytes, 0, content, offset, bytes.length);
        return Files.write(dir.resolve(name), content);
    }
}
