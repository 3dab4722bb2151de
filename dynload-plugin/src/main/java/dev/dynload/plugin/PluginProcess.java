package dev.dynload.plugin;

import dev.dynload.IsolatedLibrary;
import dev.dynload.LibraryCrashedException;
import dev.dynload.LibraryException;
import dev.dynload.internal.Hashes;
import dev.dynload.internal.IsolatedAccess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * One runner process hosting isolated plugins: a plugin of its own, or a group. It spawns the runner with
 * the members' files (each opened once and checked, its manifest read again from that very descriptor and
 * compared with discovery's, and its SHA-256 taken from it), runs each member's steps there, and notices
 * the process's end. Holds its lock for field reads and writes only, never across plugin code, a step or
 * the logger.
 */
final class PluginProcess {

    /** The steps of plugins.c in the runner. */
    static final int ENTRY = 1;
    static final int INIT = 2;
    static final int START = 3;
    static final int STOP = 4;
    static final int DESTROY = 5;
    static final int INTERFACE = 6;
    static final int REMOTE = 7;
    static final int HANDOFF = 8;
    static final int SAVE = 9;
    static final int RESTORE = 10;
    /** The runner's error for a refused step, with why in its text. */
    private static final int REFUSED = 3;

    private final String key;
    /** Its plugins, by index; a reload out of process swaps one for the plugin object it replaces. */
    private volatile List<Plugin> members;
    private final PluginStarter starter;
    private final Duration deadline;
    private final RestartPolicy policy;
    private final Quarantine quarantine;
    private final String[] sha256;
    /** What each member's init was given, to give it again at a restart. */
    private final long[] providers;
    private final Object lock = new Object();
    private @Nullable IsolatedLibrary process;
    /** Counts the processes started: a binding made for an older one finds its functions again. */
    private int generation;
    /** Numbers every process start in this JVM: a cache keyed by a generation never takes one process for another. */
    private static final java.util.concurrent.atomic.AtomicInteger GENERATIONS = new java.util.concurrent.atomic.AtomicInteger();
    /** When the processes ended, in {@link System#nanoTime()}, for the restart policy's window. */
    private final java.util.ArrayDeque<Long> crashes = new java.util.ArrayDeque<>();
    /** The restart under way, which other callers wait for instead of starting their own. */
    private java.util.concurrent.@Nullable CompletableFuture<Void> restarting;

    PluginProcess(String key, List<Plugin> members, PluginStarter starter, Duration deadline, RestartPolicy policy,
                  Quarantine quarantine) {
        this.key = key;
        this.members = List.copyOf(members);
        this.starter = starter;
        this.deadline = deadline;
        this.policy = policy;
        this.quarantine = quarantine;
        this.sha256 = new String[members.size()];
        this.providers = new long[members.size()];
        this.remote = new RemoteDependencies(starter, key);
        @SuppressWarnings("unchecked")
        List<Plugin>[] none = new List[members.size()];
        java.util.Arrays.fill(none, List.of());
        this.remoteProviders = none;
    }

    /** Calls to dependencies out of this process, by trampoline. */
    private final RemoteDependencies remote;
    /** Per member: the started plugins it requires that run elsewhere, given to it again at a restart. */
    private final List<Plugin>[] remoteProviders;

    /**
     * Gives member {@code index} a table of trampolines for each interface of each provider, reached back
     * through the host by its dependency service; before its init, so that init and start can call them.
     */
    void addRemotes(int index, List<Plugin> providers) throws NativePlugin.Refused {
        synchronized (lock) {
            remoteProviders[index] = List.copyOf(providers);
        }
        for (int n = 0; n < providers.size(); n++) {
            Plugin provider = providers.get(n);
            for (ProvidedInterface iface : provider.descriptor().manifest().provides()) {
                java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
                data.writeBytes(zeroTerminated(iface.id()));
                data.writeBytes(RemoteDependencies.kinds(iface));
                int first = (int) step(index, "dependency " + provider.id(), new long[] {REMOTE, iface.major(),
                        iface.minor(), iface.functions().size(), n}, data.toByteArray()).result();
                remote.register(first, provider, iface);
            }
        }
    }

    /**
     * {@return the core module's isolation, looked up once: {@link IsolatedAccess#get} runs
     * {@code Class.forName}, which a call must not pay each time}
     */
    static IsolatedAccess<IsolatedLibrary, dev.dynload.Sandbox> access() {
        return Access.ACCESS;
    }

