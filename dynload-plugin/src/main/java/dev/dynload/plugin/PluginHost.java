package dev.dynload.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Java application's home for native plugins: it finds plugin files in folders, reads each one's
 * manifest from the file without loading it, and decides which plugins can run and in which order.
 *
 * {@snippet lang=c :
 * // in each plugin: its manifest, read by the host before any of the plugin's code runs
 * DLP_MANIFEST("id = com.example.greeter.c\n" "version = 1.2.0\n" "abi = 1..1\n"
 *              "requires = com.example.base ^1.0.0\n");
 * }
 * {@snippet :
 * PluginHost host = PluginHost.builder().folder(Path.of("plugins")).hostVersion("1.4.0").build();
 * Discovery found = host.discover();          // reads manifests; loads nothing
 * Resolution plan = host.resolve(found);      // ABI, host and dependency checks; start order
 * plan.problems().forEach((id, why) -> System.err.println(id + ": " + why));
 * }
 *
 * <h2>Thread-safety</h2>
 * Every method may be called from any thread. {@link #discover()} and {@link #resolve} only read files.
 * One {@link #start()} or {@link #stop()} runs at a time: a stop called while another start or stop runs
 * waits for it, then does its own work. No lock is held while plugin code or the logger runs, so a
 * logger, or a plugin thread that init waits for, may call {@link #plugins()} or {@link #plugin}; a
 * {@code stop()} from a plugin's call, or from the logger on the thread running start or stop, is
 * refused instead of waiting for itself.
 *
 * <h2>Safety</h2>
 * Discovery and resolution read files only: no plugin code runs, and a damaged or hostile file is a
 * {@link PluginException} in {@link Discovery#problems()}, never a crash or a hang. The readers of
 * {@link dev.dynload.format} bound every read by the file and the manifest by {@link PluginManifest#MAX_TEXT}.
 *
 * <h2>Platform-specific behaviour</h2>
 * A scan looks at the files named as this platform names loadable modules
 * ({@link dev.dynload.OperatingSystem#moduleSuffixes()}: {@code .so} on Linux; {@code .dylib}, {@code .so}
 * and {@code .bundle} on macOS; {@code .dll} on Windows). A manifest is read from an ELF, Mach-O or PE
 * file alike, so {@code dynload plugins} lists another platform's plugins too.
 */
public final class PluginHost implements AutoCloseable {

    /** How long a call into an isolated plugin may take, by default, before its process is ended. */
    public static final java.time.Duration CALL_DEADLINE = java.time.Duration.ofSeconds(10);

    /** How long stop() waits for a plugin's running calls, by default, before it leaves that plugin STUCK. */
    public static final java.time.Duration STOP_TIMEOUT = java.time.Duration.ofSeconds(10);

    /** The oldest ABI version of dynload_plugin.h this host speaks. */
    public static final int ABI_MIN = 1;
    /** The newest ABI version of dynload_plugin.h this host speaks. */
    public static final int ABI_MAX = 1;

    /** Where the host is: one start or stop runs at a time. */
    private enum Phase { IDLE, STARTING, STARTED, STOPPING, RELOADING }

    private final List<Path> folders;
    /** Bundles in jars: name, and the class loader that sees the jar. */
    private final Map<String, ClassLoader> bundles;
    private final Version hostVersion;
    private final PluginLogger logger;
    private final Map<String, Map<String, String>> config;
    /** Loads, negotiates with, initialises and starts one plugin at a time. */
    private final PluginStarter starter;
    private final PluginStopper stopper;
    private final PluginReloader reloader;
    private final Map<String, Isolation> isolation;
    private final Isolation defaultIsolation;
    private final java.time.Duration callDeadline;
    private final RestartPolicy restart;
    private final Quarantine quarantine;
    /** The processes of the last start's isolated plugins; guarded by lock. */
    private final List<PluginProcess> processes = new ArrayList<>();
    /** Guards the fields below; held for a few field reads and writes, never across plugin or user code. */
    private final Object lock = new Object();
    private Phase phase = Phase.IDLE;
    /** The thread running start() or stop(), so that a stop from its logger is refused, not awaited. */
    private Thread lifecycleThread;
    /** The plugins of the last start, in start order. */
    private final List<Plugin> plugins = new ArrayList<>();

    private PluginHost(Builder b) {
        this.folders = List.copyOf(b.folders);
        this.bundles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.bundles));
        this.hostVersion = b.hostVersion;
        this.logger = b.logger;
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        b.config.forEach((id, values) -> copy.put(id, Map.copyOf(values)));
        this.config = Map.copyOf(copy);
        this.quarantine = new Quarantine(b.quarantine);
        Lockfile pins = null;
        if (b.lockfile != null) {
            try {
                pins = Lockfile.read(b.lockfile);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("the lockfile " + b.lockfile + " cannot be read: " + e.getMessage(), e);
            }
        }
        this.starter = new PluginStarter(hostVersion, logger, config, quarantine, pins, b.lockfile, b.privateCopies);
        this.stopper = new PluginStopper(starter, b.stopTimeout);
        this.reloader = new PluginReloader(starter, stopper, b.stopTimeout, new Processes());
        this.isolation = Map.copyOf(b.isolation);
        this.defaultIsolation = b.defaultIsolation;
        this.callDeadline = b.callDeadline;
        this.restart = b.restart;
    }

    /** {@return a builder for a host} */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link PluginHost}. Not thread-safe; build once. */
    public static final class Builder {
        private final List<Path> folders = new ArrayList<>();
        private final Map<String, ClassLoader> bundles = new LinkedHashMap<>();
        private Version hostVersion = Version.parse("1.0.0");
        private PluginLogger logger = PluginLogger.standardError();
        private final Map<String, Map<String, String>> config = new LinkedHashMap<>();
        private java.time.Duration stopTimeout = STOP_TIMEOUT;
        private final Map<String, Isolation> isolation = new LinkedHashMap<>();
        private Isolation defaultIsolation = Isolation.inProcess();
        private java.time.Duration callDeadline = CALL_DEADLINE;
        private RestartPolicy restart = RestartPolicy.never();
        private java.nio.file.Path quarantine;
        private java.nio.file.Path lockfile;
        private boolean privateCopies = true;

        private Builder() {
        }

        /**
         * Whether plugins in the host's process load from sealed private copies of their files (on Linux;
         * the default), or from the files themselves. A private copy lets a plugin's file be replaced while
         * it runs, even written over in place, which would corrupt the code of a file the loader mapped,
         * and is a new object for the loader on each {@link PluginHost#reload}; loading costs the same. Load
         * from the files when a debugger or profiler must find a plugin's symbols by its path (a copy shows
         * as {@code /memfd:libname.so}); then replace a file only by renaming a new one into place. Plugins
         * pinned by a lockfile always load from a copy: what is hashed is what is loaded.
         *
         * @param privateCopies false to load plugins from their files
         * @return this builder
         */
        public Builder privateCopies(boolean privateCopies) {
            this.privateCopies = privateCopies;
            return this;
        }

        /**
         * Runs a plugin out of the host's process, or in it (see {@link Isolation}).
         *
         * @param pluginId the plugin's id
         * @param isolation where it runs
         * @return this builder
         */
        public Builder isolate(String pluginId, Isolation isolation) {
            this.isolation.put(Objects.requireNonNull(pluginId, "pluginId"), Objects.requireNonNull(isolation, "isolation"));
            return this;
        }

        /**
         * Sets where the plugins not named by {@link #isolate} run; in process when not set.
         *
         * @param isolation where they run; {@link Isolation#process()} runs each in a process of its own
         * @return this builder
         */
        public Builder defaultIsolation(Isolation isolation) {
            this.defaultIsolation = Objects.requireNonNull(isolation, "isolation");
            return this;
        }

        /**
         * Sets how long a call into an isolated plugin, and each step of its lifecycle, may take before its
         * process is ended (code that does not return cannot be stopped any other way), with every plugin
         * that shares it: the caller gets {@link PluginCrashedException}.
         *
         * @param deadline positive; {@link PluginHost#CALL_DEADLINE} when not set
         * @return this builder
         */
        public Builder callDeadline(java.time.Duration deadline) {
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("the call deadline must be positive, not " + deadline);
            }
            this.callDeadline = deadline;
            return this;
        }

        /**
         * Sets what happens when an isolated plugin's process ends (see {@link RestartPolicy}).
         *
         * @param policy the policy; {@link RestartPolicy#never()} when not set
         * @return this builder
         */
        public Builder restart(RestartPolicy policy) {
            this.restart = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Keeps the quarantined plugin files (see {@link QuarantinedPlugin}) in {@code file}: read when the
         * host is built, appended to when a plugin is quarantined, and shown by
         * {@code dynload plugins --quarantine FILE}.
         *
         * @param file the file; created when the first plugin is quarantined
         * @return this builder
         */
        public Builder quarantine(java.nio.file.Path file) {
            this.quarantine = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Runs only the plugins {@code file} pins, with the bytes it pins (see {@link Lockfile}): a plugin
         * not listed, or whose file's SHA-256 differs, fails to start, saying which, with both hashes and
         * the command that pins it again. What is hashed is what is loaded: the file is read once into a
         * sealed copy, in process and out of process. Plugins in jars are pinned by their bundle's index.
         *
         * @param file the lockfile, read when the host is built
         * @return this builder
         */
        public Builder lockfile(java.nio.file.Path file) {
            this.lockfile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Adds folders to scan for plugin files (not their subfolders).
         *
         * @param folders the folders, scanned in this order
         * @return this builder
         */
        public Builder folder(Path... folders) {
            for (Path f : folders) {
                this.folders.add(Objects.requireNonNull(f, "folder"));
            }
            return this;
        }

        /**
         * Adds a plugin shipped in a jar as a dynload bundle (docs/bundles.md): its library for this
         * platform is read from the jar and checked against the bundle's hash; its manifest is read from
         * a sealed memory copy, and at start the library loads from memory, as
         * {@code Library.openBundled} loads it.
         *
         * @param bundle the bundle's name
         * @param loader the class loader that sees the bundle's jar
         * @return this builder
         */
        public Builder bundle(String bundle, ClassLoader loader) {
            bundles.put(Objects.requireNonNull(bundle, "bundle"), Objects.requireNonNull(loader, "loader"));
            return this;
        }

        /**
         * Sets the host application's version, which plugins' {@code host} ranges are checked against.
         *
         * @param version a SemVer version; 1.0.0 when not set
         * @return this builder
         * @throws IllegalArgumentException if it is not a version
         */
        public Builder hostVersion(String version) {
            this.hostVersion = Version.parse(version);
            return this;
        }

        /**
         * Sets where plugins' log messages and the host's lifecycle messages go.
         *
         * @param logger the logger; {@link PluginLogger#standardError()} when not set
         * @return this builder
         */
        public Builder logger(PluginLogger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /**
         * Gives a plugin a configuration value, which it reads through {@code dlp_host.config}.
         *
         * @param pluginId the plugin
         * @param key the key
         * @param value the value
         * @return this builder
         */
        public Builder config(String pluginId, String key, String value) {
            config.computeIfAbsent(Objects.requireNonNull(pluginId, "pluginId"), k -> new LinkedHashMap<>())
                    .put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets how long {@link PluginHost#stop()} waits, per plugin, for the calls into it that are running
         * to return; a plugin whose calls have not returned by then is left {@link PluginState#STUCK}.
         *
         * @param timeout the time limit, positive; {@link #STOP_TIMEOUT} when not set
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder stopTimeout(java.time.Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the stop timeout must be positive, not " + timeout);
            }
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * {@return the host}
         *
         * @throws java.io.UncheckedIOException if the quarantine file exists and cannot be read: not a
         *         regular file (a FIFO, a device, a folder), larger than 16 MiB, or unreadable; or the
         *         lockfile cannot be read
         * @throws IllegalArgumentException if the lockfile is damaged, naming its line
         */
        public PluginHost build() {
            return new PluginHost(this);
        }
    }

    /** {@return the host application's version} */
    public Version hostVersion() {
        return hostVersion;
    }

    /**
     * Scans the folders and reads the manifest of each file named like a library, then of each bundle.
     * Loads nothing. A folder that is missing, is not a folder (a file, a FIFO) or cannot be listed is a
     * problem of its own; a FIFO, socket or device named like a library is one too, and never blocks.
     *
     * @return the plugins found and the files that are not usable plugins, with why
     */
    public Discovery discover() {
        return PluginFinder.discover(folders, bundles);
    }

    /**
     * Decides which plugins can run and orders them: each plugin after the plugins it requires. Of several
     * files with one plugin id, the newest version this host can run is used (see {@link Resolution}). A
     * plugin cannot run when its ABI or host range leaves this host out, when a plugin it requires is
     * missing, of a version outside the range, or cannot run itself, or when it lies on a dependency cycle.
     * Reads manifests only; takes time and memory linear in the plugins and their requirements.
     *
     * @param discovery what {@link #discover()} found
     * @return the start order and, for each plugin that cannot run, why
     */
    public Resolution resolve(Discovery discovery) {
        return Resolver.resolve(discovery.plugins(), hostVersion);
    }

    /**
     * Discovers, resolves and starts every plugin that can run, dependencies first: each is loaded,
     * negotiates its ABI version through its entry point, gets its host services at init, and starts. A
     * plugin that cannot run, fails in any step, or requires a plugin that failed, ends
     * {@link PluginState#FAILED} with its reason, and the others go on. No lock is held while a plugin's
     * code or the logger runs.
     *
     * @return every plugin found, in start order, the failed ones last
     * @throws IllegalStateException if the host has started already and not stopped (or a plugin was left
     *         {@link PluginState#STUCK} by the last stop), if a start or stop is running, or if called from a
     *         plugin's call into the host
     */
    public List<Plugin> start() {
        if (java.lang.foreign.ValueLayout.ADDRESS.byteSize() != 8) {
            throw new UnsupportedOperationException("dynload plugins need a 64-bit JVM; this one has "
                    + java.lang.foreign.ValueLayout.ADDRESS.byteSize() * 8 + "-bit pointers");
        }
        if (insideUpcall()) {
            throw new IllegalStateException("start() was called from code that a plugin called (a logger, a host "
                    + "service); start the host from another thread");
        }
        synchronized (lock) {
            if (phase != Phase.IDLE) {
                throw new IllegalStateException(switch (phase) {
                    case STARTING -> "the plugin host is starting already";
                    case STOPPING -> "the plugin host is stopping; start it again once stop() has returned";
                    case RELOADING -> "the plugin host is reloading a plugin, and has started already";
                    default -> "the plugin host has started already" + (stuck().isEmpty() ? ""
                            : " and its last stop left " + stuck() + " loaded") + "; stop() it first";
                });
            }
            phase = Phase.STARTING;
            lifecycleThread = Thread.currentThread();
            plugins.clear();
        }
        try {
            startAll();
        } finally {
            synchronized (lock) {
                phase = Phase.STARTED;
                lifecycleThread = null;
                lock.notifyAll();
            }
        }
        return plugins();
    }

    private void startAll() {
        Discovery found = discover();
        for (PluginException e : found.problems()) {
            say(String.valueOf(e.file().getFileName()), PluginLogger.Level.WARN, e.getMessage());
        }
        Resolution plan = resolve(found);
        for (String line : plan.passedOver()) {
            say("host", PluginLogger.Level.WARN, line);
        }
        Map<String, Plugin> byId = new LinkedHashMap<>();
        for (PluginDescriptor d : plan.startOrder()) {
            byId.put(d.id(), new Plugin(d, PluginState.RESOLVED, null));
        }
        isolate(byId.values());
        List<Plugin> unusable = new ArrayList<>();
        for (PluginDescriptor d : plan.cannotRun()) {
            unusable.add(new Plugin(d, PluginState.FAILED, plan.problems().get(d.id())));
        }
        for (Plugin p : byId.values()) {
            synchronized (lock) {
                plugins.add(p); // listed before it starts: a plugin that started is always reachable by stop()
            }
            if (p.state() == PluginState.FAILED) {
                continue; // refused before its start (a group that disagrees on its sandbox)
            }
            try {
                starter.start(p, byId);
            } catch (Throwable t) {
                // startOne unloads what it loaded whatever goes wrong; this keeps the others starting.
                if (p.state() != PluginState.STARTED) {
                    fail(p, "starting it failed: " + t);
                }
            }
        }
        for (PluginProcess process : processes()) {
            PluginStarter.closeIfUnused(process);
        }
        synchronized (lock) {
            List<Plugin> order = new ArrayList<>();
            for (Plugin p : plugins) {
                if (p.rawState() != PluginState.FAILED) {
                    order.add(p);
                }
            }
            for (Plugin p : plugins) {
                if (p.rawState() == PluginState.FAILED) {
                    order.add(p);
                }
            }
            order.addAll(unusable);
            plugins.clear();
            plugins.addAll(order);
        }
    }

    /** Gives each isolated plugin its process: one per plugin, or one per group, members in start order. */
    private void isolate(java.util.Collection<Plugin> inStartOrder) {
        Map<String, List<Plugin>> byProcess = new LinkedHashMap<>();
        Map<String, Isolation> kinds = new LinkedHashMap<>();
        for (Plugin p : inStartOrder) {
            Isolation i = isolation.getOrDefault(p.id(), defaultIsolation);
            if (i.isolated()) {
                String key = i.processKey(p.id());
                Isolation first = kinds.putIfAbsent(key, i);
                if (first != null && !first.equals(i)) {
                    fail(p, "it asks for " + i + ", and another plugin of its process for " + first + "; the plugins "
                            + "of a group share one sandbox");
                    continue;
                }
                byProcess.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
            }
        }
        List<PluginProcess> made = new ArrayList<>();
        for (Map.Entry<String, List<Plugin>> e : byProcess.entrySet()) {
            List<Plugin> members = e.getValue();
            if (members.size() > 64) {
                for (Plugin p : members.subList(64, members.size())) {
                    fail(p, e.getKey() + " has " + members.size() + " plugins, and a process holds at most 64; put "
                            + "it in another group");
                }
                members = new ArrayList<>(members.subList(0, 64));
            }
            PluginProcess process = new PluginProcess(e.getKey(), members, starter, callDeadline, restart, quarantine);
            for (int i = 0; i < members.size(); i++) {
                members.get(i).isolate(kinds.get(e.getKey()), process, i);
            }
            made.add(process);
        }
        synchronized (lock) {
            processes.clear();
            processes.addAll(made);
        }
    }

    /** How a reload out of process makes a new process, and puts it in the old one's place. */
    final class Processes {
        PluginProcess make(String key, List<Plugin> members) {
            return new PluginProcess(key, members, starter, callDeadline, restart, quarantine);
        }

        void replace(PluginProcess old, PluginProcess now) {
            synchronized (lock) {
                int at = processes.indexOf(old);
                if (at >= 0) {
                    processes.set(at, now);
                } else {
                    processes.add(now);
                }
            }
        }
    }

    private List<PluginProcess> processes() {
        synchronized (lock) {
            return List.copyOf(processes);
        }
    }

    /**
     * {@return the plugin files this host will not run, by SHA-256: isolated plugins that crashed more often
     * than the {@link RestartPolicy} allows, and those the quarantine file listed}
     */
    public List<QuarantinedPlugin> quarantined() {
        return quarantine.all();
    }

    /**
     * Stops the host ({@link #stop()}) and ends every process of its isolated plugins, whatever state
     * they are in; the plugins a stop left {@link PluginState#STUCK} in the JVM stay loaded, since code
     * still runs in them.
     */
    @Override
    public void close() {
        stop();
        for (PluginProcess process : processes()) {
            process.close();
        }
    }

    /** Whether this thread runs Java code that native code called: the JDK's upcall stubs are hidden frames. */
    private static boolean insideUpcall() {
        return StackWalker.getInstance(StackWalker.Option.SHOW_HIDDEN_FRAMES).walk(frames -> frames.anyMatch(
                f -> f.getClassName().startsWith("jdk.internal.foreign.abi.UpcallStub")));
    }

    void say(String id, PluginLogger.Level level, String message) {
        starter.say(id, level, message);
    }

    private void fail(Plugin p, String why) {
        starter.fail(p, why);
    }

    /**
     * Stops every started plugin, in reverse start order: its bound interfaces stop taking calls, the
     * calls and binds already running return, then its stop and destroy run, its host services refuse
     * from then on, and it is unloaded. One plugin's failure to stop does not keep the others loaded.
     *
     * <p>A plugin whose calls have not returned within the stop timeout ({@link Builder#stopTimeout}) is
     * left {@link PluginState#STUCK}: loaded, without its stop and destroy, since code still runs in it;
     * so are the plugins it requires, which it may still call. The host then stays started, and a later
     * {@code stop()} waits for them again. A stop called while another start or stop runs waits for it
     * first, then stops what is left.
     *
     * @throws IllegalStateException if called from inside a call into a plugin (it would wait for itself),
     *         or from the logger on the thread that runs this host's start or stop
     */
    public void stop() {
        if (insideUpcall()) {
            throw new IllegalStateException("stop() was called from code that a plugin called (a logger, a host "
                    + "service); it would wait for that plugin's own call to return: stop the host from another "
                    + "thread");
        }
        List<Plugin> reverse;
        synchronized (lock) {
            if (lifecycleThread == Thread.currentThread()) {
                throw new IllegalStateException("stop() was called on the thread that runs this host's "
                        + (phase == Phase.STARTING ? "start()" : "stop()") + " (from its logger?); it would wait for "
                        + "itself: stop the host from another thread");
            }
            boolean interrupted = false;
            while (phase == Phase.STARTING || phase == Phase.STOPPING || phase == Phase.RELOADING) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // a stop half done would leave plugins loaded: finish, then say so
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt(); // the waits below keep going all the same (NativePlugin.returned)
            }
            if (phase == Phase.IDLE) {
                return;
            }
            phase = Phase.STOPPING;
            lifecycleThread = Thread.currentThread();
            reverse = new ArrayList<>(plugins);
        }
        List<Plugin> inStartOrder = List.copyOf(reverse);
        java.util.Collections.reverse(reverse);
        try {
            List<String> leftLoaded = new ArrayList<>();
            for (Plugin p : reverse) {
                try {
                    stopper.stop(p, inStartOrder, leftLoaded);
                } catch (Throwable t) {
                    // PluginStopper unloads what it can whatever goes wrong; one plugin's failure does not keep
                    // the others loaded.
                    say(p.id(), PluginLogger.Level.ERROR, "stopping it failed: " + t);
                }
            }
        } finally {
            synchronized (lock) {
                phase = anyLoaded() ? Phase.STARTED : Phase.IDLE;
                lifecycleThread = null;
                lock.notifyAll();
            }
        }
    }

    /**
     * Replaces a started plugin with the file it was loaded from as that file is now (a rebuilt or
     * upgraded copy), while the host runs and callers keep calling (docs/plugins.md#reload). The new copy is
     * read, checked against the host and the plugins that run (and the lockfile, when one is given),
     * loaded beside the old copy, negotiated with and initialised; then the calls that start wait, the
     * calls running in the old copy return, the old copy hands its state to the new one (ABI 1.1
     * {@code save} and {@code restore}; a plugin built for 1.0 starts fresh), and the new copy starts. The
     * interfaces bound before ({@link Plugin#bind}) now call the new copy: a call that started before
     * finished in the old one, and none starts there once this returns. The old copy then stops, is
     * destroyed and unloaded. The plugins that require it are reloaded after it, each handing over its own
     * state; one that fails to is stopped and ends {@link PluginState#FAILED}.
     *
     * <p>If the new copy fails at any step, it is unloaded and the old one keeps serving, its bound
     * interfaces as they were: the calls that waited run on it.
     *
     * <p>A plugin out of process reloads into a new process (with the other plugins of its process, if it
     * shares one, each from its own file), its state carried across; the plugin object and its bound
     * interfaces move there, and the old process ends. A crash of the new process at any step leaves the
     * old one serving (docs/isolation.md).
     *
     * {@snippet :
     * Greeter g = host.plugin("com.example.greeter.c").orElseThrow().bind(Greeter.class);
     * // ... libgreeter.so is rebuilt ...
     * host.reload("com.example.greeter.c");   // g.greet(...) now runs the new code
     * }
     *
     * @param id the plugin's id
     * @return the plugin, with its new descriptor
     * @throws PluginReloadException if the plugin was not replaced, naming the step and the cause; the old
     *         copy serves as before
     * @throws IllegalStateException if the host is not started, a start, stop or other reload runs, or this
     *         is called from code a plugin called
     * @throws java.util.NoSuchElementException if no plugin of the last start has that id
     */
    public Plugin reload(String id) {
        Objects.requireNonNull(id, "id");
        if (insideUpcall()) {
            throw new IllegalStateException("reload() was called from code that a plugin called (a logger, a host "
                    + "service); it would wait for that plugin's own call to return: reload from another thread");
        }
        Plugin p;
        List<Plugin> all;
        synchronized (lock) {
            if (phase == Phase.RELOADING) {
                throw new IllegalStateException("another reload runs" + (lifecycleThread == Thread.currentThread()
                        ? " on this thread (from its logger?)" : "") + "; reload once it has returned");
            }
            if (phase != Phase.STARTED) {
                throw new IllegalStateException("the plugin host is " + phase.name().toLowerCase(java.util.Locale.ROOT)
                        + "; reload a plugin once start() has returned, and before stop()");
            }
            p = null;
            for (Plugin q : plugins) {
                if (q.id().equals(id)) {
                    p = q;
                }
            }
            if (p == null) {
                throw new java.util.NoSuchElementException("no plugin " + id + " was found by the last start()");
            }
            phase = Phase.RELOADING;
            lifecycleThread = Thread.currentThread();
            all = List.copyOf(plugins);
        }
        try {
            reloader.reload(p, all);
        } catch (PluginReloadException e) {
            say(id, PluginLogger.Level.ERROR, "reload refused: " + e.getMessage());
            throw e;
        } finally {
            synchronized (lock) {
                phase = Phase.STARTED;
                lifecycleThread = null;
                lock.notifyAll();
            }
        }
        return p;
    }

    /**
     * Watches the plugin folders, and reloads a started plugin (in process, from a file) whose file
     * changes, once it has stayed unchanged for {@code quiet} and reads as a plugin: a file still being
     * written is waited for (see {@link PluginWatch}). What each reload does is said to the logger.
     *
     * {@snippet :
     * host.start();
     * try (PluginWatch watch = host.watch(Duration.ofMillis(500))) {
     *     server.awaitShutdown();   // meanwhile, a new plugins/libgreeter.so is reloaded
     * }
     * }
     *
     * @param quiet how long a changed file must stay unchanged before it is taken; zero takes it at once
     * @return the watch: close it to stop
     * @throws java.io.IOException if a folder cannot be watched
     * @throws IllegalArgumentException if {@code quiet} is negative
     */
    public PluginWatch watch(java.time.Duration quiet) throws java.io.IOException {
        if (quiet.isNegative()) {
            throw new IllegalArgumentException("the quiet time must not be negative, not " + quiet);
        }
        return new PluginWatch(this, folders, quiet);
    }

    /** The ids of the plugins left STUCK; called with the lock held. */
    private List<String> stuck() {
        List<String> ids = new ArrayList<>();
        for (Plugin p : plugins) {
            if (p.rawState() == PluginState.STUCK) { // rawState: under the lock, never a process check and its logger
                ids.add(p.id());
            }
        }
        return ids;
    }

    /** Whether a plugin is still loaded (stuck, or one a failure left started); called with the lock held. */
    private boolean anyLoaded() {
        for (Plugin p : plugins) {
            if (p.loaded().isPresent() || p.rawState() == PluginState.STARTED || p.rawState() == PluginState.CRASHED) {
                return true;
            }
        }
        return false;
    }

    /** {@return the plugins of the last {@link #start()}, in start order, the failed ones last} */
    public List<Plugin> plugins() {
        synchronized (lock) {
            return List.copyOf(plugins);
        }
    }

    /**
     * {@return the plugin of that id from the last {@link #start()}}
     *
     * @param id the plugin's id
     */
    public Optional<Plugin> plugin(String id) {
        synchronized (lock) {
            for (Plugin p : plugins) {
                if (p.id().equals(id)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }
}
