package dev.dynload.internal.windows;

import org.jspecify.annotations.Nullable;

import dev.dynload.internal.Conventions;
import dev.dynload.internal.LoadFlags;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The Windows backend: {@code LoadLibraryExW} with {@code LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR |
 * LOAD_LIBRARY_SEARCH_DEFAULT_DIRS} (the DLL's dependencies are found in its own folder, the
 * application's, {@code System32} and the folders {@code AddDllDirectory} added, never in the working
 * directory or {@code PATH}), {@code GetProcAddress}, {@code FreeLibrary}; the thread's error mode set
 * so that a missing DLL never opens a dialog box; failures in the system's words
 * ({@code GetLastError} and {@code FormatMessageW}).
 *
 * <p>Windows has no lazy or global binding to ask for ({@link LoadFlags#lazy()} and
 * {@link LoadFlags#global()} change nothing); {@link LoadFlags#noDelete()} pins the module. What Linux
 * alone can do is refused by name: sealed memory files and isolated loads.
 *
 * <p>Written from Microsoft's documentation; it has not run on Windows (README, Platforms).
 */
public final class WindowsLoader implements NativeLoader {

    private static final int ERROR_DISK_FULL = 112;
    private static final int ERROR_HANDLE_DISK_FULL = 39;
    private static final Conventions WINDOWS = new WindowsConventions();

    static {
        // Loaded by name when this platform's backend is chosen: registers the one instance.
        NativeLoader.Holder.register(new WindowsLoader());
    }

    /** The backend; made once, when {@code NativeLoader.Holder} loads this class, and by tests. */
    public WindowsLoader() {
    }

    @Override
    public Conventions conventions() {
        return WINDOWS;
    }

    /**
     * Opens a file to check and load it. Windows opens no FIFO by a file path, so a file is read by its
     * path; no descriptor is held.
     */
    @Override
    public OpenFile openFile(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        BasicFileAttributes a = Files.readAttributes(absolute, BasicFileAttributes.class);
        OpenFile.Kind kind = a.isRegularFile() ? OpenFile.Kind.REGULAR
                : a.isDirectory() ? OpenFile.Kind.DIRECTORY : OpenFile.Kind.OTHER;
        Object key = a.fileKey() != null ? a.fileKey() : absolute.toString().toLowerCase(java.util.Locale.ROOT);
        return new OpenFile(absolute, absolute, kind, a.size(), key, false, -1, fd -> { });
    }

    @Override
    public OpenFile memoryFile(Path file, InputStream content) {
        throw new UnsupportedOperationException("sealed memory files need Linux's memfd_create, which Windows lacks");
    }

    @Override
    public Opened load(OpenFile file, LoadFlags flags, BooleanSupplier checkIfNew) {
        String path = file.file().toString();
        Opened loaded = loadedByName(path);
        if (loaded.ok()) {
            return loaded; // loaded already: its code has run, and it is not checked again
        }
        checkIfNew.getAsBoolean();
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> cookies = new ArrayList<>();
            MemorySegment oldMode = arena.allocate(JAVA_INT);
            int set = (int) Kernel32.SET_THREAD_ERROR_MODE.invokeExact(
                    Kernel32.SEM_FAILCRITICALERRORS | Kernel32.SEM_NOOPENFILEERRORBOX, oldMode);
            try {
                for (Path folder : flags.dependencyFolders()) {
                    MemorySegment state = Kernel32.state(arena);
                    MemorySegment cookie = (MemorySegment) Kernel32.ADD_DLL_DIRECTORY.invokeExact(state,
                            Kernel32.wide(arena, folder.toAbsolutePath().toString()));
                    if (cookie.address() != 0) {
                        cookies.add(cookie);
                    }
                }
                MemorySegment state = Kernel32.state(arena);
                MemorySegment handle = (MemorySegment) Kernel32.LOAD_LIBRARY_EX_W.invokeExact(state,
                        Kernel32.wide(arena, path), MemorySegment.NULL,
                        Kernel32.LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | Kernel32.LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
                if (handle.address() == 0) {
                    return new Opened(MemorySegment.NULL, path + ": " + Kernel32.message(Kernel32.lastError(state)), null);
                }
                if (flags.noDelete()) {
                    MemorySegment pinned = arena.allocate(ADDRESS);
                    int ok = (int) Kernel32.GET_MODULE_HANDLE_EX_W.invokeExact(Kernel32.state(arena),
                            Kernel32.GET_MODULE_HANDLE_EX_FLAG_PIN, Kernel32.wide(arena, path), pinned);
                }
                return new Opened(handle, null, null);
            } finally {
                for (MemorySegment cookie : cookies) {
                    int removed = (int) Kernel32.REMOVE_DLL_DIRECTORY.invokeExact(cookie);
                }
                if (set != 0) {
                    int restored = (int) Kernel32.SET_THREAD_ERROR_MODE.invokeExact(oldMode.get(JAVA_INT, 0), MemorySegment.NULL);
                }
            }
        } catch (Throwable t) {
            throw Kernel32.rethrow(t);
        }
    }

    @Override
    public Trial tryInChild(OpenFile file, boolean now, java.time.Duration limit, List<Path> libraryPath) {
        throw new UnsupportedOperationException("isolated loads need Linux's /proc/self/fd, which Windows lacks");
    }

    /**
     * The program's own module. Windows has no process-wide symbol scope: lookups see what the program
     * itself exports, not the C runtime's or the JVM's symbols.
     */
    @Override
    public Opened openProcess() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment state = Kernel32.state(arena);
            int ok = (int) Kernel32.GET_MODULE_HANDLE_EX_W.invokeExact(state, 0, MemorySegment.NULL, out);
            return ok == 0 ? new Opened(MemorySegment.NULL, Kernel32.message(Kernel32.lastError(state)), null)
                    : new Opened(out.get(ADDRESS, 0), null, null);
        } catch (Throwable t) {
            throw Kernel32.rethrow(t);
        }
    }

    /** A module the process has loaded, by name or path, with a reference of its own (FreeLibrary drops it). */
    @Override
    public Opened loadedByName(String fileName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment state = Kernel32.state(arena);
            int ok = (int) Kernel32.GET_MODULE_HANDLE_EX_W.invokeExact(state, 0, Kernel32.wide(arena, fileName), out);
            return ok == 0 ? new Opened(MemorySegment.NULL, Kernel32.message(Kernel32.lastError(state)), null)
                    : new Opened(out.get(ADDRESS, 0), null, null);
        } catch (Throwable t) {
            throw Kernel32.rethrow(t);
        }
    }

    @Override
    public MemorySegment find(MemorySegment handle, String symbol) {
        try (Arena arena = Arena.ofConfined()) {
            // GetProcAddress takes an ANSI name; export names are ASCII.
            MemorySegment name = arena.allocateFrom(symbol, StandardCharsets.ISO_8859_1);
            return (MemorySegment) Kernel32.GET_PROC_ADDRESS.invokeExact(handle, name);
        } catch (Throwable t) {
            throw Kernel32.rethrow(t);
        }
    }

    @Override
    public Optional<String> close(Opened opened) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Kernel32.state(arena);
            int ok = (int) Kernel32.FREE_LIBRARY.invokeExact(state, MemorySegment.ofAddress(opened.handle().address()));
            return ok != 0 ? Optional.empty() : Optional.of(Kernel32.message(Kernel32.lastError(state)));
        } catch (Throwable t) {
            throw Kernel32.rethrow(t);
        }
    }

    @Override
    public Optional<Path> pathOf(MemorySegment handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(2 * 32768L);
            int chars = (int) Kernel32.GET_MODULE_FILE_NAME_W.invokeExact(handle, buffer, 32768);
            return chars <= 0 ? Optional.empty() : Optional.of(Path.of(buffer.getString(0, StandardCharsets.UTF_16LE)));
        } catch (Throwable t) {
            throw Kernel32.rethrow(t);
        }
    }

    @Override
    public List<Path> systemFolders() {
        return WINDOWS.systemFolders("PATH", List.of());
    }

    /**
     * Where {@code LoadLibraryExW} with {@code LOAD_LIBRARY_SEARCH_DEFAULT_DIRS} looks for a DLL by name:
     * the application's folder (the JVM's), then {@code System32}.
     */
    @Override
    public Search search(String fileName, @Nullable Requester requester) {
        List<Path> candidates = new ArrayList<>();
        List<String> places = new ArrayList<>();
        Path java = Path.of(System.getProperty("java.home"), "bin");
        places.add(java + " (the application's folder)");
        candidates.add(java.resolve(fileName));
        String root = System.getenv("SystemRoot");
        if (root != null && !root.isBlank()) {
            Path system32 = Path.of(root, "System32");
            places.add(system32.toString());
            candidates.add(system32.resolve(fileName));
        }
        return new Search(candidates, places, Set.of());
    }

    @Override
    public void warmUp() {
        Kernel32.message(0); // the linker and the kernel32 handles
    }

    @Override
    public void warmUpChecks(boolean here) {
        // A PE file is checked by NativeFile.verify before the loader sees it (Diagnosis); nothing to warm up.
    }

    @Override
    public long userId() {
        return -1;
    }

    @Override
    public boolean forbidsExecution(Path folder) {
        return false;
    }

    @Override
    public boolean diskFull(String message) {
        return message.contains(Kernel32.message(ERROR_DISK_FULL).replaceAll(" \\(error \\d+\\)$", ""))
                || message.contains(Kernel32.message(ERROR_HANDLE_DISK_FULL).replaceAll(" \\(error \\d+\\)$", ""));
    }
}
