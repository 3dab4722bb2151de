package dev.dynload.internal;

import dev.dynload.CString;
import dev.dynload.LoadOption;
import dev.dynload.OperatingSystem;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The POSIX loader: {@code dlopen}, {@code dlsym}, {@code dlclose} and {@code dlerror}, called through
 * {@code java.lang.foreign} so that failures carry the loader's own message.
 *
 * <p>A file is opened once, without blocking, checked through that descriptor and, on Linux, loaded
 * through it too: {@code dlopen("/proc/self/fd/N")} loads the open file, not whatever the path names by
 * then ({@link DescriptorNames} keeps those names sound).
 *
 * <p>{@code dlerror} reports the last failure <em>of the calling OS thread</em>. A virtual thread can move
 * to another carrier between two downcalls, so every call that reads {@code dlerror} or {@code errno}
 * runs, with the call that failed, in one piece on one platform thread ({@link OsThread}).
 */
final class PosixLoader implements NativeLoader {

    /** The flag values, folders and file facilities of one C library family. */
    enum Flags {
        /** glibc and musl on Linux. */
        GLIBC(OperatingSystem.LINUX, 0x1, 0x2, 0x0, 0x100, 0x1000, 0x4, "LD_LIBRARY_PATH",
                List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib"),
                0x800 | 0x80000 | 0x100, 0x200000 | 0x80000, "/proc/self/fd/", true),
        /** macOS. */
        DARWIN(OperatingSystem.MACOS, 0x1, 0x2, 0x4, 0x8, 0x80, 0x10, "DYLD_LIBRARY_PATH",
                List.of("/usr/local/lib", "/opt/homebrew/lib", "/usr/lib"),
                0x4 | 0x1000000 | 0x20000, 0, "/dev/fd/", false);

        final OperatingSystem os;
        final int lazy;
        final int now;
        final int local;
        final int global;
        final int nodelete;
        final int noload;
        final String pathVariable;
        final List<String> defaultFolders;
        /** O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY: open anything without blocking or adopting a tty. */
        final int openForReading;
        /** O_PATH | O_CLOEXEC, for walking a path longer than PATH_MAX; 0 where there is none. */
        final int openPath;
        /** Where an open descriptor N can be named as a file. */
        final String descriptorFolder;
        /** Whether dlopen is given that name, so that the loader loads the open file. */
        final boolean loadsByDescriptor;

        Flags(OperatingSystem os, int lazy, int now, int local, int global, int nodelete, int noload,
              String pathVariable, List<String> defaultFolders, int openForReading, int openPath,
              String descriptorFolder, boolean loadsByDescriptor) {
            this.os = os;
            this.lazy = lazy;
            this.now = now;
            this.local = local;
            this.global = global;
            this.nodelete = nodelete;
            this.noload = noload;
            this.pathVariable = pathVariable;
            this.defaultFolders = defaultFolders;
            this.openForReading = openForReading;
            this.openPath = openPath;
            this.descriptorFolder = descriptorFolder;
            this.loadsByDescriptor = loadsByDescriptor;
        }

        int of(Set<LoadOption.Flag> flags) {
            int bits = flags.contains(LoadOption.Flag.LAZY) ? lazy : now;
            bits |= flags.contains(LoadOption.Flag.GLOBAL) ? global : local;
            if (flags.contains(LoadOption.Flag.NODELETE)) {
                bits |= nodelete;
            }
            return bits;
        }
    }

    /** {@code RTLD_DI_LINKMAP} of glibc's {@code dlinfo}. */
    private static final int RTLD_DI_LINKMAP = 2;
    /** The longest path open() takes, with its NUL ({@code PATH_MAX} on Linux). */
    private static final int PATH_MAX = 4096;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EPERM = 1;
    private static final int EINVAL = 22;
    /** memfd_create's flags: MFD_CLOEXEC | MFD_ALLOW_SEALING, and MFD_EXEC (Linux 6.3+). */
    private static final int MFD_SEALABLE = 0x1 | 0x2;
    private static final int MFD_EXEC = 0x10;
    /** fcntl's F_ADD_SEALS, and F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE. */
    private static final int F_ADD_SEALS = 1033;
    private static final int ALL_SEALS = 0x1 | 0x2 | 0x4 | 0x8;

