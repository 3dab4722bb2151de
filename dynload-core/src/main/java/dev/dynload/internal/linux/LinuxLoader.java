package dev.dynload.internal.linux;

import org.jspecify.annotations.Nullable;

import dev.dynload.internal.Conventions;
import dev.dynload.internal.LoadFlags;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.posix.Dlfcn;
import dev.dynload.internal.posix.Libc;
import dev.dynload.internal.posix.OsThread;
import dev.dynload.internal.posix.PosixFiles;
import dev.dynload.internal.posix.SystemSearch;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux backend (glibc and musl): {@code dlopen} given the open file itself, through
 * {@code /proc/self/fd/N}, so that what was checked is what loads ({@link DescriptorNames} keeps those
 * names sound); sealed memory files ({@code memfd_create}) for private copies and bundles; a child process
 * for isolated loads ({@link ChildTrial}); glibc's search order with {@code /etc/ld.so.cache}
 * ({@link LdSoCache}); the ELF verifier before every first load, warmed up by {@link ElfWarmUp}.
 */
public final class LinuxLoader implements NativeLoader {

    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_LOCAL = 0x0;
    private static final int RTLD_GLOBAL = 0x100;
    private static final int RTLD_NODELETE = 0x1000;
    private static final int RTLD_NOLOAD = 0x4;
    /** O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, and O_PATH | O_CLOEXEC. */
    private static final int OPEN_FOR_READING = 0x800 | 0x80000 | 0x100;
    private static final int OPEN_PATH = 0x200000 | 0x80000;
    private static final String DESCRIPTORS = "/proc/self/fd/";
    private static final String PATH_VARIABLE = "LD_LIBRARY_PATH";
    private static final int EACCES = 13;
    private static final int EPERM = 1;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    /** memfd_create's flags: MFD_CLOEXEC | MFD_ALLOW_SEALING, and MFD_EXEC (Linux 6.3+). */
    private static final int MFD_SEALABLE = 0x1 | 0x2;
    private static final int MFD_EXEC = 0x10;
    /** fcntl's F_ADD_SEALS, and F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE. */
    private static final int F_ADD_SEALS = 1033;
    private static final int ALL_SEALS = 0x1 | 0x2 | 0x4 | 0x8;
    private static final Conventions GNU = new GnuConventions();

    private final PosixFiles files = new PosixFiles(OPEN_FOR_READING, OPEN_PATH, DESCRIPTORS);
    private final DescriptorNames names = new DescriptorNames(DESCRIPTORS, RTLD_LAZY | RTLD_NOLOAD);
    /**
     * Whether the loader is given the open file rather than its path: a chroot or sandbox may have no
     * {@code /proc}, and then files are read and loaded by their paths.
     */
    private final boolean loadsByDescriptor = files.descriptorFolder() != null;
    /** Made by the first search by name: an open by path never needs it. */
    private @Nullable SystemSearch search;

    static {
        // Loaded by name when this platform's backend is chosen: registers the one instance.
        NativeLoader.Holder.register(new LinuxLoader());
    }

    /** The backend; made once, when {@code NativeLoader.Holder} loads this class, and by tests. */
    public LinuxLoader() {
    }

    @Override
    public Conventions conventions() {
        return GNU;
    }

