package dev.dynload.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;


/**
 * The per-user folder where bundled libraries are written when they cannot be loaded from memory (not
 * Linux, or a kernel that refuses executable memory files).
 *
 * <p>Safe by construction, against the failures of shared temporary folders:
 * <ul>
 * <li>one folder per user ({@code $XDG_CACHE_HOME/dynload}, {@code ~/.cache/dynload}, or on macOS
 *     {@code ~/Library/Caches/dynload}; the {@value #PROPERTY} system property or the
 *     {@value #ENVIRONMENT} environment variable overrides it), created with mode 0700, and refused when
 *     another user owns it, others may write it, or it is a symbolic link;</li>
 * <li>a bundle's files for one platform go into a folder named by their content (a SHA-256 over their
 *     names and hashes), so that different contents never share a name;</li>
 * <li>a file is written under a new name that cannot exist before ({@code O_CREAT|O_EXCL}, which never
 *     follows a planted link), flushed to disk, renamed over the final name (which replaces whatever was
 *     planted there rather than writing through it), then opened and its hash checked again through the
 *     descriptor that loads it;</li>
 * <li>JVMs writing the same folder at once take turns on a file lock; every JVM that loads from a folder
 *     holds a shared lock on another file of it for as long as it runs, and only a folder unused for
 *     {@value #STALE_DAYS} days, whose exclusive lock can be had, is swept.</li>
 * </ul>
 */
public final class NativeCache {

    /** The system property naming the cache folder. */
    public static final String PROPERTY = "dynload.cache";
    /** The environment variable naming the cache folder, when the property is not set. */
    public static final String ENVIRONMENT = "DYNLOAD_CACHE";
    /** Folders not used for this many days are removed by the next JVM that uses the cache. */
    public static final int STALE_DAYS = 30;

    /** File locks belong to the whole JVM: its threads take turns on the writing lock through this. */
    private static final Object WRITERS = new Object();
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private NativeCache() {
    }

    /** Where else the cache can go: for the hints. */
    private static final String ELSEWHERE = "-D" + PROPERTY + " (or $" + ENVIRONMENT + ")";
    private static final String REMOVE = "remove it, or point " + ELSEWHERE + " at a folder only you own and may write";

    /** One file to put into the cache. */
    public interface Source {
        /** {@return the file's name} */
        String name();

        /** {@return its SHA-256 in lower-case hex} */
        String sha256();

        /** {@return its bytes, from the start} */
        InputStream open() throws IOException;
    }

