package dev.dynload.format;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Path;

/**
 * A file is none of the native formats, or is too damaged to read at all. The message names the file and
 * says what is wrong and where.
 */
public final class FormatException extends IOException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the file read
     * @param detail what is wrong with it
     */
    public FormatException(Path file, String detail) {
        super(file + ": " + detail);
        this.file = file;
    }

    /** {@return the file that was read} */
    public Path file() {
        return file;
    }
}
