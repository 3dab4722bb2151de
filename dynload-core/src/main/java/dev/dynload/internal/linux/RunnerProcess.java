package dev.dynload.internal.linux;

import dev.dynload.internal.OpenFile;
import dev.dynload.internal.posix.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import org.jspecify.annotations.Nullable;

/**
 * One runner process: started with {@code posix_spawn} from a thread that lives as long as the JVM (the
 * runner's {@code PR_SET_PDEATHSIG} follows the thread that started it), known only through a process
 * descriptor from then on ({@code pidfd_open}: a signal never reaches a process that reused the PID), and
 * watched by a daemon thread that reaps it when it ends and says how.
 */
public final class RunnerProcess {

    /** How a runner ended. */
    public record Exit(boolean signalled, int code) {
        /** {@return "signal 11 (SIGSEGV)" or "exit status 42"} */
        public String describe() {
            return signalled ? "signal " + code + signalName(code) : "exit status " + code;
        }

        private static String signalName(int signal) {
            return switch (signal) {
                case 4 -> " (SIGILL)";
                case 6 -> " (SIGABRT)";
                case 7 -> " (SIGBUS)";
                case 8 -> " (SIGFPE)";
                case 9 -> " (SIGKILL)";
                case 11 -> " (SIGSEGV)";
                case 15 -> " (SIGTERM)";
                case 31 -> " (SIGSYS)";
                default -> "";
            };
        }
    }

