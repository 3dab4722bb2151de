package dev.dynload.internal.linux;

import dev.dynload.internal.OpenFile;
import dev.dynload.internal.posix.Libc;
import dev.dynload.internal.posix.PosixFiles;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The names {@code /proc/self/fd/N} under which the Linux backend hands open files to {@code dlopen}, and
 * the descriptors behind them.
 *
 * <p>glibc remembers every name an object was opened by and matches later {@code dlopen} calls against
 * those names before it looks at any file. A name {@code /proc/self/fd/N} therefore stays bound to the
 * object it first loaded: if descriptor N were closed and reused for another file while that object is
 * still loaded, {@code dlopen("/proc/self/fd/N")} would return the old library. So each file (device and
 * inode) gets one descriptor, kept open for as long as the loader may hold an object opened by its name:
 * released when the last {@code Library} using it is closed and the loader confirms, with
 * {@code RTLD_NOLOAD}, that the object is gone. Objects that stay loaded (the C library, a library opened
 * {@code NODELETE}, one another library needs) keep their descriptor, one per file.
 *
 * <p>Thread-safe: every change and every probe runs under this object's lock, so that a name is never
 * closed while another thread is about to load by it.
 */
final class DescriptorNames {

    /** A file's descriptor, its name, and how many open libraries use it. */
    static final class Name {
        private final Object key;
        private final int fd;
        private final String path;
        private int users;
        /** Whether a release is asking the loader about it, outside the lock: nobody else closes it meanwhile. */
        private boolean probing;

        private Name(Object key, int fd, String path) {
            this.key = key;
            this.fd = fd;
            this.path = path;
        }

        /** {@return the name to hand to dlopen} */
        String path() {
            return path;
        }
    }

    /** fcntl's F_DUPFD_CLOEXEC: a duplicate descriptor that children do not inherit. */
    private static final int F_DUPFD_CLOEXEC = 1030;

    private final String folder;
    /** RTLD_LAZY | RTLD_NOLOAD: find an object only if it is loaded already. */
    private final int probe;
    private final Map<Object, Name> names = new HashMap<>();

    DescriptorNames(String folder, int probe) {
        this.folder = folder;
        this.probe = probe;
    }

    /**
     * The name to load {@code file} by, counted as used until {@link #release}. A file without a name yet
     * gets a descriptor of its own, a duplicate of the caller's, which stays the caller's to read and close.
     *
     * @throws IllegalStateException if no descriptor can be had (the process has too many open)
     */
    synchronized Name acquire(OpenFile file) {
        Name name = names.get(file.key());
        if (name == null) {
            int fd = Libc.asInt(Libc.call(Libc.FCNTL, Libc.word(file.fd()), Libc.word(F_DUPFD_CLOEXEC), Libc.word(0)));
            if (fd < 0) {
                throw new IllegalStateException("cannot load " + file.file() + ": no file descriptor left for it ("
                        + Libc.strerror(Libc.errno()) + ")");
            }
            name = new Name(file.key(), fd, folder + fd);
            names.put(file.key(), name);
        }
        name.users++;
        return name;
    }

    /**
     * Stops counting one use of {@code name}; closes the descriptors of files the loader no longer holds.
     * Called after {@code dlclose}, or after a load that failed. The loader is asked outside this object's
     * lock: a library's initializer, running inside {@code dlopen} under the loader's own lock, may call back
     * into Java and open a library, which takes this lock; holding it while waiting for the loader's would
     * deadlock the two threads.
     */
    void release(Name name) {
        List<Name> candidates = new ArrayList<>();
        synchronized (this) {
            name.users--;
            for (Name n : names.values()) {
                if (n.users == 0 && !n.probing) {
                    n.probing = true;
                    candidates.add(n);
                }
            }
        }
        List<Name> gone = new ArrayList<>();
        try {
            for (Name n : candidates) {
                if (!stillLoaded(n)) {
                    gone.add(n);
                }
            }
        } finally {
            synchronized (this) {
                for (Name n : candidates) {
                    n.probing = false;
                }
                for (Name n : gone) {
                    if (n.users == 0 && names.get(n.key) == n) { // not taken again while the loader was asked
                        names.remove(n.key);
                        PosixFiles.close(n.fd);
                    }
                }
            }
        }
    }

    /** Asks the loader, without loading anything, whether an object opened by this name is still there. */
    private boolean stillLoaded(Name name) {
        MemorySegment handle;
        try (Arena arena = Arena.ofConfined()) {
            handle = Libc.call(Libc.DLOPEN, Libc.cString(arena, name.path), Libc.word(probe));
        }
        if (handle.address() == 0) {
            // A failed probe leaves an error pending on this thread; clear it so that no later dlerror
            // reports it.
            Libc.call(Libc.DLERROR, MemorySegment.NULL, MemorySegment.NULL);
            return false;
        }
        Libc.call(Libc.DLCLOSE, handle, MemorySegment.NULL); // the probe's own reference
        return true;
    }
}
