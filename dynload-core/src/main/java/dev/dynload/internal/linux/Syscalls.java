package dev.dynload.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The Linux calls an isolated library's host makes: futexes on shared memory, process descriptors
 * ({@code pidfd_open}, {@code pidfd_send_signal}, {@code waitid(P_PIDFD)}), {@code poll}, and
 * {@code posix_spawn} with its file actions. Each captures {@code errno} where it can fail.
 */
final class Syscalls {

    private Syscalls() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final long ERRNO_OFFSET = Linker.Option.captureStateLayout()
            .byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    /** The syscall numbers that differ between the two CPUs dynload runs isolated libraries on. */
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    static final long SYS_FUTEX = AARCH64 ? 98 : 202;
    static final long SYS_WAITID = AARCH64 ? 95 : 247;
    static final long SYS_PIDFD_SEND_SIGNAL = 424;
    static final long SYS_PIDFD_OPEN = 434;

    static final int FUTEX_WAIT = 0;
    static final int FUTEX_WAKE = 1;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int P_PIDFD = 3;
    static final int WEXITED = 4;
    static final int SIGKILL = 9;
    static final short POLLIN = 1;

    /** long syscall(long number, ...), with six long arguments. */
    static final MethodHandle SYSCALL6 = LINKER.downcallHandle(LIBC.findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), ERRNO);
    static final MethodHandle POLL = LINKER.downcallHandle(LIBC.findOrThrow("poll"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    static final MethodHandle CLOSE = LINKER.downcallHandle(LIBC.findOrThrow("close"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle FTRUNCATE = LINKER.downcallHandle(LIBC.findOrThrow("ftruncate"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
    static final MethodHandle MEMFD_CREATE = LINKER.downcallHandle(LIBC.findOrThrow("memfd_create"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    static final MethodHandle MMAP = LINKER.downcallHandle(LIBC.findOrThrow("mmap"),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
    static final MethodHandle MUNMAP = LINKER.downcallHandle(LIBC.findOrThrow("munmap"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    static final MethodHandle SPAWN = LINKER.downcallHandle(LIBC.findOrThrow("posix_spawn"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle ACTIONS_INIT = LINKER.downcallHandle(LIBC.findOrThrow("posix_spawn_file_actions_init"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle ACTIONS_DUP2 = LINKER.downcallHandle(LIBC.findOrThrow("posix_spawn_file_actions_adddup2"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle ACTIONS_OPEN = LINKER.downcallHandle(LIBC.findOrThrow("posix_spawn_file_actions_addopen"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle PIPE2 = LINKER.downcallHandle(LIBC.findOrThrow("pipe2"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    static final MethodHandle READ = LINKER.downcallHandle(LIBC.findOrThrow("read"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    /** int fcntl(int, int, int): for F_DUPFD_CLOEXEC and F_GETFL/F_SETFL. */
    static final MethodHandle FCNTL = LINKER.downcallHandle(LIBC.findOrThrow("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int O_NONBLOCK = 0x800;
    static final MethodHandle KILL = LINKER.downcallHandle(LIBC.findOrThrow("kill"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle WAITPID = LINKER.downcallHandle(LIBC.findOrThrow("waitpid"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle ACTIONS_DESTROY = LINKER.downcallHandle(
            LIBC.findOrThrow("posix_spawn_file_actions_destroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle ATTR_INIT = LINKER.downcallHandle(LIBC.findOrThrow("posix_spawnattr_init"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle ATTR_SETFLAGS = LINKER.downcallHandle(LIBC.findOrThrow("posix_spawnattr_setflags"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    static final MethodHandle ATTR_SETSIGMASK = LINKER.downcallHandle(LIBC.findOrThrow("posix_spawnattr_setsigmask"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle ATTR_SETSIGDEFAULT = LINKER.downcallHandle(
            LIBC.findOrThrow("posix_spawnattr_setsigdefault"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle ATTR_DESTROY = LINKER.downcallHandle(LIBC.findOrThrow("posix_spawnattr_destroy"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle SIGEMPTYSET = LINKER.downcallHandle(LIBC.findOrThrow("sigemptyset"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle SIGFILLSET = LINKER.downcallHandle(LIBC.findOrThrow("sigfillset"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** The process's environment, {@code char **environ}, handed to the runner as it is. */
    static final MemorySegment ENVIRON = LIBC.findOrThrow("environ").reinterpret(ADDRESS.byteSize());
    /** posix_spawn's POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK. */
    static final short SPAWN_FLAGS = 0x04 | 0x08;

    /** {@return errno as the last call through a handle with {@link #ERRNO} left it in {@code state}} */
    static int errno(MemorySegment state) {
        return state.get(JAVA_INT, ERRNO_OFFSET);
    }

    /** A fresh call state for one call that captures errno. */
    static MemorySegment state(Arena arena) {
        return arena.allocate(Linker.Option.captureStateLayout());
    }

    /** Closes a descriptor, ignoring what close says. */
    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
