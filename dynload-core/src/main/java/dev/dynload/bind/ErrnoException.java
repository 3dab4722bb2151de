package dev.dynload.bind;

import java.io.Serial;

/**
 * A native call declared {@link Errno} failed: the exception carries {@code errno} as the call left it,
 * and its text from the C library's {@code strerror}.
 *
 * {@snippet :
 * try {
 *     libc.open("/nonexistent", 0);
 * } catch (ErrnoException e) {
 *     e.errno();      // 2
 *     e.getMessage(); // "open failed: No such file or directory (errno 2)"
 * }
 * }
 */
public final class ErrnoException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The captured {@code errno}. */
    private final int errno;
    /** The C function that failed. */
    private final String function;
    /** {@code strerror}'s text for it. */
    private final String description;

    /**
     * Creates the exception.
     *
     * @param function the C function that failed
     * @param errno the captured {@code errno}
     * @param description its {@code strerror} text
     */
    public ErrnoException(String function, int errno, String description) {
        super(function + " failed: " + description + " (errno " + errno + ")");
        this.function = function;
        this.errno = errno;
        this.description = description;
    }

    /** {@return the captured {@code errno} (on Windows, {@code GetLastError})} */
    public int errno() {
        return errno;
    }

    /** {@return the C function that failed} */
    public String function() {
        return function;
    }

    /** {@return the C library's text for the code} */
    public String description() {
        return description;
    }
}
