package dev.dynload;

import dev.dynload.bind.In;
import dev.dynload.bind.Out;
import dev.dynload.bind.SizeT;

/**
 * A POSIX pipe for tests: a native fixture writes a byte to say where it is, or waits for one to go
 * on. The test and the fixture signal each other, and nothing waits on the clock.
 *
 * @param readFd the reading end, for the fixture's waits or the test's
 * @param writeFd the writing end
 */
public record Pipe(int readFd, int writeFd) implements AutoCloseable {

    /** libc's pipe, read, write and close, bound through dynload itself. */
    interface Posix {
        int pipe(int[] fds);
        @SizeT long read(int fd, @Out byte[] buf, @SizeT long n);
        @SizeT long write(int fd, @In byte[] buf, @SizeT long n);
        int close(int fd);
    }

    private static final Posix POSIX = Library.process().bind(Posix.class);

    public static Pipe open() {
        int[] fds = new int[2];
        if (POSIX.pipe(fds) != 0) {
            throw new IllegalStateException("pipe() failed");
        }
        return new Pipe(fds[0], fds[1]);
    }

    /** Writes one byte. */
    public void signal(byte b) {
        if (POSIX.write(writeFd, new byte[] {b}, 1) != 1) {
            throw new IllegalStateException("write to a pipe failed");
        }
    }

    /** Waits for one byte and returns it. */
    public byte await() {
        byte[] b = new byte[1];
        if (POSIX.read(readFd, b, 1) != 1) {
            throw new IllegalStateException("read from a pipe failed");
        }
        return b[0];
    }

    @Override
    public void close() {
        POSIX.close(readFd);
        POSIX.close(writeFd);
    }
}