    @Override
    public OpenFile openFile(Path file) throws IOException {
        return files.open(file);
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
        Path readable = Path.of(DESCRIPTORS + fd);
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
            return new OpenFile(file, readable, OpenFile.Kind.REGULAR, a.size(), a.fileKey(), true, fd, PosixFiles.CLOSER);
        } catch (IOException | RuntimeException e) {
            PosixFiles.close(fd);
            throw e;
        }
    }

    /** Seals a memory file against writes, shrinking and growing; {@return 0, or the errno} */
    private static int seal(int fd) {
        return Libc.asInt(Libc.call(Libc.FCNTL, Libc.word(fd), Libc.word(F_ADD_SEALS), Libc.word(ALL_SEALS))) == 0
                ? 0 : Libc.errno();
    }

    private static long memfdHere(String name) {
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
    public Opened load(OpenFile file, LoadFlags flags, BooleanSupplier checkIfNew) {
        int bits = Dlfcn.bits(flags, RTLD_LAZY, RTLD_NOW, RTLD_GLOBAL, RTLD_LOCAL, RTLD_NODELETE);
        if (!loadsByDescriptor) {
            // No way to name the open file to this loader: load the path that was checked.
            checkIfNew.getAsBoolean();
            return Dlfcn.open(file.file().toString(), bits);
        }
        DescriptorNames.Name name = names.acquire(file);
        boolean loaded = false;
        try {
            // A file the process has loaded already (same device and inode) is not checked again: its
            // object is returned as it is, and its code has run.
            Opened opened = Dlfcn.open(name.path(), bits | RTLD_NOLOAD);
            if (!opened.ok()) {
                String as = checkIfNew.getAsBoolean() ? file.file().toString() : name.path();
                opened = Dlfcn.open(as, bits);
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
        return Dlfcn.open(null, RTLD_NOW | RTLD_LOCAL);
    }

    @Override
    public Opened loadedByName(String fileName) {
        return Dlfcn.open(fileName, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
    }

    @Override
    public MemorySegment find(MemorySegment handle, String symbol) {
        return Dlfcn.find(handle, symbol);
    }

    @Override
    public Optional<String> close(Opened opened) {
        Optional<String> error = Dlfcn.close(opened.handle());
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
        Optional<String> name = Dlfcn.loadedName(handle);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(name.get());
        if (name.get().startsWith(DESCRIPTORS)) {
            // Loaded through an open descriptor, which DescriptorNames keeps open: the file it names.
            try {
                return Optional.of(Files.readSymbolicLink(path));
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }
        return Optional.of(path);
    }

    @Override
    public List<Path> systemFolders() {
        return GNU.systemFolders(PATH_VARIABLE, SystemSearch.glibcDefaults());
    }

    @Override
    public Trial tryInChild(OpenFile file, boolean now, java.time.Duration limit, List<Path> libraryPath) {
        if (!loadsByDescriptor) {
            throw new UnsupportedOperationException("isolated loads need Linux and /proc");
        }
        return ChildTrial.run(file, now, limit, libraryPath);
    }

    @Override
    public Search search(String fileName, @Nullable Requester requester) {
        SystemSearch s;
        synchronized (this) {
            if (search == null) {
                search = new SystemSearch(PATH_VARIABLE, SystemSearch.glibcDefaults(), LdSoCache.System.CACHE);
            }
            s = search;
        }
        return s.search(fileName, requester);
    }

    @Override
    public void warmUp() {
        Libc.errno(); // initializes Libc: the linker and its one downcall handle
    }

    @Override
    public void warmUpChecks(boolean here) {
        if (here) {
            ElfWarmUp.runHereOnce();
        } else {
            ElfWarmUp.startOnce();
        }
    }

    @Override
    public long userId() {
        return PosixFiles.userId();
    }

    @Override
    public boolean forbidsExecution(Path folder) {
        return Ids.noexec(folder);
    }

    @Override
    public boolean diskFull(String message) {
        return message.contains(Libc.strerror(ENOSPC)) || message.contains(Libc.strerror(EDQUOT));
    }

    /** The mount flags of a folder, asked of the C library. */
    private static final class Ids {
        private static final MemorySegment STATVFS = Linker.nativeLinker().defaultLookup().find("statvfs")
                .orElse(MemorySegment.NULL);
        /** statvfs's {@code f_flag}: at byte 72 of {@code struct statvfs} on 64-bit Linux, glibc and musl. */
        private static final long F_FLAG = 72;
        private static final long ST_NOEXEC = 8;

        static boolean noexec(Path folder) {
            if (STATVFS.address() == 0 || !"64".equals(System.getProperty("sun.arch.data.model"))) {
                return false;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(256, 8);
                MemorySegment path = Libc.cString(arena, folder.toString());
                int result = Libc.asInt(Libc.call(STATVFS, path, buffer, MemorySegment.NULL));
                return result == 0 && (buffer.get(JAVA_LONG, F_FLAG) & ST_NOEXEC) != 0;
            }
        }
    }
}
