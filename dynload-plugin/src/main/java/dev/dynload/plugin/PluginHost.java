package dev.dynload.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

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
 * Every method may be called from any thread. {@link #discover()} and {@link #resolve} only read files;
 * {@link #start()}, {@link #stop()} and binding take the host's lifecycle lock, so that a plugin's
 * lifecycle calls run one at a time. Bound interfaces are called without it.
 *
 * <h2>Safety</h2>
 * Discovery and resolution read files only: no plugin code runs, and a damaged or hostile file is a
 * {@link PluginException} in {@link Discovery#problems()}, never a crash or a hang. The ELF reader
 * bounds every read by the file and the manifest by {@link PluginManifest#MAX_TEXT}.
 *
 * <h2>Platform-specific behaviour</h2>
 * Manifests are read from ELF files (Linux); a scan looks at the files whose names end in {@code .so}.
 */
public final class PluginHost {

    /** How long stop() waits for a plugin's running calls before it leaves that plugin loaded. */
    private static final java.time.Duration CALLS_WAIT = java.time.Duration.ofSeconds(10);

    /** Files by name, as a named class rather than a lambda (see discover). */
    private static final Comparator<Path> BY_FILE_NAME = new Comparator<>() {
        @Override
        public int compare(Path a, Path b) {
            return a.getFileName().toString().compareTo(b.getFileName().toString());
        }
    };

    /** The ABI versions of dynload_plugin.h this host speaks. */
    public static final int ABI_MIN = 1;
    public static final int ABI_MAX = 1;

    private final List<Path> folders;
    /** Bundles in jars: name, and the class loader that sees the jar. */
    private final Map<String, ClassLoader> bundles;
    private final Version hostVersion;
    private final PluginLogger logger;
    private final Map<String, Map<String, String>> config;
    /** Guards every lifecycle change: start, stop, and binding while started. */
    private final Object lifecycle = new Object();
    /** The plugins of the last start, in start order; guarded by lifecycle. */
    private final List<Plugin> plugins = new ArrayList<>();
    private boolean started;
    private boolean stopping;

    private PluginHost(List<Path> folders, Map<String, ClassLoader> bundles, Version hostVersion, PluginLogger logger,
                       Map<String, Map<String, String>> config) {
        this.folders = List.copyOf(folders);
        this.bundles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bundles));
        this.hostVersion = hostVersion;
        this.logger = logger;
        this.config = Map.copyOf(config);
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

        private Builder() {
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
         * @param logger the logger; standard error when not set
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

        /** {@return the host} */
        public PluginHost build() {
            Map<String, Map<String, String>> copy = new LinkedHashMap<>();
            config.forEach((id, values) -> copy.put(id, Map.copyOf(values)));
            return new PluginHost(folders, bundles, hostVersion, logger, copy);
        }
    }

    /** {@return the host application's version} */
    public Version hostVersion() {
        return hostVersion;
    }

    /**
     * Scans the folders and reads the manifest of each file named like a library, then of each bundle.
     * Loads nothing.
     *
     * @return the plugins found and the files that are not usable plugins, with why
     */
    public Discovery discover() {
        List<PluginDescriptor> plugins = new ArrayList<>();
        List<PluginException> problems = new ArrayList<>();
        for (Path folder : folders) {
            List<Path> files = new ArrayList<>();
            // Loops, not a stream with lambdas: each lambda costs a fresh JVM a class spun at run time.
            try (java.nio.file.DirectoryStream<Path> list = Files.newDirectoryStream(folder)) {
                for (Path f : list) {
                    if (f.getFileName().toString().endsWith(".so")) {
                        files.add(f);
                    }
                }
                files.sort(BY_FILE_NAME);
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                problems.add(new PluginException(PluginException.Reason.UNREADABLE, folder,
                        "cannot be listed: " + e.getMessage(), "check that the plugin folder exists and is readable", e));
                continue;
            }
            for (Path f : files) {
                try {
                    plugins.add(PluginDescriptor.read(f));
                } catch (PluginException e) {
                    problems.add(e);
                }
            }
        }
        for (Map.Entry<String, ClassLoader> b : bundles.entrySet()) {
            try {
                plugins.add(PluginDescriptor.readBundled(b.getKey(), b.getValue()));
            } catch (PluginException e) {
                problems.add(e);
            }
        }
        return new Discovery(plugins, problems);
    }

    /**
     * Decides which plugins can run and orders them: each plugin after the plugins it requires.
     *
     * @param discovery what {@link #discover()} found
     * @return the start order and, for each plugin that cannot run, why
     */
    public Resolution resolve(Discovery discovery) {
        List<String> passedOver = new ArrayList<>();
        Map<String, PluginDescriptor> byId = new LinkedHashMap<>();
        for (PluginDescriptor d : discovery.plugins()) {
            PluginDescriptor other = byId.get(d.id());
            if (other == null) {
                byId.put(d.id(), d);
            } else {
                PluginDescriptor kept = d.version().compareTo(other.version()) > 0 ? d : other;
                PluginDescriptor dropped = kept == d ? other : d;
                byId.put(d.id(), kept);
                passedOver.add(dropped.file() + " (" + d.id() + " " + dropped.version() + ") is passed over for "
                        + kept.file() + " (" + kept.version() + "); remove one of them");
            }
        }
        Map<String, String> unusable = new LinkedHashMap<>();
        for (PluginDescriptor d : byId.values()) {
            PluginManifest m = d.manifest();
            if (m.abiMax() < ABI_MIN || m.abiMin() > ABI_MAX) {
                unusable.put(d.id(), "speaks plugin ABI " + m.abiMin() + ".." + m.abiMax() + " and this host "
                        + ABI_MIN + ".." + ABI_MAX + "; build it against this host's dynload_plugin.h");
            } else if (m.host().isPresent() && !m.host().get().contains(hostVersion)) {
                unusable.put(d.id(), "works with host versions " + m.host().get() + ", and this host is "
                        + hostVersion + "; use a version of the plugin made for it");
            }
        }
        // Dependencies, to a fixed point: a plugin whose dependency cannot run cannot run either.
        boolean changed = true;
        while (changed) {
            changed = false;
            for (PluginDescriptor d : byId.values()) {
                if (unusable.containsKey(d.id())) {
                    continue;
                }
                for (Requirement r : d.manifest().requires()) {
                    PluginDescriptor dep = byId.get(r.pluginId());
                    String why = null;
                    if (dep == null) {
                        why = "requires " + r + ", which is not in the plugin folders; add it";
                    } else if (!r.versions().contains(dep.version())) {
                        why = "requires " + r + ", and the plugin folders have version " + dep.version() + " ("
                                + dep.file() + "); add a version in that range";
                    } else if (unusable.containsKey(dep.id())) {
                        why = "requires " + dep.id() + ", which cannot run: " + unusable.get(dep.id());
                    }
                    if (why != null) {
                        unusable.put(d.id(), why);
                        changed = true;
                        break;
                    }
                }
            }
        }
        List<PluginDescriptor> order = new ArrayList<>();
        Map<String, Integer> state = new LinkedHashMap<>(); // 1: visiting, 2: done
        for (PluginDescriptor d : byId.values()) {
            if (!unusable.containsKey(d.id())) {
                visit(d, byId, unusable, state, new ArrayList<>(), order);
            }
        }
        return new Resolution(order, new TreeMap<>(unusable), passedOver);
    }

    /**
     * Discovers, resolves and starts every plugin that can run, dependencies first: each is loaded,
     * negotiates its ABI version through its entry point, gets its host services at init, and starts. A
     * plugin that cannot run, fails in any step, or requires a plugin that failed, ends
     * {@link PluginState#FAILED} with its reason, and the others go on.
     *
     * @return every plugin found, in start order, the failed ones last
     * @throws IllegalStateException if the host has started already and not stopped
     */
    public List<Plugin> start() {
        synchronized (lifecycle) {
            if (started || stopping) {
                throw new IllegalStateException("the plugin host has started already; stop() it first");
            }
            if (java.lang.foreign.ValueLayout.ADDRESS.byteSize() != 8) {
                throw new UnsupportedOperationException("dynload plugins need a 64-bit JVM; this one has "
                        + java.lang.foreign.ValueLayout.ADDRESS.byteSize() * 8 + "-bit pointers");
            }
            started = true;
            plugins.clear();
            Discovery found = discover();
            for (PluginException e : found.problems()) {
                say(e.file().getFileName().toString(), PluginLogger.Level.WARN, e.getMessage());
            }
            Resolution plan = resolve(found);
            for (String line : plan.passedOver()) {
                say("host", PluginLogger.Level.WARN, line);
            }
            Map<String, Plugin> byId = new LinkedHashMap<>();
            for (PluginDescriptor d : plan.startOrder()) {
                byId.put(d.id(), new Plugin(d, lifecycle, PluginState.RESOLVED, null));
            }
            List<Plugin> failed = new ArrayList<>();
            for (PluginDescriptor d : newestById(found.plugins()).values()) {
                String why = plan.problems().get(d.id());
                if (why != null && !byId.containsKey(d.id())) {
                    failed.add(new Plugin(d, lifecycle, PluginState.FAILED, why));
                }
            }
            for (Plugin p : byId.values()) {
                // Listed before it starts: a plugin that started is always reachable by stop().
                plugins.add(p);
                startOne(p, byId);
            }
            List<Plugin> order = new ArrayList<>();
            for (Plugin p : plugins) {
                if (p.state() != PluginState.FAILED) {
                    order.add(p);
                }
            }
            for (Plugin p : plugins) {
                if (p.state() == PluginState.FAILED) {
                    order.add(p);
                }
            }
            order.addAll(failed);
            plugins.clear();
            plugins.addAll(order);
            return List.copyOf(plugins);
        }
    }

    /** Per id, the descriptor of the newest version, as resolution keeps it. */
    private static Map<String, PluginDescriptor> newestById(List<PluginDescriptor> found) {
        Map<String, PluginDescriptor> byId = new LinkedHashMap<>();
        for (PluginDescriptor d : found) {
            PluginDescriptor other = byId.get(d.id());
            if (other == null || d.version().compareTo(other.version()) > 0) {
                byId.put(d.id(), d);
            }
        }
        return byId;
    }

    /** Starts one plugin; whatever goes wrong, it ends FAILED and unloaded, and the others go on. */
    private void startOne(Plugin p, Map<String, Plugin> byId) {
        List<Dependency> deps = new ArrayList<>();
        for (Requirement r : p.descriptor().manifest().requires()) {
            Plugin dep = byId.get(r.pluginId());
            if (dep == null || dep.state() != PluginState.STARTED) {
                fail(p, "requires " + r.pluginId() + ", which did not start: "
                        + (dep == null ? "not found" : dep.failure().orElse(dep.state().toString())));
                return;
            }
            deps.add(new Dependency(dep.descriptor().manifest(), dep.loaded().orElseThrow()));
        }
        NativePlugin n;
        try {
            n = NativePlugin.load(p.descriptor(), hostVersion.toString());
        } catch (NativePlugin.Refused e) {
            fail(p, e.getMessage());
            return;
        } catch (RuntimeException e) {
            fail(p, "loading it failed: " + e);
            return;
        }
        boolean initialised = false;
        try {
            // The dependencies' tables, fixed now: they stay loaded until this plugin has stopped, and
            // the service needs no lock, so a plugin may call it from any thread, even while stop() waits.
            List<Dependency> fixed = List.copyOf(deps);
            HostServices services = HostServices.make(p.descriptor(), n.abi(), hostVersion.toString(), logger,
                    config.getOrDefault(p.id(), Map.of()), (id, major, minMinor) -> find(fixed, id, major, minMinor),
                    n.arena());
            try {
                n.init(services.struct());
                initialised = true;
                n.start();
            } catch (NativePlugin.Refused e) {
                Optional<String> logged = services.lastError();
                throw new NativePlugin.Refused(e.getMessage() + (logged.isPresent() ? ": " + logged.get() : ""));
            }
            p.started(n);
            say(p.id(), PluginLogger.Level.INFO, "started " + p.descriptor().version() + " (ABI " + n.abi() + ")");
        } catch (NativePlugin.Refused | RuntimeException e) {
            fail(p, e instanceof NativePlugin.Refused ? e.getMessage() : "starting it failed: " + e);
            try {
                if (initialised) {
                    n.destroy(); // a failed start: init made state, which destroy frees (stop is not called)
                }
            } catch (RuntimeException ignored) {
                // it is failed and unloaded anyway
            } finally {
                n.unload();
            }
        }
    }

    /** A started plugin this one requires: its manifest and its native side. */
    private record Dependency(PluginManifest manifest, NativePlugin loaded) {
    }

    private static Optional<java.lang.foreign.MemorySegment> find(List<Dependency> deps, String id, int major,
                                                                    int minMinor) {
        for (Dependency d : deps) {
            Optional<ProvidedInterface> provided = d.manifest().provided(id, major);
            if (provided.isPresent() && provided.get().minor() >= minMinor) {
                return d.loaded().getInterface(id, major, minMinor);
            }
        }
        return Optional.empty();
    }

    /** Whether this thread runs Java code that native code called: the JDK's upcall stubs are hidden frames. */
    private static boolean insideUpcall() {
        return StackWalker.getInstance(StackWalker.Option.SHOW_HIDDEN_FRAMES).walk(frames -> frames.anyMatch(
                f -> f.getClassName().startsWith("jdk.internal.foreign.abi.UpcallStub")));
    }

    /** Logs a lifecycle message; a logger that throws is not the plugins' problem, nor the caller's. */
    private void say(String id, PluginLogger.Level level, String message) {
        try {
            logger.log(id, level, message);
        } catch (RuntimeException e) {
            // nowhere else to report it
        }
    }

    private void fail(Plugin p, String why) {
        p.failed(why);
        say(p.id(), PluginLogger.Level.ERROR, "failed: " + why);
    }

    /**
     * Stops every started plugin, in reverse start order: its bound interfaces stop taking calls, the
     * calls already running return, then its stop and destroy run and it is unloaded. The wait for
     * running calls happens outside the host's lock, so a call that uses a host service (or a logger
     * that asks the host for its plugins) does not hold it up. One plugin's failure to stop does not
     * keep the others loaded.
     *
     * @throws IllegalStateException if called from inside a call into a plugin (it would wait for itself)
     */
    public void stop() {
        if (insideUpcall()) {
            throw new IllegalStateException("stop() was called from code that a plugin called (a logger, a host "
                    + "service); it would wait for that plugin's own call to return: stop the host from another "
                    + "thread");
        }
        List<Plugin> reverse;
        synchronized (lifecycle) {
            if (!started || stopping) {
                return;
            }
            stopping = true;
            reverse = new ArrayList<>(plugins);
        }
        java.util.Collections.reverse(reverse);
        try {
            for (Plugin p : reverse) {
                NativePlugin n;
                synchronized (lifecycle) {
                    if (p.state() != PluginState.STARTED) {
                        continue;
                    }
                    n = p.stopping();
                }
                boolean returned;
                try {
                    returned = n.closeCalls(CALLS_WAIT); // outside the lock: waits for the calls already running
                } catch (RuntimeException e) {
                    returned = false;
                }
                if (!returned) {
                    // A call still runs in it: its host services and code must stay, so nothing is freed.
                    say(p.id(), PluginLogger.Level.ERROR, "calls into it did not return within "
                            + CALLS_WAIT.toSeconds() + " s; it is left loaded, without its stop and destroy");
                    continue;
                }
                try {
                    synchronized (lifecycle) {
                        int rc = n.stop();
                        if (rc != 0) {
                            say(p.id(), PluginLogger.Level.WARN, "stop returned status " + rc);
                        }
                        n.destroy();
                    }
                } catch (RuntimeException e) {
                    say(p.id(), PluginLogger.Level.ERROR, "stopping it failed: " + e);
                } finally {
                    try {
                        n.unload();
                    } catch (RuntimeException e) {
                        say(p.id(), PluginLogger.Level.ERROR, "unloading it failed: " + e);
                    }
                }
                say(p.id(), PluginLogger.Level.INFO, "stopped");
            }
        } finally {
            synchronized (lifecycle) {
                started = false;
                stopping = false;
            }
        }
    }

    /** {@return the plugins of the last {@link #start()}, in start order, the failed ones last} */
    public List<Plugin> plugins() {
        synchronized (lifecycle) {
            return List.copyOf(plugins);
        }
    }

    /** {@return the plugin of that id from the last {@link #start()}} */
    public Optional<Plugin> plugin(String id) {
        synchronized (lifecycle) {
            for (Plugin p : plugins) {
                if (p.id().equals(id)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /** Depth first, dependencies before dependents; a plugin met again while visiting closes a cycle. */
    private static void visit(PluginDescriptor d, Map<String, PluginDescriptor> byId, Map<String, String> unusable,
                              Map<String, Integer> state, List<String> path, List<PluginDescriptor> order) {
        Integer s = state.get(d.id());
        if (s != null && s == 2) {
            return;
        }
        if (s != null) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(d.id()), path.size()));
            cycle.add(d.id());
            for (String member : cycle) {
                unusable.putIfAbsent(member, "is in a dependency cycle, " + String.join(" -> ", cycle)
                        + "; remove one of those requirements");
            }
            return;
        }
        state.put(d.id(), 1);
        path.add(d.id());
        for (Requirement r : d.manifest().requires()) {
            PluginDescriptor dep = byId.get(r.pluginId());
            if (dep != null) {
                visit(dep, byId, unusable, state, path, order);
            }
        }
        path.removeLast();
        state.put(d.id(), 2);
        if (!unusable.containsKey(d.id())) {
            boolean depsOk = true;
            for (Requirement r : d.manifest().requires()) {
                depsOk &= !unusable.containsKey(r.pluginId());
            }
            if (depsOk) {
                order.add(d);
            } else {
                unusable.put(d.id(), "requires a plugin that cannot run: "
                        + d.manifest().requires().stream().filter(r -> unusable.containsKey(r.pluginId()))
                        .map(r -> r.pluginId() + " (" + unusable.get(r.pluginId()) + ")").findFirst().orElse("?"));
            }
        }
    }
}
