package dev.dynload.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The cache's file locks: a folder's writing lock, the shared in-use lock every JVM that loaded from a
 * folder holds until it exits, and the sweep of folders no JVM has used for a while. Each lock file is
 * opened so that nothing planted under its name (a FIFO, a link, a folder) is followed. {@link NativeCache}
 * gives the hint its refusals carry and how many days make a folder stale.
 */
final class CacheLocks {

    /** Held exclusively while a JVM writes a folder's files. */
    static final String WRITING = ".writing";
    /** Held shared by every JVM that loaded from a folder, for as long as it runs; its time is the last use. */
    static final String LOCK = ".in-use";
    /** The shared locks this JVM holds on the folders it loaded from: kept until it exits. */
    private static final Map<Path, FileLock> HELD = new HashMap<>();
    private static boolean swept;

    private CacheLocks() {
    }

    /**
     * Opens one of a folder's lock files, creating it if missing. The folder is this user's own (checked
     * before), so something else planted under the name (a FIFO, a symbolic link, a folder) is removed and
     * the lock file made again, once. It is opened for reading and writing, which never blocks on a FIFO
     * put there meanwhile, and checked to be a plain file once open.
     *
     * @throws UnsafeCacheException if the name still does not hold a plain file, naming it
     */
    static FileChannel openLock(Path lock, String hint) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (Files.exists(lock, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
                if (attempt > 1) {
                    throw new UnsafeCacheException(lock + " is not a plain file (a FIFO, a link or a folder was put there, "
                            + "again after it was removed)", hint);
                }
                removePlanted(lock);
                continue;
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException e) {
                if (attempt > 1) {
                    throw new UnsafeCacheException(lock + " cannot be opened as a lock file: "
                            + (e.getReason() != null ? e.getReason() : e.getMessage()), hint);
                }
                continue; // swapped for a link or a folder between the check and the open: check again
            }
            if (Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
                return channel;
            }
            channel.close();
            if (attempt > 1) {
                throw new UnsafeCacheException(lock + " is not a plain file", hint);
            }
        }
    }

    /** Removes what was planted under a lock file's name: a file, a link, or a folder and what it holds. */
    private static void removePlanted(Path planted) throws IOException {
        if (Files.isDirectory(planted, LinkOption.NOFOLLOW_LINKS)) {
            try (var inside = Files.walk(planted)) {
                for (Path p : inside.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } else {
            Files.deleteIfExists(planted);
        }
    }

    /** Holds a shared lock on {@code folder} until this JVM exits, so that no other JVM sweeps it. */
    static void holdShared(Path folder, String hint) throws IOException {
        Path lock = folder.resolve(LOCK);
        synchronized (HELD) {
            if (!HELD.containsKey(folder)) {
                FileChannel channel = openLock(lock, hint);
                try {
                    HELD.put(folder, channel.lock(0, Long.MAX_VALUE, true));
                } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
                    channel.close(); // another copy of dynload in this JVM holds it already: that is enough
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
            }
        }
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now())); // the folder's last use, for sweeping
    }

    /** Lets go of this JVM's in-use lock on {@code folder}, if it holds one. */
    static void release(Path folder) {
        FileLock held;
        synchronized (HELD) {
            held = HELD.remove(folder);
        }
        if (held != null) {
            try {
                held.channel().close();
            } catch (IOException ignored) {
                // closing a lock file: nothing was written through it
            }
        }
    }

    /** Once per JVM: removes folders unused for {@code staleDays} days that no JVM holds. */
    static void sweepOnce(Path root, Path keep, int staleDays, String hint) {
        synchronized (HELD) {
            if (swept) {
                return;
            }
            swept = true;
        }
        Instant stale = Instant.now().minus(Duration.ofDays(staleDays));
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root)) {
            for (Path folder : folders) {
                try {
                    sweep(folder, keep, stale, hint);
                } catch (IOException | RuntimeException e) {
                    // Housekeeping: a folder that cannot be removed now is tried by a later JVM.
                }
            }
        } catch (IOException | RuntimeException e) {
            // The same for the listing.
        }
    }

    /** Removes {@code folder} if it is stale and no JVM uses or writes it. */
    private static void sweep(Path folder, Path keep, Instant stale, String hint) throws IOException {
        if (folder.equals(keep) || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path lock = folder.resolve(LOCK);
        if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS) || Files.getLastModifiedTime(lock).toInstant().isAfter(stale)) {
            return;
        }
        synchronized (HELD) {
            if (HELD.containsKey(folder)) {
                return; // this JVM's own
            }
        }
        try (FileChannel inUse = openLock(lock, hint);
             FileLock unused = inUse.tryLock();
             FileChannel writing = openLock(folder.resolve(WRITING), hint);
             FileLock unwritten = unused == null ? null : writing.tryLock()) {
            // Both locks, and still stale once they are held: nobody started to use it meanwhile.
            if (unused == null || unwritten == null || Files.getLastModifiedTime(lock).toInstant().isAfter(stale)) {
                return;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (!name.equals(LOCK) && !name.equals(WRITING)) {
                        Files.deleteIfExists(file);
                    }
                }
            }
            Files.deleteIfExists(folder.resolve(WRITING));
            Files.deleteIfExists(lock);
        }
        Files.deleteIfExists(folder);
    }
}
