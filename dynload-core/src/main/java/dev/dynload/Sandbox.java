package dev.dynload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Limits and a sandbox for native code run in a process of its own ({@link IsolatedLibrary}, and isolated
 * plugins): its memory, CPU time and open files, and, where the kernel offers it, no network, no
 * {@code exec} and no writes outside given folders. They hold from before the library's first
 * instruction (its constructors) and bind every thread of its process. Immutable: each method returns a
 * new sandbox.
 *
 * {@snippet lang=c :
 * int32_t phone_home(void) {                         // in the untrusted library
 *     return socket(AF_INET, SOCK_STREAM, 0) < 0 ? -errno : 0;
 * }
 * }
 * {@snippet :
 * Sandbox box = Sandbox.confined().memory(256L << 20).cpuTime(Duration.ofMinutes(1));
 * try (IsolatedLibrary lib = IsolatedLibrary.open(path, Duration.ofSeconds(5), null, box)) {
 *     lib.call("phone_home", int.class, List.of());  // -1 (EPERM), and "the sandbox denied socket" is reported
 * }
 * }
 *
 * <ul>
 * <li>{@link #memory}: the process's address space ({@code RLIMIT_AS}); past it, {@code malloc} gives
 *     NULL and {@code mmap} fails. Its 16 threads' stacks (8 MiB each) and the shared memory of its calls
 *     (about 32 MiB) count: allow 200 MB or more, beyond what the library needs.</li>
 * <li>{@link #cpuTime}: CPU seconds ({@code RLIMIT_CPU}); past them the process ends with
 *     {@code SIGXCPU}, a crash like any other.</li>
 * <li>{@link #openFiles}: descriptors ({@code RLIMIT_NOFILE}).</li>
 * <li>{@link #noNetwork}: a seccomp filter refuses {@code socket} for every family but {@code AF_UNIX},
 *     and {@code io_uring_setup}.</li>
 * <li>{@link #noExec}: a seccomp filter refuses {@code execve} and {@code execveat}.</li>
 * <li>{@link #writableOnly}: Landlock (Linux 5.13 or later) refuses, with {@code EACCES}, writing,
 *     creating, removing, renaming and truncating files outside the folders given; reading is not
 *     limited. A kernel without Landlock makes the process refuse to start, saying so, rather than run
 *     unconfined.</li>
 * </ul>
 * A call the seccomp filter refuses fails with {@code EPERM}, and the process reports it (to the output
 * consumer, or the plugin host's logger) naming the system call: a denial is never a silent crash.
 * Landlock's refusals are not reported. Any sandbox sets {@code no_new_privs}. Linux only.
 */
public final class Sandbox {

    private static final Sandbox NONE = new Sandbox(-1, -1, -1, false, false, null);

    private final long memory;
    private final long cpuSeconds;
    private final int openFiles;
    private final boolean noNetwork;
    private final boolean noExec;
    private final List<Path> writable;

    private Sandbox(long memory, long cpuSeconds, int openFiles, boolean noNetwork, boolean noExec,
                    List<Path> writable) {
        this.memory = memory;
        this.cpuSeconds = cpuSeconds;
        this.openFiles = openFiles;
        this.noNetwork = noNetwork;
        this.noExec = noExec;
        this.writable = writable;
    }

    /** {@return no limits and no sandbox: the process may do what the JVM's user may} */
    public static Sandbox none() {
        return NONE;
    }

    /** {@return the preset for code not trusted at all: no network, no {@code exec}, no writes anywhere} */
    public static Sandbox confined() {
        return NONE.noNetwork().noExec().writableOnly();
    }

    /**
     * {@return this sandbox with the process's address space limited to {@code bytes}}
     *
     * @param bytes at least 16 MiB
     */
    public Sandbox memory(long bytes) {
        if (bytes < (16L << 20)) {
            throw new IllegalArgumentException("a memory limit of " + bytes + " bytes leaves the process no room to "
                    + "start; give at least 16 MiB, and 200 MB or more for its threads' stacks and its calls' shared "
                    + "memory");
        }
        return new Sandbox(bytes, cpuSeconds, openFiles, noNetwork, noExec, writable);
    }

    /**
     * {@return this sandbox with the process's CPU time limited, in whole seconds (at least one)}
     *
     * @param time the CPU time
     */
    public Sandbox cpuTime(Duration time) {
        long seconds = Math.max(1, (time.toMillis() + 999) / 1000);
        if (time.isNegative() || time.isZero()) {
            throw new IllegalArgumentException("a CPU time limit must be positive, not " + time);
        }
        return new Sandbox(memory, seconds, openFiles, noNetwork, noExec, writable);
    }

    /**
     * {@return this sandbox with the process's open descriptors limited to {@code count}}
     *
     * @param count at least 32: the runner holds some of its own
     */
    public Sandbox openFiles(int count) {
        if (count < 32) {
            throw new IllegalArgumentException("an open-files limit of " + count + " leaves the runner too few of its "
                    + "own; give at least 32");
        }
        return new Sandbox(memory, cpuSeconds, count, noNetwork, noExec, writable);
    }

    /** {@return this sandbox without network: only {@code AF_UNIX} sockets} */
    public Sandbox noNetwork() {
        return new Sandbox(memory, cpuSeconds, openFiles, true, noExec, writable);
    }

    /** {@return this sandbox without {@code execve}} */
    public Sandbox noExec() {
        return new Sandbox(memory, cpuSeconds, openFiles, noNetwork, true, writable);
    }

    /**
     * {@return this sandbox with writes allowed beneath {@code folders} only (none: nowhere)}
     *
     * @param folders existing folders
     */
    public Sandbox writableOnly(Path... folders) {
        List<Path> list = new ArrayList<>();
        for (Path f : folders) {
            list.add(Objects.requireNonNull(f, "folder").toAbsolutePath().normalize());
        }
        return new Sandbox(memory, cpuSeconds, openFiles, noNetwork, noExec, List.copyOf(list));
    }

    /** {@return the address-space limit in bytes, if any} */
    public OptionalLong memory() {
        return memory < 0 ? OptionalLong.empty() : OptionalLong.of(memory);
    }

    /** {@return the CPU-time limit in seconds, if any} */
    public OptionalLong cpuSeconds() {
        return cpuSeconds < 0 ? OptionalLong.empty() : OptionalLong.of(cpuSeconds);
    }

    /** {@return the open-files limit, if any} */
    public OptionalInt openFiles() {
        return openFiles < 0 ? OptionalInt.empty() : OptionalInt.of(openFiles);
    }

    /** {@return whether the network is refused} */
    public boolean deniesNetwork() {
        return noNetwork;
    }

    /** {@return whether {@code exec} is refused} */
    public boolean deniesExec() {
        return noExec;
    }

    /** {@return the folders writes are limited to, when they are (an empty list: nowhere)} */
    public Optional<List<Path>> writableFolders() {
        return Optional.ofNullable(writable);
    }

    /** The runner's options for this sandbox (dynload_runner.c's sandbox.c reads them). */
    List<String> runnerArguments() {
        List<String> a = new ArrayList<>();
        if (memory >= 0) {
            a.add("--memory");
            a.add(Long.toString(memory));
        }
        if (cpuSeconds >= 0) {
            a.add("--cpu");
            a.add(Long.toString(cpuSeconds));
        }
        if (openFiles >= 0) {
            a.add("--files");
            a.add(Integer.toString(openFiles));
        }
        if (noNetwork) {
            a.add("--deny");
            a.add("net");
        }
        if (noExec) {
            a.add("--deny");
            a.add("exec");
        }
        if (writable != null) {
            if (writable.isEmpty()) {
                a.add("--write");
                a.add("");
            }
            for (Path p : writable) {
                a.add("--write");
                a.add(p.toString());
            }
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sandbox s && s.memory == memory && s.cpuSeconds == cpuSeconds && s.openFiles == openFiles
                && s.noNetwork == noNetwork && s.noExec == noExec && Objects.equals(s.writable, writable);
    }

    @Override
    public int hashCode() {
        return Objects.hash(memory, cpuSeconds, openFiles, noNetwork, noExec, writable);
    }

    /** {@return what it limits, as "memory 268435456 bytes, no network" or "none"} */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (memory >= 0) {
            parts.add("memory " + memory + " bytes");
        }
        if (cpuSeconds >= 0) {
            parts.add("CPU " + cpuSeconds + " s");
        }
        if (openFiles >= 0) {
            parts.add(openFiles + " open files");
        }
        if (noNetwork) {
            parts.add("no network");
        }
        if (noExec) {
            parts.add("no exec");
        }
        if (writable != null) {
            parts.add(writable.isEmpty() ? "no writes" : "writes only in " + writable);
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }
}