    /** Holds the access; loaded with the first isolated plugin, when dynload-core is initialised. */
    private static final class Access {
        static final IsolatedAccess<IsolatedLibrary, dev.dynload.Sandbox> ACCESS =
                IsolatedAccess.get(IsolatedLibrary.class, dev.dynload.Sandbox.class);
    }

    String key() {
        return key;
    }

    List<Plugin> members() {
        return members;
    }

    /** {@return what member {@code index}'s init was given: its providers in this process, and those elsewhere} */
    long providersOf(int index) {
        synchronized (lock) {
            return providers[index];
        }
    }

    List<Plugin> elsewhereOf(int index) {
        synchronized (lock) {
            return remoteProviders[index];
        }
    }

    /** Puts {@code p} at {@code index}: a reload moves the plugin object callers hold to the new process. */
    void swap(int index, Plugin p) {
        List<Plugin> now = new ArrayList<>(members);
        now.set(index, p);
        members = List.copyOf(now);
    }

    int indexOf(Plugin p) {
        return members.indexOf(p);
    }

    /** {@return the SHA-256 of member {@code index}'s file, as the runner was handed it; empty before} */
    Optional<String> sha256(int index) {
        synchronized (lock) {
            return Optional.ofNullable(sha256[index]);
        }
    }

    /** A snapshot of the process a call uses: the runner and which of its starts it is. */
    record Current(IsolatedLibrary process, int generation) {
    }

    /** {@return the running process, or empty before its start, after its end or its close} */
    Optional<Current> current() {
        synchronized (lock) {
            return process == null ? Optional.empty() : Optional.of(new Current(process, generation));
        }
    }

    /** {@return whether a process was started and has ended since (a crash, an exit, a deadline)} */
    boolean ended() {
        IsolatedLibrary p;
        synchronized (lock) {
            p = process;
        }
        return p != null && !p.isAlive();
    }

    /**
     * Starts the runner with every member's file; it loads them all, and runs nothing of theirs but their
     * constructors. Does nothing if it runs already.
     *
     * @throws NativePlugin.Refused if a file cannot be opened, is damaged, carries another manifest than
     *         discovery read, or the runner failed to load one; the message names the file
     */
    void spawn() throws NativePlugin.Refused {
        spawning.lock(); // one spawn at a time: a start and a restart never race to replace each other's process
        try {
            spawnNow();
        } finally {
            spawning.unlock();
        }
    }

    private void spawnNow() throws NativePlugin.Refused {
        IsolatedLibrary dead;
        synchronized (lock) {
            if (closed) {
                throw new NativePlugin.Refused("its process was closed: the host is stopping");
            }
            if (process != null && process.isAlive()) {
                return;
            }
            dead = process;
        }
        if (dead != null) {
            // It ended before this start (a thread of a member crashed it between calls): its members crash first.
            recordEnd(dead, null, "its process ended (" + access().howEnded(dead) + ")");
        }
        List<IsolatedAccess.Source> files = new ArrayList<>();
        for (Plugin p : members) {
            PluginDescriptor d = p.descriptor();
            files.add(new IsolatedAccess.Source(d.file(), d.bundle().orElse(null), d.bundleLoader(), starter.pinned()));
        }
        String[] hashes = new String[members.size()];
        int[] next = {0};
        IsolatedLibrary started;
        try {
            started = access().startPlugins(key, files, deadline, this::output, this::log, readable -> {
                int i = next[0]++;
                return vet(members.get(i).descriptor(), readable, hashes, i);
            }, members.get(0).isolation().sandbox());
        } catch (LibraryException e) {
            throw new NativePlugin.Refused("its process did not start: " + e.getMessage());
        }
        IsolatedLibrary old;
        boolean refused;
        synchronized (lock) {
            refused = closed;
            old = refused ? null : process;
            if (!refused) {
                process = started;
                generation = GENERATIONS.incrementAndGet(); // unique across processes: a reload moves a plugin
                System.arraycopy(hashes, 0, sha256, 0, hashes.length);
            }
        }
        if (refused) {
            started.close(); // closed while it started: nothing may run in it
            throw new NativePlugin.Refused("its process was closed: the host is stopping");
        }
        remote.clear(); // the new process numbers its trampolines afresh
        access().onRemote(started, remote);
        if (old != null) {
            old.close(); // ended (checked above, under the spawn lock): this reaps it and frees its memory
        }
    }