    /** Starts every runner, so that each runner's parent thread outlives it. */
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dynload-runner-spawner");
        t.setDaemon(true);
        return t;
    });

    private final long pid;
    private final int pidfd;
    private final Thread monitor;
    /** The threads reading its pipes; each ends once its pipe has, or the runner has and its pipe is drained. */
    private final List<Thread> readers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CompletableFuture<Exit> exit = new CompletableFuture<>();

    private RunnerProcess(long pid, int pidfd, Consumer<Exit> onExit) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.monitor = new Thread(() -> watch(onExit), "dynload-runner-" + pid);
        this.monitor.setDaemon(true);
    }

    /**
     * Starts the runner in {@code runner} (an executable memory file) with {@code descriptors} as its
     * descriptors 3, 4 and on (the channel's among them, as dynload_runner.c expects it), and {@code arguments}
     * after the host's process id and the channel's version.
     *
     * @param onExit called once, on the monitor thread, when the runner has ended and been reaped
     */
    public static RunnerProcess start(OpenFile runner, int[] descriptors, List<String> arguments, Consumer<Exit> onExit,
                                      @Nullable Consumer<String> output, List<Path> libraryPath) throws IOException {
        int[] pipe = output == null ? null : pipe();
        try {
            RunnerProcess p = start(runner, descriptors, arguments, onExit, pipe == null ? -1 : pipe[1], libraryPath);
            if (pipe != null) {
                p.read(pipe[0], new PipeReader.Lines(output), "dynload-runner-output-" + p.pid);
            }
            return p;
        } catch (IOException | RuntimeException e) {
            if (pipe != null) {
                Syscalls.close(pipe[0]);
            }
            throw e;
        } finally {
            if (pipe != null) {
                Syscalls.close(pipe[1]); // the runner has its copy: its end is the pipe's end
            }
        }
    }

    /** A pipe, both ends close-on-exec (the runner gets the write end as its stdout and stderr, or its log). */
    static int[] pipe() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment state = Syscalls.state(arena);
            if ((int) Syscalls.PIPE2.invokeExact(state, fds, 0x80000) != 0) { // O_CLOEXEC
                throw new IOException("pipe2: " + Libc.strerror(Syscalls.errno(state)));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Reads the pipe {@code fd} on a daemon thread of its own into {@code sink}, which closes it at the end;
     * if no thread can be started, kills the runner, since what it writes would go nowhere, and leaves
     * {@code fd} to the caller.
     */
    void read(int fd, PipeReader.Sink sink, String threadName) {
        try {
            Thread reader = new Thread(() -> PipeReader.drain(fd, sink, exit), threadName);
            reader.setDaemon(true);
            readers.add(reader);
            reader.start();
        } catch (Throwable t) {
            kill();
            awaitEnd();
            throw t;
        }
    }

    private static RunnerProcess start(OpenFile runner, int[] descriptors, List<String> arguments,
                                       Consumer<Exit> onExit, int outputFd, List<Path> libraryPath) throws IOException {
        long[] started;
        java.util.concurrent.Future<long[]> spawned = SPAWNER.submit(() -> spawn(runner.fd(), descriptors, arguments,
                outputFd, libraryPath));
        boolean interrupted = false;
        for (;;) {
            try {
                started = spawned.get(); // not cut short by an interrupt: a runner started must be watched
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("the runner did not start: " + e.getCause(), e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        RunnerProcess p = new RunnerProcess(started[0], (int) started[1], onExit);
        p.monitor.start();
        return p;
    }

    private static long[] spawn(int runnerFd, int[] descriptors, List<String> arguments, int outputFd,
                                List<Path> libraryPath) throws IOException {
        // Each source above the descriptors the child's file actions write (0 to 2, then 3 on), so that none
        // is replaced before it is copied: the JVM's own descriptors may be anywhere.
        int floor = 3 + descriptors.length + 8;
        int[] high = new int[descriptors.length];
        java.util.Arrays.fill(high, -1);
        int runner = -1;
        int output = -1;
        try {
            runner = dupHigh(runnerFd, floor);
            output = outputFd < 0 ? -1 : dupHigh(outputFd, floor);
            for (int i = 0; i < descriptors.length; i++) {
                high[i] = dupHigh(descriptors[i], floor);
            }
            return spawnFrom(runner, high, arguments, output, libraryPath);
        } finally {
            Syscalls.close(runner);
            Syscalls.close(output);
            for (int fd : high) {
                Syscalls.close(fd);
            }
        }
    }

    private static int dupHigh(int fd, int floor) throws IOException {
        try {
            int copy = (int) Syscalls.FCNTL.invokeExact(fd, Syscalls.F_DUPFD_CLOEXEC, floor);
            if (copy < 0) {
                throw new IOException("fcntl(F_DUPFD_CLOEXEC) failed for descriptor " + fd);
            }
            return copy;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static long[] spawnFrom(int runnerFd, int[] descriptors, List<String> arguments, int outputFd,
                                    List<Path> libraryPath) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(512, 16);
            MemorySegment attributes = arena.allocate(1024, 16);
            MemorySegment empty = arena.allocate(256, 16);
            MemorySegment all = arena.allocate(256, 16);
            check((int) Syscalls.ACTIONS_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
            check((int) Syscalls.ATTR_INIT.invokeExact(attributes), "posix_spawnattr_init");
            try {
                for (int i = 0; i < descriptors.length; i++) {
                    check((int) Syscalls.ACTIONS_DUP2.invokeExact(actions, descriptors[i], 3 + i), "adddup2");
                }
                check((int) Syscalls.ACTIONS_OPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), 0, 0),
                        "addopen"); // nothing to read on stdin
                if (outputFd >= 0) {
                    check((int) Syscalls.ACTIONS_DUP2.invokeExact(actions, outputFd, 1), "adddup2");
                    check((int) Syscalls.ACTIONS_DUP2.invokeExact(actions, outputFd, 2), "adddup2");
                }
                int ignored = (int) Syscalls.SIGEMPTYSET.invokeExact(empty);
                ignored = (int) Syscalls.SIGFILLSET.invokeExact(all);
                check((int) Syscalls.ATTR_SETSIGMASK.invokeExact(attributes, empty), "setsigmask");
                check((int) Syscalls.ATTR_SETSIGDEFAULT.invokeExact(attributes, all), "setsigdefault");
                check((int) Syscalls.ATTR_SETFLAGS.invokeExact(attributes, Syscalls.SPAWN_FLAGS), "setflags");
                String path = "/proc/self/fd/" + runnerFd;
                MemorySegment argv = arena.allocate(ADDRESS, 4L + arguments.size());
                argv.setAtIndex(ADDRESS, 0, arena.allocateFrom(path));
                argv.setAtIndex(ADDRESS, 1, arena.allocateFrom(Long.toString(ProcessHandle.current().pid())));
                argv.setAtIndex(ADDRESS, 2, arena.allocateFrom(Integer.toString(Channel.VERSION)));
                for (int i = 0; i < arguments.size(); i++) {
                    argv.setAtIndex(ADDRESS, 3 + i, arena.allocateFrom(arguments.get(i)));
                }
                argv.setAtIndex(ADDRESS, 3L + arguments.size(), MemorySegment.NULL);
                MemorySegment pid = arena.allocate(JAVA_INT);
                MemorySegment environ = environment(arena, libraryPath);
                int rc = (int) Syscalls.SPAWN.invokeExact(pid, arena.allocateFrom(path), actions, attributes, argv,
                        environ);
                if (rc != 0) {
                    throw new IOException("posix_spawn of the runner failed: " + Libc.strerror(rc));
                }
                int child = pid.get(JAVA_INT, 0);
                MemorySegment state = Syscalls.state(arena);
                long pidfd = (long) Syscalls.SYSCALL6.invokeExact(state, Syscalls.SYS_PIDFD_OPEN, (long) child, 0L, 0L,
                        0L, 0L, 0L);
                if (pidfd < 0) {
                    // A kernel older than 5.3. The child is not reaped yet, so its PID cannot have been reused.
                    int errno = Syscalls.errno(state);
                    int killed = (int) Syscalls.KILL.invokeExact(child, Syscalls.SIGKILL);
                    killed = (int) Syscalls.WAITPID.invokeExact(child, MemorySegment.NULL, 0);
                    throw new IOException("pidfd_open of the runner failed: " + Libc.strerror(errno)
                            + "; isolation needs Linux 5.4 or later");
                }
                return new long[] {child, pidfd};
            } finally {
                int ignored = (int) Syscalls.ACTIONS_DESTROY.invokeExact(actions);
                ignored = (int) Syscalls.ATTR_DESTROY.invokeExact(attributes);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The runner's environment: this JVM's, with {@code libraryPath} first in {@code LD_LIBRARY_PATH}, where
     * the library's {@code $ORIGIN} run path points (loaded through {@code /proc/self/fd/3}, its own
     * {@code $ORIGIN} would be {@code /proc/self/fd}).
     */
    private static MemorySegment environment(Arena arena, List<Path> libraryPath) {
        if (libraryPath.isEmpty()) {
            return Syscalls.ENVIRON.get(ADDRESS, 0);
        }
        java.util.Map<String, String> env = new java.util.TreeMap<>(System.getenv());
        ChildTrial.prependLibraryPath(env, libraryPath);
        MemorySegment envp = arena.allocate(ADDRESS, env.size() + 1L);
        int i = 0;
        for (java.util.Map.Entry<String, String> e : env.entrySet()) {
            envp.setAtIndex(ADDRESS, i++, arena.allocateFrom(e.getKey() + "=" + e.getValue()));
        }
        envp.setAtIndex(ADDRESS, i, MemorySegment.NULL);
        return envp;
    }

    private static void check(int rc, String what) throws IOException {
        if (rc != 0) {
            throw new IOException(what + " failed: " + Libc.strerror(rc));
        }
    }

    /** Waits for the runner to end (poll on its pidfd), reaps it (waitid P_PIDFD), and says how it ended. */
    private void watch(Consumer<Exit> onExit) {
        Exit how;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment poll = arena.allocate(8);
            poll.set(JAVA_INT, 0, pidfd);
            poll.set(JAVA_SHORT, 4, Syscalls.POLLIN);
            MemorySegment state = Syscalls.state(arena);
            while ((int) Syscalls.POLL.invokeExact(state, poll, 1L, -1) < 0 && Syscalls.errno(state) == Syscalls.EINTR) {
                // a signal to this thread: wait on
            }
            MemorySegment info = arena.allocate(128);
            long rc;
            do {
                rc = (long) Syscalls.SYSCALL6.invokeExact(state, Syscalls.SYS_WAITID, (long) Syscalls.P_PIDFD,
                        (long) pidfd, info.address(), (long) Syscalls.WEXITED, 0L, 0L);
            } while (rc < 0 && Syscalls.errno(state) == Syscalls.EINTR);
            int code = info.get(JAVA_INT, 8);
            int status = info.get(JAVA_INT, 24);
            how = new Exit(code != 1, status); // CLD_EXITED is 1; CLD_KILLED 2, CLD_DUMPED 3
        } catch (Throwable t) {
            how = new Exit(true, 0);
        }
        onExit.accept(how); // before exit completes: whoever waits for the exit finds its effects done
        synchronized (this) { // kill() never signals through a descriptor closed here
            exit.complete(how);
            Syscalls.close(pidfd);
        }
    }

    /** {@return the runner's process id, for messages and tests; never used to signal it} */
    public long pid() {
        return pid;
    }

    /** Waits until the runner has been reaped and its monitor thread has finished. */
    public void awaitEnd() {
        exit.join();
        boolean interrupted = false;
        List<Thread> all = new java.util.ArrayList<>(readers);
        all.add(monitor);
        for (Thread t : all) {
            if (t == Thread.currentThread()) {
                continue; // a close from a reader's own consumer (a logger): it ends once it returns
            }
            for (;;) {
                try {
                    t.join(); // a reader ends within its poll's 100 ms once the runner is reaped
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return whether it has ended and been reaped} */
    public boolean ended() {
        return exit.isDone();
    }

    /** {@return how it ended, once it has} */
    public CompletableFuture<Exit> exit() {
        return exit;
    }

    /** Ends it with SIGKILL, through its process descriptor; does nothing once it has been reaped. */
    public void kill() {
        synchronized (this) {
            if (exit.isDone()) {
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                long ignored = (long) Syscalls.SYSCALL6.invokeExact(Syscalls.state(arena),
                        Syscalls.SYS_PIDFD_SEND_SIGNAL, (long) pidfd, (long) Syscalls.SIGKILL, 0L, 0L, 0L, 0L);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }
    }
}
