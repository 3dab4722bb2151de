package dev.dynload.internal;

import java.nio.file.Path;

/**
 * A file opened once, to be checked and then loaded as that same open file: a path swapped for another
 * file, a truncated copy or a FIFO after the check does not change what is loaded.
 *
 * <p>Where the backend can (Linux), it holds a descriptor opened without blocking, so that a FIFO or a
 * device never blocks the caller, and {@link #readable()} names that open file ({@code /proc/self/fd/N}):
 * reading it reads what the descriptor refers to, whatever happens to the path meanwhile. Elsewhere it
 * holds no descriptor and {@link #readable()} is the path itself.
 *
 * <p>Not thread-safe: one open call owns it until it is loaded or closed.
 */
public final class OpenFile implements AutoCloseable {

    /** What the open file is. */
    public enum Kind {
        /** A regular file. */
        REGULAR,
        /** A directory. */
        DIRECTORY,
        /** A FIFO, socket or device. */
        OTHER
    }

    private final Path file;
    private final Path readable;
    private final Kind kind;
    private final long size;
    private final Object key;
    private final boolean copy;
    private final java.util.function.IntConsumer closer;
    private int fd;

    /**
     * An open file, as a backend opened it.
     *
     * @param file the path it stands for, in messages
     * @param readable where its bytes are read: the open descriptor's name, or the path itself
     * @param kind what it is
     * @param size its size in bytes
     * @param key its identity (device and inode), equal for two opens of one file
     * @param copy whether it is a private copy in sealed memory
     * @param fd the descriptor the backend holds, or -1
     * @param closer closes {@code fd}
     */
    public OpenFile(Path file, Path readable, Kind kind, long size, Object key, boolean copy, int fd,
                    java.util.function.IntConsumer closer) {
        this.file = file;
        this.readable = readable;
        this.kind = kind;
        this.size = size;
        this.key = key;
        this.copy = copy;
        this.fd = fd;
        this.closer = closer;
    }

    /** {@return the path it was opened by, absolute: for messages and {@code $ORIGIN}} */
    public Path file() {
        return file;
    }

    /** {@return a path that reads this open file, for Java's file API} */
    public Path readable() {
        return readable;
    }

    /** {@return what it is} */
    public Kind kind() {
        return kind;
    }

    /** {@return its size in bytes when it was opened} */
    public long size() {
        return size;
    }

    /** {@return its identity in the file system (device and inode): equal for the same file} */
    public Object key() {
        return key;
    }

    /** {@return whether this is a private sealed copy of {@link #file()}, not the file itself} */
    public boolean isCopy() {
        return copy;
    }

    /** {@return the descriptor, or -1 when it has none or is closed} */
    public int fd() {
        return fd;
    }

    /** Closes the descriptor; the loader keeps its own for a loaded file. */
    @Override
    public void close() {
        if (fd >= 0) {
            closer.accept(fd);
            fd = -1;
        }
    }

    @Override
    public String toString() {
        return "OpenFile[" + file + (copy ? " (a private copy)" : "") + ", " + kind + ", " + size + " bytes]";
    }
}