    /** Held across a spawn, never across plugin code in the host: the runner's start is bounded by the deadline. */
    private final java.util.concurrent.locks.ReentrantLock spawning = new java.util.concurrent.locks.ReentrantLock();
    /** Set by {@link #close}: no process starts from then on. */
    private boolean closed;

    /**
     * The same manifest as discovery read, from the descriptor the runner gets (the file may have been
     * replaced since); and the bytes' SHA-256, the key of quarantine. {@return null, or why not}
     */
    private @Nullable String vet(PluginDescriptor d, Path readable, String[] hashes, int i) {
        PluginManifest now;
        try {
            now = ManifestReader.read(readable);
        } catch (PluginException e) {
            return "its manifest does not read now: " + e.getMessage();
        }
        if (!now.equals(d.manifest())) {
            return "it carries another manifest (" + now.id() + " " + now.version() + ") than the one discovery read ("
                    + d.id() + " " + d.version() + "): the file was replaced since; discover again";
        }
        try {
            hashes[i] = Hashes.sha256(readable);
        } catch (IOException e) {
            return "it cannot be read: " + e.getMessage();
        }
        // Of the sealed copy the runner gets; a bundle is pinned by its index, which its loader checked it against.
        Optional<String> unpinned = starter.pinRefusal(d, d.bundle().isPresent() ? null : hashes[i]);
        return unpinned.isPresent() ? unpinned.get() : quarantine.refusal(hashes[i]).orElse(null);
    }

    /** A line the runner's process printed, to the logger, as the plugin's (or the group's) INFO. */
    private void output(String line) {
        starter.say(members.size() == 1 ? members.get(0).id() : key, PluginLogger.Level.INFO, line);
    }

    /** A message a member logged through its host services. */
    private void log(int index, int level, String message) {
        PluginLogger.Level l = HostServices.level(level);
        String id = index >= 0 && index < members.size() ? members.get(index).id() : key;
        starter.say(id, l, message);
    }

    /** A step that failed, with the plugin's message. */
    record Answer(long result, String text, byte[] data) {
    }

    /**
     * Runs one step of member {@code index}.
     *
     * @throws NativePlugin.Refused if the runner refused the step, with why
     * @throws LibraryCrashedException if the process ended during it, or before
     */
    Answer step(int index, String name, long[] ints, byte[] data) throws NativePlugin.Refused {
        IsolatedLibrary p;
        synchronized (lock) {
            p = process;
        }
        if (p == null) {
            throw new NativePlugin.Refused("its process is not running");
        }
        IsolatedAccess.Step s = access().step(p, index, name, ints, data, data.length);
        if (s.error() == REFUSED) {
            throw new NativePlugin.Refused(s.text());
        }
        if (s.error() != 0) {
            throw new NativePlugin.Refused(name + " was refused by the runner (error " + s.error() + ")");
        }
        return new Answer(s.result(), s.text(), s.data());
    }

    /** Negotiates with member {@code index}; {@return the ABI version it picked} */
    int entry(int index, String hostVersion) throws NativePlugin.Refused {
        return (int) step(index, "dynload_plugin_entry", new long[] {ENTRY, PluginHost.ABI_MIN, PluginHost.ABI_MAX},
                zeroTerminated(hostVersion)).result();
    }

    /** Runs member {@code index}'s init with its id, the host's version, its configuration and its providers. */
    void init(int index, String hostVersion, Map<String, String> config, long providers) throws NativePlugin.Refused {
        synchronized (lock) {
            this.providers[index] = providers;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(zeroTerminated(members.get(index).id()));
        out.writeBytes(zeroTerminated(hostVersion));
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (e.getKey().indexOf(0) >= 0 || e.getValue().indexOf(0) >= 0) {
                throw new NativePlugin.Refused("its configuration value '" + e.getKey().replace('\0', ' ') + "' holds "
                        + "a NUL character, which a C string cannot carry");
            }
            out.writeBytes(zeroTerminated(e.getKey()));
            out.writeBytes(zeroTerminated(e.getValue()));
        }
        byte[] data = out.toByteArray();
        if (data.length >= access().dataSize()) {
            throw new NativePlugin.Refused("its id, the host's version and its configuration take " + data.length
                    + " bytes; an isolated plugin's take less than " + access().dataSize());
        }
        status("init", step(index, "init", new long[] {INIT, providers, config.size()}, data));
    }

