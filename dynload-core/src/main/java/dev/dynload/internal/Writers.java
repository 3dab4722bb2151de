package dev.dynload.internal;

import dev.dynload.internal.posix.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether any process has a file open for writing, for the plugin host's watch: a file still being
 * copied is not taken, whatever its bytes look like so far (a library cut after its last loadable
 * segment loads). Linux answers through a file lease: a read lease ({@code fcntl F_SETLEASE F_RDLCK}) is
 * refused with {@code EAGAIN} while the file is open for writing anywhere, and released at once. A lease
 * needs the file's owner or {@code CAP_LEASE}, and a file system that has leases; elsewhere the answer
 * is unknown.
 */
public final class Writers {

    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int F_SETLEASE = 1024;
    private static final int F_RDLCK = 0;
    private static final int F_UNLCK = 2;
    private static final int EAGAIN = 11;

    private Writers() {
    }

    /**
     * {@return whether a process has {@code file} open for writing; empty when this system cannot tell
     * (not Linux, not the file's owner, no leases on its file system, or it cannot be opened)} Call on a
     * platform thread: errno is read on the thread that made the call.
     *
     * @param file the file
     */
    public static Optional<Boolean> openForWriting(Path file) {
        if (!LINUX || Libc.FCNTL.address() == 0 || Thread.currentThread().isVirtual()) {
            return Optional.empty();
        }
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.asInt(Libc.call(Libc.OPEN, Libc.cString(arena, file.toString()), Libc.word(O_RDONLY_CLOEXEC)));
        }
        if (fd < 0) {
            return Optional.empty();
        }
        try {
            int rc = Libc.asInt(Libc.call(Libc.FCNTL, Libc.word(fd), Libc.word(F_SETLEASE), Libc.word(F_RDLCK)));
            if (rc == 0) {
                Libc.call(Libc.FCNTL, Libc.word(fd), Libc.word(F_SETLEASE), Libc.word(F_UNLCK));
                return Optional.of(false);
            }
            return Libc.errno() == EAGAIN ? Optional.of(true) : Optional.empty();
        } finally {
            Libc.call(Libc.CLOSE, Libc.word(fd), MemorySegment.NULL);
        }
    }
}