    /** {@return the cache folder this process uses, from the property, the environment or the platform} */
    public static Path root() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENVIRONMENT);
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return NativeLoader.current().conventions().cacheFolder(System.getProperty("user.home"));
    }

    /**
     * Puts {@code files} into the cache folder {@code root}, in a folder named by {@code digest}, unless
     * regular files of their names are there already, and returns that folder. The caller opens each file,
     * checks its hash through the descriptor it loads, and {@link #rewrite}s one that fails.
     *
     * @throws UnsafeCacheException if the cache folder may not be used
     * @throws IOException if writing fails (a full disk says so in its message)
     */
    public static Path store(Path root, String digest, List<? extends Source> files) throws IOException {
        refuseMissingHome(root);
        ensurePrivateFolder(root, true);
        refuseNoexec(root);
        Path folder = root.resolve(digest);
        for (int attempt = 1; ; attempt++) {
            try {
                fill(folder, files);
                break;
            } catch (java.nio.file.NoSuchFileException swept) {
                CacheLocks.release(folder);
                if (attempt == 3) {
                    throw swept; // removed under us again and again: say so
                }
                // another JVM's sweep removed the folder just as this one came to use it: make it again
            } catch (IOException | RuntimeException failed) {
                CacheLocks.release(folder); // this JVM will not use a folder it could not fill
                throw failed;
            }
        }
        CacheLocks.sweepOnce(root, folder, STALE_DAYS, REMOVE);
        return folder;
    }

    /**
     * Makes {@code folder}, takes this JVM's shared in-use lock on it first (so that no sweep removes what is
     * being written), then writes what is missing under the writing lock.
     */
    private static void fill(Path folder, List<? extends Source> files) throws IOException {
        try {
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PRIVATE));
        } catch (FileAlreadyExistsException exists) {
            // another JVM made it, or an earlier run: checked below like any other
        }
        ensurePrivateFolder(folder, false);
        CacheLocks.holdShared(folder, REMOVE);
        // Contents are checked once, through the descriptor that loads each file (the caller's check); a
        // file that fails it is written again through rewrite.
        write(folder, files, false);
    }

    /**
     * Writes {@code file} into {@code folder} again, over whatever is there: for a cached file whose
     * contents failed the caller's check, under the same locks as {@link #store}.
     */
    public static void rewrite(Path folder, Source file) throws IOException {
        write(folder, List.of(file), true);
    }

    /**
     * Writes the files that are missing (or, with {@code again}, all of them) under the writing lock, which
     * JVMs filling one folder take turns on, and this JVM's threads through {@link #WRITERS}.
     */
    private static void write(Path folder, List<? extends Source> files, boolean again) throws IOException {
        synchronized (WRITERS) {
            try (FileChannel lockFile = CacheLocks.openLock(folder.resolve(CacheLocks.WRITING), REMOVE)) {
                FileLock writing = null;
                try {
                    writing = lockFile.lock();
                } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
                    // Another copy of dynload in this JVM (another class loader) writes it now. Writing
                    // anyway is safe: each file goes to a name of its own and is renamed into place whole.
                }
                try {
                    for (Source file : files) {
                        Path target = folder.resolve(file.name());
                        if (again || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                            write(folder, target, file);
                        }
                    }
                } finally {
                    if (writing != null) {
                        writing.release();
                    }
                }
            }
        }
    }

    private static void write(Path folder, Path target, Source file) throws IOException {
        Path temporary = folder.resolve("." + file.name() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (InputStream in = file.open();
                 FileChannel out = FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW,
                         StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                         PosixFilePermissions.fromString("rw-------")));
                 OutputStream stream = java.nio.channels.Channels.newOutputStream(out)) {
                in.transferTo(stream);
                out.force(true);
            }
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("r-x------"));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Creates {@code folder} with mode 0700 if it is missing, and refuses it if it is a link, not a folder,
     * another user's, or writable by others.
     */
    static void ensurePrivateFolder(Path folder, boolean create) throws IOException {
        if (create && !Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(folder.getParent());
            try {
                Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (FileAlreadyExistsException exists) {
                // made meanwhile by another JVM: checked below
            }
        }
        PosixFileAttributes a = Files.readAttributes(folder, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink() || !a.isDirectory()) {
            throw new UnsafeCacheException(folder + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a folder")
                    + ", not a folder of this user's", REMOVE);
        }
        int uid = (Integer) Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        long me = NativeLoader.current().userId();
        if (uid != me) {
            throw new UnsafeCacheException(folder + " is owned by " + a.owner().getName() + " (uid " + uid
                    + "), not by this process's user (uid " + me + ")", REMOVE);
        }
        Set<PosixFilePermission> p = a.permissions();
        if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UnsafeCacheException(folder + " has mode " + PosixFilePermissions.toString(p)
                    + ": others may write into it", REMOVE);
        }
    }

    /** Refuses a folder on a file system mounted {@code noexec}, where no library can be mapped to run. */
    private static void refuseNoexec(Path folder) throws IOException {
        if (NativeLoader.current().forbidsExecution(folder)) {
            throw new UnsafeCacheException(folder + " is on a file system mounted noexec, where libraries cannot be "
                    + "loaded from", "point " + ELSEWHERE + " at a folder of yours on a file system mounted without noexec");
        }
    }

    /**
     * Refuses a cache folder under a home folder that does not exist (HOME=/nonexistent, as services run):
     * making it would make the home folder too, where root runs.
     */
    private static void refuseMissingHome(Path root) throws UnsafeCacheException {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank() || System.getenv(ENVIRONMENT) != null
                && !System.getenv(ENVIRONMENT).isBlank()) {
            return;
        }
        String home = System.getProperty("user.home", "");
        if (root.startsWith(home) && !Files.isDirectory(Path.of(home))) {
            throw new UnsafeCacheException("the home folder " + home + " (user.home), where the cache folder " + root
                    + " would go, does not exist", "point " + ELSEWHERE + " at a folder of yours, or give the process a "
                    + "home folder");
        }
    }

    /** What went wrong with a file of the cache, in words that name it: "/x: permission denied". */
    public static String explain(IOException e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException d -> d.getFile() + ": permission denied";
            case java.nio.file.NoSuchFileException n -> n.getFile() + ": no such file or folder";
            case java.nio.file.NotDirectoryException n -> n.getFile() + ": not a folder";
            case FileSystemException f when f.getReason() != null -> f.getFile() + ": " + f.getReason();
            default -> String.valueOf(e.getMessage());
        };
    }

    /** Whether an exception from writing the cache means the disk is full. */
    public static boolean diskFull(IOException e) {
        String m = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (m == null) {
            return false;
        }
        // The JDK's message is strerror's, in the process's locale: compare with the C library's own words.
        return m.contains("No space left") || m.contains("Disk quota exceeded") || NativeLoader.current().diskFull(m);
    }
}
