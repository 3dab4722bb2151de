package dev.dynload.internal.posix;

import org.jspecify.annotations.Nullable;

import dev.dynload.internal.OpenFile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Opening a file once, without blocking, with the C library's {@code open}: a FIFO or a device opens and
 * is then seen to be one, and the open descriptor is what is checked and loaded. Shared by the Linux and
 * macOS backends, each with its own flag values.
 *
 * <p>{@code errno} is the calling OS thread's: a virtual thread hands the call to a platform thread
 * ({@link OsThread}), so that the failure and its errno are read together.
 */
public final class PosixFiles {

    /** Closes a descriptor: a class, not a method reference, which would spin a class on a first open. */
    public static final java.util.function.IntConsumer CLOSER = new java.util.function.IntConsumer() {
        @Override
        public void accept(int fd) {
            close(fd);
        }
    };

    /** The longest path open() takes, with its NUL ({@code PATH_MAX} on Linux). */
    private static final int PATH_MAX = 4096;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EPERM = 1;

    /** O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, in this platform's values. */
    private final int openForReading;
    /** O_PATH | O_CLOEXEC, for walking a path longer than PATH_MAX; 0 where there is none. */
    private final int openPath;
    /** Where an open descriptor N can be named as a file ({@code /proc/self/fd/}), or null. */
    private final @Nullable String descriptorFolder;

    /**
     * The file calls of one platform.
     *
     * @param openForReading its {@code O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY}
     * @param openPath its {@code O_PATH | O_CLOEXEC}, or 0 where it has none
     * @param descriptorFolder where descriptor N is named as a file, or null where it cannot be read that way
     */
    public PosixFiles(int openForReading, int openPath, @Nullable String descriptorFolder) {
        this.openForReading = openForReading;
        this.openPath = openPath;
        this.descriptorFolder = descriptorFolder != null && Files.isDirectory(Path.of(descriptorFolder))
                ? descriptorFolder : null;
    }

    /** {@return where descriptor N is named as a file, or null where it cannot be} */
    public @Nullable String descriptorFolder() {
        return descriptorFolder;
    }

    /**
     * Opens a file to check and load it, without blocking.
     *
     * @param file the file
     * @return the open file; {@link OpenFile#readable()} names the descriptor where the platform can
     * @throws IOException as {@code java.nio.file} would throw it
     */
    public OpenFile open(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        byte[] bytes = NativePaths.bytes(absolute);
        // A platform thread is its own OS thread, so its errno is its own: the call runs in place, and makes
        // no lambda on a first open.
        long result = Thread.currentThread().isVirtual() ? OsThread.call(() -> openHere(bytes)) : openHere(bytes);
        int fd = (int) (result >> 32);
        if (fd < 0) {
            throw failure(absolute, (int) result);
        }
        Path readable = descriptorFolder != null ? Path.of(descriptorFolder + fd) : absolute;
        try {
            BasicFileAttributes a = Files.readAttributes(readable, BasicFileAttributes.class);
            OpenFile.Kind kind = a.isRegularFile() ? OpenFile.Kind.REGULAR
                    : a.isDirectory() ? OpenFile.Kind.DIRECTORY : OpenFile.Kind.OTHER;
            return new OpenFile(absolute, readable, kind, a.size(), a.fileKey(), false, fd, CLOSER);
        } catch (IOException | RuntimeException e) {
            close(fd);
            throw e;
        }
    }

    /** Opens without blocking: the descriptor in the high 32 bits, errno in the low 32 bits. */
    private long openHere(byte[] path) {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            if (path.length < PATH_MAX || openPath == 0 || Libc.OPENAT.address() == 0) {
                fd = Libc.asInt(Libc.call(Libc.OPEN, Libc.cString(arena, path), Libc.word(openForReading)));
            } else {
                fd = openLong(arena, path);
            }
        }
        return fd >= 0 ? (long) fd << 32 : (-1L << 32) | (Libc.errno() & 0xffffffffL);
    }

    /**
     * Opens a path longer than PATH_MAX, which open() refuses, a piece at a time: each piece of whole
     * names shorter than PATH_MAX is opened (O_PATH) relative to the folder before it.
     */
    private int openLong(Arena arena, byte[] path) {
        int start = 0;
        int folder = -100; // AT_FDCWD; the path is absolute, so the first piece ignores it
        while (true) {
            int end = path.length;
            boolean last = end - start < PATH_MAX;
            if (!last) {
                end = start + PATH_MAX - 1;
                while (end > start && path[end] != '/') {
                    end--;
                }
                if (end == start) {
                    end = start + PATH_MAX; // one name longer than PATH_MAX: let openat say ENAMETOOLONG
                }
            }
            byte[] piece = java.util.Arrays.copyOfRange(path, start, end);
            int mode = last ? openForReading : openPath;
            int fd = Libc.asInt(Libc.call(Libc.OPENAT, Libc.word(folder), Libc.cString(arena, piece), Libc.word(mode)));
            if (folder >= 0) {
                int errno = Libc.errno();
                close(folder);
                setErrno(errno);
            }
            if (fd < 0 || last) {
                return fd;
            }
            folder = fd;
            start = end;
            while (start < path.length && path[start] == '/') {
                start++;
            }
        }
    }

    private static void setErrno(int errno) {
        if (Libc.ERRNO.address() != 0) {
            Libc.call(Libc.ERRNO, MemorySegment.NULL, MemorySegment.NULL).reinterpret(4).set(JAVA_INT, 0, errno);
        }
    }

    /** The exception java.nio.file would throw for an open that failed with {@code errno}. */
    private static IOException failure(Path file, int errno) {
        String reason = Libc.strerror(errno);
        if (errno == ENOENT) {
            return new NoSuchFileException(file.toString(), null, reason);
        }
        if (errno == EACCES || errno == EPERM) {
            return new AccessDeniedException(file.toString(), null, reason);
        }
        return new FileSystemException(file.toString(), null, reason);
    }

    /** getuid, where the C library has it. */
    private static final class Uid {
        static final MemorySegment GETUID = java.lang.foreign.Linker.nativeLinker().defaultLookup().find("getuid")
                .orElse(MemorySegment.NULL);
    }

    /** {@return this process's user id, or -1 where the C library does not say} */
    public static long userId() {
        return Uid.GETUID.address() == 0 ? -1
                : Libc.asInt(Libc.call(Uid.GETUID, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL));
    }

    /**
     * Closes a descriptor.
     *
     * @param fd the descriptor
     */
    public static void close(int fd) {
        Libc.call(Libc.CLOSE, Libc.word(fd), MemorySegment.NULL);
    }
}