    void start(int index) throws NativePlugin.Refused {
        status("start", step(index, "start", new long[] {START}, new byte[0]));
    }

    /** {@return stop's status} */
    int stop(int index) throws NativePlugin.Refused {
        return (int) step(index, "stop", new long[] {STOP}, new byte[0]).result();
    }

    void destroy(int index) throws NativePlugin.Refused {
        step(index, "destroy", new long[] {DESTROY}, new byte[0]);
    }

    /** {@return what member {@code index} hands over on a reload: 1 it saves, 2 it restores (ABI 1.1)} */
    int handoffs(int index) throws NativePlugin.Refused {
        return (int) step(index, "handoff", new long[] {HANDOFF}, new byte[0]).result();
    }

    /** Runs member {@code index}'s save; {@return its state, carried over in chunks of a step's data} */
    byte[] save(int index) throws NativePlugin.Refused {
        int chunk = access().dataSize();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long total = -1;
        for (long offset = 0; total < 0 || offset < total; offset += chunk) {
            Answer a;
            try {
                a = step(index, "save", new long[] {SAVE, offset}, new byte[0]);
            } catch (NativePlugin.Refused e) {
                throw new NativePlugin.Refused("its save failed in its process" + (e.getMessage().isEmpty() ? ""
                        : ": " + e.getMessage()));
            }
            total = a.result();
            if (total < 0 || total > NativePlugin.MAX_HANDOFF) {
                throw new NativePlugin.Refused("its save gave " + total + " bytes; a state handed over holds at most "
                        + NativePlugin.MAX_HANDOFF);
            }
            out.write(a.data(), 0, (int) Math.min(chunk, total - offset));
            if (total == 0) {
                break;
            }
        }
        return out.toByteArray();
    }

    /** Hands member {@code index} the state a replaced copy saved, in chunks; the last runs its restore. */
    void restore(int index, byte[] state) throws NativePlugin.Refused {
        int chunk = access().dataSize() - 1; // a step carries one byte less than it answers
        int offset = 0;
        do {
            int n = Math.min(chunk, state.length - offset);
            Answer a = step(index, "restore", new long[] {RESTORE, offset, n, state.length},
                    java.util.Arrays.copyOfRange(state, offset, offset + n));
            offset += n;
            if (offset == state.length) {
                status("its restore", a);
            }
        } while (offset < state.length);
    }

    private static void status(String step, Answer a) throws NativePlugin.Refused {
        if (a.result() != 0) {
            throw new NativePlugin.Refused(step + " failed with status " + (int) a.result()
                    + (a.text().isEmpty() ? "" : ": " + a.text()));
        }
    }

    /** An interface table in the runner: its minor, and each function's index there (-1: absent). */
    record Table(int minor, int[] functions) {
    }

