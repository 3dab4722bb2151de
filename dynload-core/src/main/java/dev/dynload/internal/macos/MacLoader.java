package dev.dynload.internal.macos;

import org.jspecify.annotations.Nullable;

import dev.dynload.internal.Conventions;
import dev.dynload.internal.LoadFlags;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.posix.Dlfcn;
import dev.dynload.internal.posix.Libc;
import dev.dynload.internal.posix.PosixFiles;
import dev.dynload.internal.posix.SystemSearch;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The macOS backend: dyld through {@code dlopen}, given the path that was checked (dyld cannot be handed
 * an open file), with macOS's flag values and {@code DYLD_LIBRARY_PATH}. What Linux alone can do is
 * refused by name: sealed memory files ({@code memfd_create}) and isolated loads
 * ({@code /proc/self/fd}); a bundle is then unpacked into the cache instead.
 *
 * <p>Written from Apple's {@code <dlfcn.h>} and {@code <fcntl.h>}; it has not run on macOS (README,
 * Platforms).
 */
public final class MacLoader implements NativeLoader {

    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_LOCAL = 0x4;
    private static final int RTLD_GLOBAL = 0x8;
    private static final int RTLD_NOLOAD = 0x10;
    private static final int RTLD_NODELETE = 0x80;
    /** O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY. */
    private static final int OPEN_FOR_READING = 0x4 | 0x1000000 | 0x20000;
    private static final String PATH_VARIABLE = "DYLD_LIBRARY_PATH";
    private static final List<String> DEFAULT_FOLDERS = List.of("/usr/local/lib", "/opt/homebrew/lib", "/usr/lib");
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 69;
    private static final Conventions DARWIN = new DarwinConventions();

    private final PosixFiles files = new PosixFiles(OPEN_FOR_READING, 0, "/dev/fd/");
    private final SystemSearch search = new SystemSearch(PATH_VARIABLE, DEFAULT_FOLDERS, null);

    static {
        // Loaded by name when this platform's backend is chosen: registers the one instance.
        NativeLoader.Holder.register(new MacLoader());
    }

    /** The backend; made once, when {@code NativeLoader.Holder} loads this class, and by tests. */
    public MacLoader() {
    }

    @Override
    public Conventions conventions() {
        return DARWIN;
    }

    @Override
    public OpenFile openFile(Path file) throws IOException {
        return files.open(file);
    }

    @Override
    public OpenFile memoryFile(Path file, InputStream content) {
        throw new UnsupportedOperationException("sealed memory files need Linux's memfd_create, which macOS lacks");
    }

    @Override
    public Opened load(OpenFile file, LoadFlags flags, BooleanSupplier checkIfNew) {
        int bits = Dlfcn.bits(flags, RTLD_LAZY, RTLD_NOW, RTLD_GLOBAL, RTLD_LOCAL, RTLD_NODELETE);
        String path = file.file().toString();
        // A file dyld has loaded already is returned as it is, its code run: not checked again.
        Opened loaded = Dlfcn.open(path, bits | RTLD_NOLOAD);
        if (loaded.ok()) {
            return loaded;
        }
        checkIfNew.getAsBoolean();
        return Dlfcn.open(path, bits);
    }

    @Override
    public Trial tryInChild(OpenFile file, boolean now, java.time.Duration limit, List<Path> libraryPath) {
        throw new UnsupportedOperationException("isolated loads need Linux's /proc/self/fd, which macOS lacks");
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
        return Dlfcn.close(opened.handle());
    }

    @Override
    public Optional<Path> pathOf(MemorySegment handle) {
        return Dlfcn.loadedName(handle).map(Path::of);
    }

    @Override
    public List<Path> systemFolders() {
        return DARWIN.systemFolders(PATH_VARIABLE, DEFAULT_FOLDERS);
    }

    @Override
    public Search search(String fileName, @Nullable Requester requester) {
        return search.search(fileName, requester);
    }

    @Override
    public void warmUp() {
        Libc.errno();
    }

    @Override
    public void warmUpChecks(boolean here) {
        // A Mach-O file is checked by NativeFile.verify before dyld sees it (Diagnosis); nothing to warm up.
    }

    @Override
    public long userId() {
        return PosixFiles.userId();
    }

    @Override
    public boolean forbidsExecution(Path folder) {
        return false;
    }

    @Override
    public boolean diskFull(String message) {
        return message.contains(Libc.strerror(ENOSPC)) || message.contains(Libc.strerror(EDQUOT));
    }
}
