package dev.dynload.plugin;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A watch over a {@link PluginHost}'s plugin folders, from {@link PluginHost#watch(Duration)}: when the
 * file of a started plugin changes, and then stays unchanged for the quiet time, the plugin is reloaded
 * ({@link PluginHost#reload}). Close it to stop watching.
 *
 * {@snippet :
 * try (PluginWatch watch = host.watch(Duration.ofMillis(500))) {
 *     // cp build/libgreeter.so plugins/   ->   "reloaded: 1.2.0 -> 1.3.0 (16 bytes of state handed over)"
 * }
 * }
 *
 * <h2>Files still being written</h2>
 * A file is taken only once no event came for it for the quiet time, its size, modification time and
 * identity are the same as at its last event, and no process has it open for writing (on Linux, read
 * from {@code /proc}: every process's descriptors; where another user's processes cannot be looked at,
 * and none that can has it open, the quiet time alone decides); then its manifest must read. A file a writer holds open is said once at
 * INFO and looked at again every 20 ms until the writer closes it; one that does not read is said at INFO
 * and waited for until its next change. So a file copied in pieces, or renamed into place, is reloaded
 * once, when whole: a library cut short can load (its last part holds no code), so its bytes alone
 * cannot tell. What a reload says
 * (done, or refused and why) goes to the host's logger, under the plugin's id; a failed reload leaves the
 * old copy serving, and the next change of the file is tried again.
 *
 * <h2>Thread-safety</h2>
 * One daemon thread, {@code dynload-plugin-watch}, watches and reloads; {@link #close()} may be called
 * from any thread, and waits for a reload under way to end. Files of plugins that are not started (new
 * files included) are not reloaded: the next {@link PluginHost#start()} finds them.
 */
public final class PluginWatch implements AutoCloseable {

    private final PluginHost host;
    private final WatchService service;
    private final long quietNanos;
    private final Thread thread;
    /** Changed files not taken yet, by path: the last event's time and what the file looked like then. */
    private final Map<Path, Change> pending = new LinkedHashMap<>();

    /** When it was last seen changing, how it looked then, and whether a writer had it open. */
    private record Change(long at, String fingerprint, boolean writing) {
    }

    /** How often a file a writer holds open is looked at again: closing it makes no event. */
    private static final long WRITER_RECHECK_NANOS = 20_000_000;

    PluginWatch(PluginHost host, List<Path> folders, Duration quiet) throws IOException {
        this.host = host;
        this.quietNanos = quiet.toNanos();
        this.service = folders.isEmpty() ? null : folders.get(0).getFileSystem().newWatchService();
        try {
            for (Path folder : folders) {
                if (Files.isDirectory(folder)) {
                    folder.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (service != null) {
                service.close();
            }
            throw e;
        }
        this.thread = Thread.ofPlatform().daemon().name("dynload-plugin-watch").unstarted(this::watch);
        if (service != null) {
            thread.start();
        }
    }

    private void watch() {
        while (true) {
            try {
                WatchKey key = pending.isEmpty() ? service.take()
                        : service.poll(Math.max(0, nextDue() - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (key != null) {
                    Path folder = (Path) key.watchable();
                    for (WatchEvent<?> e : key.pollEvents()) {
                        if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                            everyStartedFile(); // events were lost: look at every plugin's file
                        } else if (e.context() instanceof Path name) {
                            noted(folder.resolve(name));
                        }
                    }
                    key.reset();
                }
                takeQuietOnes();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return; // closed
            } catch (RuntimeException | Error e) {
                // A watch that ended here would stop reloading without a word: say it, and go on.
                host.say("host", PluginLogger.Level.ERROR, "the plugin watch failed, and goes on: " + e);
            }
        }
    }

    private long nextDue() {
        long due = Long.MAX_VALUE;
        for (Change c : pending.values()) {
            due = Math.min(due, c.at() + quietNanos);
        }
        return due;
    }

    /** A file changed: kept if it is a started plugin's, with when and how it looked. */
    private void noted(Path file) {
        if (started(file) != null) {
            Change before = pending.get(file);
            pending.put(file, new Change(System.nanoTime(), fingerprint(file), before != null && before.writing()));
        }
    }

    private void everyStartedFile() {
        for (Plugin p : host.plugins()) {
            if (p.rawState() == PluginState.STARTED && p.descriptor().bundle().isEmpty()) {
                noted(p.descriptor().file());
            }
        }
    }

    /** The plugin started from {@code file}, or null. */
    private Plugin started(Path file) {
        for (Plugin p : host.plugins()) {
            if (p.rawState() == PluginState.STARTED && p.descriptor().bundle().isEmpty()
                    && p.descriptor().file().toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())) {
                return p;
            }
        }
        return null;
    }

    private void takeQuietOnes() {
        long now = System.nanoTime();
        for (Path file : List.copyOf(pending.keySet())) {
            Change c = pending.get(file);
            if (now - c.at() < quietNanos) {
                continue;
            }
            String looks = fingerprint(file);
            if (!looks.equals(c.fingerprint())) {
                pending.put(file, new Change(now, looks, c.writing())); // changed without an event seen yet
                continue;
            }
            Plugin p = started(file);
            if (p == null) {
                pending.remove(file);
                continue;
            }
            if (dev.dynload.internal.Writers.openForWriting(file).orElse(false)) {
                // A writer still has it open: looked at again shortly, since closing it makes no event here.
                if (!c.writing()) {
                    host.say(p.id(), PluginLogger.Level.INFO, "its file changed and is still open for writing; "
                            + "waiting for the writer to close it");
                }
                pending.put(file, new Change(now - quietNanos + WRITER_RECHECK_NANOS, looks, true));
                continue;
            }
            pending.remove(file);
            try {
                PluginDescriptor.read(file);
            } catch (RuntimeException e) { // PluginException, or a reader's failure on a file cut short
                host.say(p.id(), PluginLogger.Level.INFO, "its file changed, but does not read as a plugin yet "
                        + "(still being written?): " + e.getMessage() + "; waiting for its next change");
                continue;
            }
            try {
                host.reload(p.id()); // says what happened, to the logger
            } catch (PluginReloadException e) {
                // said by the host; the old copy serves, and the next change is tried again
            } catch (RuntimeException e) {
                host.say(p.id(), PluginLogger.Level.WARN, "its file changed, and the watch could not reload it: " + e);
            }
        }
    }

    /** Size, modification time and identity: what a writer still at work changes. */
    private static String fingerprint(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.size() + "/" + a.lastModifiedTime().toMillis() + "/" + a.lastModifiedTime().toInstant().getNano()
                    + "/" + Objects.toString(a.fileKey());
        } catch (IOException e) {
            return "gone";
        }
    }

    /** Stops watching; waits for a reload under way to end. */
    @Override
    public void close() {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (IOException e) {
            // closed as far as it goes
        }
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
