package dev.dynload.internal.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The functions of {@code kernel32.dll} the Windows backend calls, each with the thread's
 * {@code GetLastError} captured by the call itself ({@link Linker.Option#captureCallState}), so that no
 * other call of the JVM can replace it before it is read, on a virtual thread too.
 *
 * <p>Signatures from Microsoft's documentation of {@code libloaderapi.h}, {@code errhandlingapi.h} and
 * {@code winbase.h}; {@code DWORD} and {@code BOOL} are 32-bit {@code int}s, handles pointers.
 */
final class Kernel32 {

    static final int LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR = 0x00000100;
    static final int LOAD_LIBRARY_SEARCH_DEFAULT_DIRS = 0x00001000;
    static final int SEM_FAILCRITICALERRORS = 0x0001;
    static final int SEM_NOOPENFILEERRORBOX = 0x8000;
    static final int GET_MODULE_HANDLE_EX_FLAG_PIN = 0x1;
    static final int FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
    static final int FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup KERNEL32 = SymbolLookup.libraryLookup("kernel32.dll", Arena.global());
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle LAST_ERROR = STATE.varHandle(MemoryLayout.PathElement.groupElement("GetLastError"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("GetLastError");

    static final MethodHandle LOAD_LIBRARY_EX_W = handle("LoadLibraryExW", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle GET_PROC_ADDRESS = plain("GetProcAddress", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle FREE_LIBRARY = handle("FreeLibrary", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle SET_THREAD_ERROR_MODE = plain("SetThreadErrorMode", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle ADD_DLL_DIRECTORY = handle("AddDllDirectory", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle REMOVE_DLL_DIRECTORY = plain("RemoveDllDirectory", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle GET_MODULE_HANDLE_EX_W = handle("GetModuleHandleExW", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle GET_MODULE_FILE_NAME_W = plain("GetModuleFileNameW", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle FORMAT_MESSAGE_W = plain("FormatMessageW",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));

    private Kernel32() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(KERNEL32.find(name).orElseThrow(), descriptor, CAPTURE);
    }

    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(KERNEL32.find(name).orElseThrow(), descriptor);
    }

    /** {@return room for one call's captured {@code GetLastError}} */
    static MemorySegment state(Arena arena) {
        return arena.allocate(STATE);
    }

    /** {@return the {@code GetLastError} a call captured in {@code state}} */
    static int lastError(MemorySegment state) {
        return (int) LAST_ERROR.get(state, 0L);
    }

    /** {@return a NUL-terminated UTF-16 copy of {@code s}, as the {@code W} functions take} */
    static MemorySegment wide(Arena arena, String s) {
        return arena.allocateFrom(s, StandardCharsets.UTF_16LE);
    }

    /** {@return the system's words for an error code, such as "The specified module could not be found."} */
    static String message(int error) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(2048);
            int chars = (int) FORMAT_MESSAGE_W.invokeExact(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                    MemorySegment.NULL, error, 0, buffer, 1024, MemorySegment.NULL);
            String text = chars <= 0 ? "" : buffer.getString(0, StandardCharsets.UTF_16LE).strip();
            return (text.isEmpty() ? "error" : text) + " (error " + error + ")";
        } catch (Throwable t) {
            return "error " + error;
        }
    }

    /** An unexpected throwable from a downcall, rethrown unchecked. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("kernel32 call failed", t);
    }
}
