package dev.dynload.elf;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Path;

/**
 * A file is not an ELF file, or is a damaged or truncated one. The message names the file and says what
 * is wrong and where.
 */
public final class ElfFormatException extends IOException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the file read
     * @param detail what is wrong with it
     */
    public ElfFormatException(Path file, String detail) {
        super(file + ": " + detail);
        this.file = file;
    }

    /** {@return the file that was read} */
    public Path file() {
        return file;
    }
}