    /** {@return member {@code index}'s table of {@code id}/{@code major}, or empty when it gives NULL} */
    Optional<Table> getInterface(int index, String id, int major, int minMinor, int count) throws NativePlugin.Refused {
        Answer a = step(index, "get_interface", new long[] {INTERFACE, major, minMinor, count}, zeroTerminated(id));
        if (a.result() == 0) {
            return Optional.empty();
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(a.data()).order(java.nio.ByteOrder.nativeOrder());
        int minor = in.getInt(0);
        int[] functions = new int[count];
        for (int k = 0; k < count; k++) {
            functions[k] = in.getInt(8 + 4 * k);
        }
        return Optional.of(new Table(minor, functions));
    }

    private static byte[] zeroTerminated(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    /**
     * Records the end of the process, seen by a call or a step of member {@code caller}: every member that
     * was started (or starting) is CRASHED with the cause, and the logger hears it once per process.
     * {@return the exception for the caller}
     */
    RuntimeException crashed(Plugin caller, String function, LibraryCrashedException e, IsolatedLibrary in) {
        if (in.isAlive()) {
            // Every slot stayed busy past the deadline: nothing ended, the call only did not get in.
            return new IllegalStateException(caller.id() + ": " + function + "() was not called: " + e.getMessage(), e);
        }
        String cause = causeOf(e);
        recordEnd(in, caller, cause);
        return new PluginCrashedException(caller.id(), function, caller.id() + ": " + function + "() got no answer: "
                + cause + "; the plugin is CRASHED, and this JVM goes on", e);
    }

    /**
     * Records the end of process {@code ended} once, if it is the current one: every member that was started
     * (or starting) is CRASHED with the cause, the end counts for the restart policy, and the logger hears
     * of it. The end of an older process, seen late by a call that used it, changes nothing.
     */
    void recordEnd(IsolatedLibrary ended, @Nullable Plugin caller, String cause) {
        boolean first;
        int recent;
        synchronized (lock) {
            first = ended == process && lastSeen != ended && !ended.isAlive();
            if (first) {
                lastSeen = ended;
                crashes.addLast(System.nanoTime());
            }
            recent = crashes.size();
        }
        if (first) {
            for (Plugin p : members) {
                p.crashed(cause);
            }
            Duration delay = policy.delayAfter(recent);
            starter.say(caller != null ? caller.id() : key, PluginLogger.Level.ERROR, "its process (" + key
                    + ") ended: " + cause + (policy.times() == 0 ? "" : "; its plugins that were started start again "
                    + (policy.atOnce() ? "in " + delay.toMillis() + " ms" : "on the next call") + " (restart policy: "
                    + policy + ")"));
            if (policy.atOnce()) {
                // On a thread of its own, holding no lock: the restart runs plugin code (entry, init, start).
                RESTARTS.schedule(this::restart, delay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Records the end of the current process, if it has ended (seen by a state query or a step). */
    void recordEndIfEnded(@Nullable Plugin caller, String cause) {
        IsolatedLibrary p;
        synchronized (lock) {
            p = process;
        }
        if (p != null && !p.isAlive()) {
            recordEnd(p, caller, cause);
        }
    }

    /** Runs the restarts at once (RestartPolicy.atOnce) after their back-off; a daemon, shared by every host. */
    private static final java.util.concurrent.ScheduledExecutorService RESTARTS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dynload-plugin-restarts");
                t.setDaemon(true);
                return t;
            });

    /** The process that {@link #crashed} last recorded, so that each end is counted once. */
    private @Nullable IsolatedLibrary lastSeen;

    private static String causeOf(LibraryCrashedException e) {
        String m = String.valueOf(e.getMessage());
        int at = m.indexOf("got no answer: ");
        return at >= 0 ? m.substring(at + "got no answer: ".length()) : m;
    }

    /**
     * Starts the crashed members again in a new process, as the restart policy allows: one thread does it,
     * the others calling meanwhile wait for it (holding no lock). Beyond the policy's limit, the members are
     * quarantined by their files' SHA-256 and stay CRASHED.
     *
     * @return whether the members run again
     */
    boolean restart() {
        java.util.concurrent.CompletableFuture<Void> mine;
        java.util.concurrent.CompletableFuture<Void> theirs = null;
        synchronized (lock) {
            if (restartingThread == Thread.currentThread()) {
                return false; // the restart's own logger calling a member: it would wait for itself
            }
            if (restarting != null) {
                theirs = restarting;
                mine = null;
            } else {
                mine = restarting = new java.util.concurrent.CompletableFuture<>();
                restartingThread = Thread.currentThread();
            }
        }
        if (theirs != null) {
            theirs.join();
            Optional<Current> c = current();
            return c.isPresent() && c.get().process().isAlive();
        }
        try {
            return restartNow();
        } finally {
            synchronized (lock) {
                restarting = null;
                restartingThread = null;
            }
            mine.complete(null);
        }
    }

    /** A restart that failed counts as a crash: a plugin that cannot start again is quarantined in the end. */
    private void countFailedRestart() {
        synchronized (lock) {
            crashes.addLast(System.nanoTime());
        }
    }

    /** The thread running {@link #restartNow}, so that a call its logger makes does not wait for it. */
    private @Nullable Thread restartingThread;

    private boolean restartNow() {
        if (policy.times() == 0) {
            return false;
        }
        boolean anyToRestart = false;
        for (Plugin p : members) {
            anyToRestart |= p.rawState() == PluginState.CRASHED && !p.isQuarantined();
        }
        if (!anyToRestart) {
            return false; // quarantined, or stopped meanwhile: nothing starts again
        }
        long now = System.nanoTime();
        int recent;
        synchronized (lock) {
            if (closed) {
                return false;
            }
            while (!crashes.isEmpty() && now - crashes.peekFirst() > policy.window().toNanos()) {
                crashes.removeFirst();
            }
            recent = crashes.size();
        }
        if (recent > policy.times()) {
            for (int i = 0; i < members.size(); i++) {
                Plugin p = members.get(i);
                if (p.rawState() == PluginState.CRASHED) {
                    String why = "crashed " + recent + " times within " + policy.window() + " (restart policy: "
                            + policy + "); last: " + p.failure().orElse("?");
                    Optional<String> sha = sha256(i);
                    if (sha.isPresent()) {
                        try {
                            quarantine.add(sha.get(), p.id(), p.descriptor().file(), why);
                        } catch (java.io.UncheckedIOException e) {
                            starter.say(p.id(), PluginLogger.Level.ERROR, e.getMessage());
                        }
                    }
                    p.quarantined(why);
                    starter.say(p.id(), PluginLogger.Level.ERROR, "quarantined: " + why);
                }
            }
            return false;
        }
        try {
            spawn();
        } catch (NativePlugin.Refused e) {
            for (Plugin p : members) {
                if (p.rawState() == PluginState.CRASHED && !p.isQuarantined()) {
                    p.crashed("restarting it failed: " + e.getMessage());
                }
            }
            countFailedRestart();
            return false;
        }
        boolean all = true;
        for (int i = 0; i < members.size(); i++) {
            Plugin p = members.get(i);
            if (p.rawState() != PluginState.CRASHED || p.isQuarantined()) {
                continue;
            }
            try {
                int abi = entry(i, starter.hostVersion());
                PluginManifest m = p.descriptor().manifest();
                if (abi < m.abiMin() || abi > m.abiMax()) {
                    throw new NativePlugin.Refused("answered ABI " + abi + ", outside its manifest's " + m.abiMin()
                            + ".." + m.abiMax());
                }
                long given;
                List<Plugin> elsewhere;
                synchronized (lock) {
                    given = providers[i];
                    elsewhere = remoteProviders[i];
                }
                addRemotes(i, elsewhere);
                init(i, starter.hostVersion(), starter.config(p.id()), given);
                start(i);
                p.restarted();
                starter.say(p.id(), PluginLogger.Level.INFO, "started again in a new process (" + this + ")");
            } catch (NativePlugin.Refused e) {
                p.crashed("restarting it failed: " + e.getMessage());
                countFailedRestart();
                all = false;
            } catch (LibraryCrashedException e) {
                recordEndIfEnded(p, causeOf(e));
                return false;
            }
        }
        return all;
    }

    /** {@return the cause of a call refused because the process had ended before it} */
    LibraryCrashedException endedBefore(String function) {
        IsolatedLibrary ended;
        synchronized (lock) {
            ended = process != null && !process.isAlive() ? process : lastSeen != null ? lastSeen : lastClosed;
        }
        if (ended == null) {
            throw new IllegalStateException(key + " was never started");
        }
        return (LibraryCrashedException) access().ended(ended, function);
    }

    /** The process {@link #close} ended last, for the calls refused after it. */
    private @Nullable IsolatedLibrary lastClosed;

    /** {@return how the process ended, "signal 11 (SIGSEGV)", or "running"} */
    String howEnded() {
        IsolatedLibrary p;
        synchronized (lock) {
            p = process;
        }
        return p == null ? "not started" : access().howEnded(p);
    }

    /** Ends the process, if it runs, and frees its memory; no process starts for these plugins again. */
    void close() {
        IsolatedLibrary p;
        synchronized (lock) {
            closed = true;
            p = process;
            process = null;
            if (p != null) {
                lastClosed = p;
            }
        }
        if (p != null) {
            p.close();
        }
    }

    /** {@return whether no member is started, starting, stopping or crashed-and-restartable: the process may go} */
    boolean unused() {
        for (Plugin p : members) {
            PluginState s = p.rawState();
            if (s == PluginState.STARTED || s == PluginState.STARTING || s == PluginState.STOPPING
                    || s == PluginState.RESOLVED || (s == PluginState.CRASHED && policy.times() > 0)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        IsolatedLibrary p;
        synchronized (lock) {
            p = process;
        }
        return key + (p == null ? " (not running)" : " (pid " + p.pid() + (p.isAlive() ? ")" : ", ended)"));
    }
}