    private final Flags flags;
    private final DescriptorNames names;
    /** Made by the first search by name: an open by path never needs it. */
    private SystemSearch search;

    /**
     * Whether {@code /proc/self/fd} (or {@code /dev/fd}) exists: a chroot or sandbox may have none, and then
     * files are read and loaded by their paths, as before dynload loaded open files.
     */
    private final boolean descriptorFolder;
    /** Whether the loader is given the open file rather than its path. */
    private final boolean loadsByDescriptor;

    PosixLoader(Flags flags) {
        this.flags = flags;
        this.names = new DescriptorNames(flags.descriptorFolder, flags.lazy | flags.noload);
        this.descriptorFolder = Files.isDirectory(Path.of(flags.descriptorFolder));
        this.loadsByDescriptor = flags.loadsByDescriptor && descriptorFolder;
    }

    private static final class Dlinfo {
        static final MethodHandle H = Linker.nativeLinker().defaultLookup().find("dlinfo")
                .map(a -> Linker.nativeLinker().downcallHandle(a, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)))
                .orElse(null);
    }

    @Override
    public OperatingSystem os() {
        return flags.os;
    }

    @Override
    public OpenFile openFile(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        byte[] bytes = NativePaths.bytes(absolute);
        // A platform thread is its own OS thread, so its errno is its own: the call runs in place, and makes
        // no lambda on a first open.
        long result = Thread.currentThread().isVirtual() ? OsThread.call(() -> openHere(bytes)) : openHere(bytes);
        int fd = (int) (result >> 32);
        if (fd < 0) {
            throw failure(absolute, (int) result);
        }
        Path readable = descriptorFolder ? Path.of(flags.descriptorFolder + fd) : absolute;
        try {
            BasicFileAttributes a = Files.readAttributes(readable, BasicFileAttributes.class);
            OpenFile.Kind kind = a.isRegularFile() ? OpenFile.Kind.REGULAR
                    : a.isDirectory() ? OpenFile.Kind.DIRECTORY : OpenFile.Kind.OTHER;
            return new OpenFile(absolute, readable, kind, a.size(), a.fileKey(), false, fd);
        } catch (IOException | RuntimeException e) {
            closeFd(fd);
            throw e;
        }
    }

    /** Opens without blocking: the descriptor in the high 32 bits, errno in the low 32 bits. */
    private long openHere(byte[] path) {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            if (path.length < PATH_MAX || flags.openPath == 0 || Libc.OPENAT.address() == 0) {
                fd = Libc.asInt(Libc.call(Libc.OPEN, Libc.cString(arena, path), Libc.word(flags.openForReading)));
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
            int mode = last ? flags.openForReading : flags.openPath;
            int fd = Libc.asInt(Libc.call(Libc.OPENAT, Libc.word(folder), Libc.cString(arena, piece), Libc.word(mode)));
            if (folder >= 0) {
                int errno = Libc.errno();
                closeFd(folder);
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

    @Override
    public OpenFile memoryFile(Path file, InputStream content) throws IOException {
        if (!loadsByDescriptor || Libc.MEMFD_CREATE.address() == 0 || Libc.FCNTL.address() == 0) {
            throw new UnsupportedOperationException("sealed memory files need memfd_create (Linux 3.17 or later) and /proc");
        }
        String name = "dynload:" + file.getFileName();
        // In place on a platform thread, as openFile does: no lambda on a first bundled open.
        long result = Thread.currentThread().isVirtual() ? OsThread.call(() -> memfdHere(name)) : memfdHere(name);
        int fd = (int) (result >> 32);
        if (fd < 0) {
            int errno = (int) result;
            throw new FileSystemException(file.toString(), null, "the kernel refused a sealed memory file "
                    + "(memfd_create: " + Libc.strerror(errno) + ")"
                    + (errno == EACCES || errno == EPERM ? "; the sysctl vm.memfd_noexec forbids executable ones" : ""));
        }
        Path readable = Path.of(flags.descriptorFolder + fd);
        try {
            try (OutputStream out = new FileOutputStream(readable.toFile())) {
                content.transferTo(out);
            }
            int errno = Thread.currentThread().isVirtual() ? OsThread.call(() -> seal(fd)) : seal(fd);
            if (errno != 0) {
                throw new FileSystemException(file.toString(), null,
                        "cannot seal the memory file against writes (fcntl: " + Libc.strerror(errno) + ")");
            }
            BasicFileAttributes a = Files.readAttributes(readable, BasicFileAttributes.class);
            return new OpenFile(file, readable, OpenFile.Kind.REGULAR, a.size(), a.fileKey(), true, fd);
        } catch (IOException | RuntimeException e) {
            closeFd(fd);
            throw e;
        }
    }

    /** Seals a memory file against writes, shrinking and growing; {@return 0, or the errno} */
    private static int seal(int fd) {
        return Libc.asInt(Libc.call(Libc.FCNTL, Libc.word(fd), Libc.word(F_ADD_SEALS), Libc.word(ALL_SEALS))) == 0
                ? 0 : Libc.errno();
    }

    private long memfdHere(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = Libc.cString(arena, name);
            int fd = Libc.asInt(Libc.call(Libc.MEMFD_CREATE, cName, Libc.word(MFD_SEALABLE | MFD_EXEC)));
            if (fd < 0 && Libc.errno() == EINVAL) {
                // A kernel older than 6.3 does not know MFD_EXEC; its memory files are executable anyway.
                fd = Libc.asInt(Libc.call(Libc.MEMFD_CREATE, cName, Libc.word(MFD_SEALABLE)));
            }
            return fd >= 0 ? (long) fd << 32 : (-1L << 32) | (Libc.errno() & 0xffffffffL);
        }
    }

    @Override
    public Opened load(OpenFile file, Set<LoadOption.Flag> options, BooleanSupplier checkIfNew) {
        int bits = flags.of(options);
        if (!loadsByDescriptor) {
            // No way to name the open file to this loader: load the path that was checked.
            checkIfNew.getAsBoolean();
            return open(file.file().toString(), bits);
        }
        DescriptorNames.Name name = names.acquire(file);
        boolean loaded = false;
        try {
            // A file the process has loaded already (same device and inode) is not checked again: its
            // object is returned as it is, and its code has run.
            Opened opened = open(name.path(), bits | flags.noload);
            if (!opened.ok()) {
                String as = checkIfNew.getAsBoolean() ? file.file().toString() : name.path();
                opened = open(as, bits);
            }
            if (opened.ok()) {
                loaded = true;
                return new Opened(opened.handle(), null, name);
            }
            return new Opened(MemorySegment.NULL, opened.error().replace(name.path(), file.file().toString()), null);
        } finally {
            if (!loaded) {
                release(name);
            }
        }
    }

    @Override
    public Opened openProcess() {
        return open(null, flags.now | flags.local);
    }

    @Override
    public Opened loadedByName(String fileName) {
        return open(fileName, flags.lazy | flags.local | flags.noload);
    }

    private Opened open(String file, int bits) {
        // A platform thread is its own OS thread: its dlerror is its own, so the call runs in place. Tested
        // here, not only in OsThread.call, so that a platform thread's first open makes no lambda.
        return Thread.currentThread().isVirtual() ? OsThread.call(() -> openHere(file, bits)) : openHere(file, bits);
    }

    private static Opened openHere(String file, int bits) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = file == null ? MemorySegment.NULL : Libc.cString(arena, file);
            MemorySegment handle = Libc.call(Libc.DLOPEN, name, Libc.word(bits));
            if (handle.address() != 0) {
                return new Opened(handle, null, null);
            }
            return new Opened(MemorySegment.NULL, lastError(), null);
        }
    }

    @Override
    public MemorySegment find(MemorySegment handle, String symbol) {
        // dlsym's NULL means "not exported" for every symbol a caller can use, so dlerror is not needed
        // here and the lookup runs on the calling thread, virtual or not.
        try (Arena arena = Arena.ofConfined()) {
            return Libc.call(Libc.DLSYM, handle, Libc.cString(arena, symbol));
        }
    }

    @Override
    public Optional<String> close(Opened opened) {
        MemorySegment handle = MemorySegment.ofAddress(opened.handle().address());
        Optional<String> error = OsThread.call(() -> {
            int rc = Libc.asInt(Libc.call(Libc.DLCLOSE, handle, MemorySegment.NULL));
            return rc == 0 ? Optional.empty() : Optional.of(lastError());
        });
        if (opened.pin() instanceof DescriptorNames.Name name) {
            release(name);
        }
        return error;
    }

    /** Releases a name; its probe calls the loader, so a virtual thread hands it to a platform thread. */
    private void release(DescriptorNames.Name name) {
        if (Thread.currentThread().isVirtual()) {
            OsThread.call(() -> {
                names.release(name);
                return null;
            });
        } else {
            names.release(name);
        }
    }

    @Override
    public Optional<Path> pathOf(MemorySegment handle) {
        MethodHandle dlinfo = Dlinfo.H;
        if (dlinfo == null) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) dlinfo.invokeExact(handle, RTLD_DI_LINKMAP, out);
            if (rc != 0) {
                OsThread.call(PosixLoader::lastError); // clear this thread's pending error
                return Optional.empty();
            }
            // struct link_map { ElfW(Addr) l_addr; char *l_name; ... }: l_name follows one address.
            MemorySegment map = out.get(ADDRESS, 0).reinterpret(2 * ADDRESS.byteSize());
            String name = CString.read(map.get(ADDRESS, ADDRESS.byteSize()));
            if (name == null || name.isEmpty()) {
                return Optional.empty();
            }
            Path path = Path.of(name);
            if (name.startsWith(flags.descriptorFolder)) {
                // Loaded through an open descriptor, which DescriptorNames keeps open: the file it names.
                try {
                    return Optional.of(Files.readSymbolicLink(path));
                } catch (IOException | UnsupportedOperationException e) {
                    return Optional.empty();
                }
            }
            return Optional.of(path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public List<Path> systemFolders() {
        return conventions().systemFolders(flags.pathVariable, flags.defaultFolders);
    }

    @Override
    public Conventions conventions() {
        return flags == Flags.GLIBC ? GNU : DARWIN;
    }

    private static final Conventions GNU = new GnuConventions();
    private static final Conventions DARWIN = new DarwinConventions();

    @Override
    public Trial tryInChild(OpenFile file, boolean now, java.time.Duration limit, List<Path> libraryPath) {
        if (!loadsByDescriptor) {
            throw new UnsupportedOperationException("isolated loads need Linux and /proc");
        }
        return ChildTrial.run(file, now, limit, libraryPath);
    }

    @Override
    public Search search(String fileName, Requester requester) {
        SystemSearch s;
        synchronized (this) {
            if (search == null) {
                search = flags == Flags.GLIBC ? new SystemSearch(flags.pathVariable, SystemSearch.glibcDefaults(), true)
                        : new SystemSearch(flags.pathVariable, flags.defaultFolders, false);
            }
            s = search;
        }
        return s.search(fileName, requester);
    }

    static void closeFd(int fd) {
        Libc.call(Libc.CLOSE, Libc.word(fd), MemorySegment.NULL);
    }

    private static String lastError() {
        String message = CString.read(Libc.call(Libc.DLERROR, MemorySegment.NULL, MemorySegment.NULL));
        return message == null ? "the loader gave no message" : message;
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native loader call failed", t);
    }
}
