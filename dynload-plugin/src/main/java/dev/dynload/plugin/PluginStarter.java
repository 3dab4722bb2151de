package dev.dynload.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one plugin's start: checks that the plugins it requires started, loads it, negotiates its ABI
 * version, gives it its host services at init, and starts it; whatever goes wrong, it ends
 * {@link PluginState#FAILED} and unloaded, and the host goes on with the others. Holds no lock: the
 * plugin's code and the logger run freely.
 */
final class PluginStarter {

    private final Version hostVersion;
    private final PluginLogger logger;
    private final Map<String, Map<String, String>> config;

    private final Quarantine quarantine;
    /** Whether plugins in process load from sealed private copies of their files. */
    private final boolean privateCopies;

    /** The plugins this host may run, and where they were read from; null when nothing is pinned. */
    private final @org.jspecify.annotations.Nullable Lockfile pins;
    private final java.nio.file.@org.jspecify.annotations.Nullable Path pinsFile;

    PluginStarter(Version hostVersion, PluginLogger logger, Map<String, Map<String, String>> config,
                  Quarantine quarantine, @org.jspecify.annotations.Nullable Lockfile pins,
                  java.nio.file.@org.jspecify.annotations.Nullable Path pinsFile, boolean privateCopies) {
        this.privateCopies = privateCopies && SEALED_COPIES;
        this.pins = pins;
        this.pinsFile = pinsFile;
        this.quarantine = quarantine;
        this.hostVersion = hostVersion;
        this.logger = logger;
        this.config = config;
    }

    String hostVersion() {
        return hostVersion.toString();
    }

    Map<String, String> config(String pluginId) {
        return config.getOrDefault(pluginId, Map.of());
    }

    /** Starts one plugin; whatever goes wrong, it ends FAILED and unloaded, and the others go on. */
    void start(Plugin p, Map<String, Plugin> byId) {
        if (p.process().isPresent()) {
            startIsolated(p, p.process().get(), byId); // checks the quarantine on the descriptor it hands over
            return;
        }
        Optional<String> quarantined = quarantined(p.descriptor());
        if (quarantined.isPresent()) {
            fail(p, quarantined.get());
            return;
        }
        // Listed? Its bytes are hashed where they are loaded from, a sealed copy (LoadOption.sha256).
        Optional<String> unpinned = pinRefusal(p.descriptor(), null);
        if (unpinned.isPresent()) {
            fail(p, unpinned.get());
            return;
        }
        List<Dependency> deps = new ArrayList<>();
        Optional<String> missing = dependencies(p.descriptor(), byId, deps);
        if (missing.isPresent()) {
            fail(p, missing.get());
            return;
        }
        p.starting();
        NativePlugin n;
        try {
            n = load(p.descriptor());
        } catch (NativePlugin.Refused e) {
            boolean otherBytes = pins != null && String.valueOf(e.getMessage()).contains("not the pinned");
            fail(p, e.getMessage() + (otherBytes ? " (pinned by the lockfile " + pinsFile + "); "
                    + Lockfile.repin(pinsFile) : ""));
            return;
        } catch (RuntimeException e) {
            fail(p, "loading it failed: " + e);
            return;
        }
        boolean initialised = false;
        HostServices services = null;
        try {
            // The dependencies' tables, fixed now: they stay loaded until this plugin has stopped, and the
            // service needs no lock, so a plugin may call it from any thread, even while stop() waits.
            services = services(n, deps);
            try {
                n.init(services.struct());
                initialised = true;
                n.start();
            } catch (NativePlugin.Refused e) {
                Optional<String> logged = services.lastError();
                throw new NativePlugin.Refused(e.getMessage() + (logged.isPresent() ? ": " + logged.get() : ""));
            }
            p.started(n, services);
        } catch (NativePlugin.Refused | RuntimeException | Error e) {
            try {
                if (initialised) {
                    n.destroy(); // a failed start: init made state, which destroy frees (stop is not called)
                }
            } catch (RuntimeException ignored) {
                // it is failed and unloaded anyway
            } finally {
                if (services != null) {
                    services.retire();
                }
                unload(p, n);
            }
            fail(p, e instanceof NativePlugin.Refused ? e.getMessage() : "starting it failed: " + e);
            return;
        }
        say(p.id(), PluginLogger.Level.INFO, "started " + p.descriptor().version() + " (ABI " + n.abi() + ")");
    }

    /**
     * Collects the started plugins {@code d} requires into {@code deps}. {@return why one cannot serve it:
     * not found, or not started}
     */
    Optional<String> dependencies(PluginDescriptor d, Map<String, Plugin> byId, List<Dependency> deps) {
        for (Requirement r : d.manifest().requires()) {
            Plugin dep = byId.get(r.pluginId());
            Optional<NativePlugin> loaded = dep == null ? Optional.empty() : dep.loaded();
            if (dep == null || dep.state() != PluginState.STARTED) {
                return Optional.of("requires " + r.pluginId() + ", which did not start: "
                        + (dep == null ? "not found" : dep.failure().orElse(dep.state().toString())));
            }
            if (!r.versions().contains(dep.descriptor().version())) {
                return Optional.of("requires " + r.pluginId() + " " + r.versions() + ", and " + dep.descriptor().version()
                        + " runs");
            }
            if (loaded.isEmpty()) {
                say(d.id(), PluginLogger.Level.INFO, "requires " + r.pluginId() + ", which runs in another process ("
                        + dep.isolation() + "): its tables are reached through upcalls to the host (functions that "
                        + "pass a ptr are NULL in them)");
            }
            deps.add(new Dependency(dep.descriptor().manifest(), loaded.orElse(null), dep));
        }
        return Optional.empty();
    }

    /** {@return the host services of a loaded plugin, over its dependencies as they are now} */
    HostServices services(NativePlugin n, List<Dependency> deps) {
        PluginDescriptor d = n.descriptor();
        return HostServices.make(d, n.abi(), hostVersion.toString(), logger, config.getOrDefault(d.id(), Map.of()),
                new DependencyTables(List.copyOf(deps), new RemoteDependencies(this, d.id()), n.arena()), n.arena());
    }

    /**
     * Starts a plugin in its process: the process first, if this is its first member to start; then its
     * entry point, init (with its providers: the plugins it requires that share its process) and start,
     * each a step in the runner. A crash in any of them leaves it FAILED, saying how its process ended.
     */
    private void startIsolated(Plugin p, PluginProcess process, Map<String, Plugin> byId) {
        long providers = 0;
        List<Plugin> elsewhere = new ArrayList<>();
        for (Requirement r : p.descriptor().manifest().requires()) {
            Plugin dep = byId.get(r.pluginId());
            if (dep == null || dep.state() != PluginState.STARTED) {
                fail(p, "requires " + r.pluginId() + ", which did not start: "
                        + (dep == null ? "not found" : dep.failure().orElse(dep.state().toString())));
                return;
            }
            int at = process.indexOf(dep);
            if (at >= 0) {
                providers |= 1L << at;
            } else {
                elsewhere.add(dep);
                say(p.id(), PluginLogger.Level.INFO, "requires " + r.pluginId() + ", which runs " + (dep.isolation()
                        .isolated() ? "in another process (" + dep.isolation() + ")" : "in the host's process")
                        + ": its tables are reached through the host (functions that pass a ptr are NULL "
                        + "in them)");
            }
        }
        p.starting();
        int index = p.index();
        boolean initialised = false;
        try {
            process.spawn();
            int abi = process.entry(index, hostVersion.toString());
            PluginManifest m = p.descriptor().manifest();
            if (abi < m.abiMin() || abi > m.abiMax()) {
                throw new NativePlugin.Refused("answered ABI " + abi + ", outside its manifest's " + m.abiMin() + ".."
                        + m.abiMax());
            }
            process.addRemotes(index, elsewhere);
            process.init(index, hostVersion.toString(), config(p.id()), providers);
            initialised = true;
            try {
                process.start(index);
            } catch (NativePlugin.Refused e) {
                process.destroy(index); // init made state, which destroy frees (stop is not called)
                throw e;
            }
            p.startedIsolated();
        } catch (NativePlugin.Refused e) {
            fail(p, e.getMessage());
            closeIfUnused(process);
            return;
        } catch (dev.dynload.LibraryCrashedException e) {
            process.recordEndIfEnded(p, String.valueOf(e.getMessage()));
            fail(p, "its process ended during " + (initialised ? "start" : "its entry point or init") + ": "
                    + e.getMessage());
            closeIfUnused(process);
            return;
        } catch (RuntimeException e) {
            fail(p, "starting it failed: " + e);
            closeIfUnused(process);
            return;
        }
        say(p.id(), PluginLogger.Level.INFO, "started " + p.descriptor().version() + " in " + process);
    }

    /**
     * {@return why a plugin file is quarantined, by the SHA-256 of its bytes, when it is} Hashes the file only
     * when the quarantine lists something; a bundle is checked against its index's hash by its loader.
     */
    Optional<String> quarantined(PluginDescriptor d) {
        if (quarantine.isEmpty() || d.bundle().isPresent()) {
            return Optional.empty();
        }
        // Opened without blocking, as a load opens it: a FIFO or device swapped in since discovery is not
        // read here (its load refuses it, saying what it is).
        try (dev.dynload.internal.OpenFile open = dev.dynload.internal.NativeLoader.current().openFile(d.file())) {
            if (open.kind() != dev.dynload.internal.OpenFile.Kind.REGULAR) {
                return Optional.empty();
            }
            return quarantine.refusal(dev.dynload.internal.Hashes.sha256(open.readable()));
        } catch (java.io.IOException e) {
            return Optional.empty(); // its load reports the file's problem
        }
    }

    /** {@return whether a lockfile pins what plugins run} */
    boolean pinned() {
        return pins != null;
    }

    /**
     * {@return why {@code d} may not run under the lockfile, if one is given: not listed, or its bytes
     * ({@code sha256}, of the sealed copy loaded; null: not hashed yet) are others} A plugin in a jar is
     * pinned by its bundle's index.
     */
    Optional<String> pinRefusal(PluginDescriptor d, @org.jspecify.annotations.Nullable String sha256) {
        if (pins == null) {
            return Optional.empty();
        }
        if (d.bundle().isPresent() && sha256 == null) {
            // Its index, hashed: the bundle's loader checks every file it loads against the index.
            try {
                sha256 = d.bundleSha256();
            } catch (java.io.IOException e) {
                return Optional.of("its bundle's index cannot be read to check it against the lockfile " + pinsFile
                        + ": " + e.getMessage());
            }
        }
        return pins.refusal(d, sha256, pinsFile);
    }

    /** Whether this system has sealed memory files for private copies (Linux). */
    private static final boolean SEALED_COPIES = System.getProperty("os.name", "").startsWith("Linux");

    /**
     * {@return how {@code d}'s file loads in process: from a sealed private copy, pinned by its hash when
     * the lockfile lists it} A private copy (Linux) is what lets a plugin file be replaced on disk while it
     * runs, even written over in place ({@code cp}), which would corrupt a file the loader mapped; and it
     * is a distinct object for the loader, so that a reload of the same path loads the new bytes. A copy
     * costs a read of the file (docs/benchmarks.md: no slower than a load by path).
     */
    dev.dynload.LoadOption[] pin(PluginDescriptor d) {
        Optional<Lockfile.Entry> e = pins == null || d.bundle().isPresent() ? Optional.empty() : pins.entry(d.id());
        if (e.isPresent()) {
            return new dev.dynload.LoadOption[] {dev.dynload.LoadOption.sha256(e.get().sha256())};
        }
        return privateCopies && d.bundle().isEmpty() ? new dev.dynload.LoadOption[] {dev.dynload.LoadOption.PRIVATE_COPY}
                : new dev.dynload.LoadOption[0];
    }

    /**
     * Loads {@code d} as {@link #pin} says; a private copy this system will not make (no memfd, or a policy
     * against executable ones) falls back, unpinned, to the file itself, said once as a WARN.
     */
    private NativePlugin load(PluginDescriptor d) throws NativePlugin.Refused {
        dev.dynload.LoadOption[] options = pin(d);
        boolean copy = options.length == 1 && options[0] == dev.dynload.LoadOption.PRIVATE_COPY;
        try {
            return NativePlugin.load(d, hostVersion.toString(), options);
        } catch (NativePlugin.Refused | UnsupportedOperationException e) {
            if (!copy || (e instanceof NativePlugin.Refused && !String.valueOf(e.getMessage()).contains("memory file"))) {
                throw e;
            }
            if (COPIES_REFUSED.compareAndSet(false, true)) {
                say(d.id(), PluginLogger.Level.WARN, "this system makes no sealed private copy (" + e.getMessage()
                        + "); plugins load from their files: replace a file only by renaming a new one into place");
            }
            return NativePlugin.load(d, hostVersion.toString());
        }
    }

    /** Whether a private copy was refused once in this JVM, and said. */
    private static final java.util.concurrent.atomic.AtomicBoolean COPIES_REFUSED =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** Ends a plugin process none of whose members runs or may run again. */
    static void closeIfUnused(PluginProcess process) {
        if (process.unused()) {
            process.close();
        }
    }

    /**
     * Unloads a plugin's library; a loader's failure is logged, not thrown, so the others go on. Once the
     * loader has it back, a library it kept mapped is said, once (see {@link StaysMapped}).
     */
    void unload(Plugin p, NativePlugin n) {
        try {
            n.unload().whenComplete((done, failed) -> {
                if (failed == null) {
                    StaysMapped.check(n.descriptor(), n.witness()).ifPresent(why -> say(p.id(),
                            PluginLogger.Level.WARN, why));
                }
            });
        } catch (RuntimeException e) {
            say(p.id(), PluginLogger.Level.ERROR, "unloading it failed: " + e);
        }
    }

    /** A started plugin this one requires: its manifest and its native side. */
    record Dependency(PluginManifest manifest, @org.jspecify.annotations.Nullable NativePlugin loaded,
                              Plugin plugin) {
    }

    /** The dependency service's lookup over a plugin's fixed dependencies; a class, not a lambda, for cold start. */
    private static final class DependencyTables implements HostServices.Dependencies {
        private final List<Dependency> deps;
        /** For a dependency in another process: tables of upcalls that call it there, made once each. */
        private final RemoteDependencies remote;
        private final java.lang.foreign.Arena arena;
        private final Map<ProvidedInterface, java.lang.foreign.MemorySegment> upcallTables =
                new java.util.concurrent.ConcurrentHashMap<>();

        DependencyTables(List<Dependency> deps, RemoteDependencies remote, java.lang.foreign.Arena arena) {
            this.deps = deps;
            this.remote = remote;
            this.arena = arena;
        }

        @Override
        public Optional<java.lang.foreign.MemorySegment> find(String id, int major, int minMinor) {
            for (Dependency d : deps) {
                // In process, the provider as it runs now: a reload may have brought another manifest.
                PluginManifest m = d.loaded() == null ? d.manifest() : d.plugin().descriptor().manifest();
                Optional<ProvidedInterface> provided = m.provided(id, major);
                if (provided.isPresent() && provided.get().minor() >= minMinor) {
                    if (d.loaded() == null) {
                        return Optional.of(upcallTables.computeIfAbsent(provided.get(),
                                i -> remote.upcallTable(d.plugin(), i, arena)));
                    }
                    // The provider's copy now: after a reload that told this plugin, the new one's table.
                    // Unloaded (stopped): nothing, never the copy captured at start, which may be gone.
                    Optional<NativePlugin> now = d.plugin().loaded();
                    return now.isEmpty() ? Optional.empty() : now.get().getInterface(id, major, minMinor);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Logs a lifecycle message; a logger that throws (anything: a start or stop half done would leave
     * plugins loaded) is not the plugins' problem, nor the caller's.
     */
    void say(String id, PluginLogger.Level level, String message) {
        try {
            logger.log(id, level, message);
        } catch (Throwable e) {
            // nowhere else to report it
        }
    }

    void fail(Plugin p, String why) {
        p.failed(why);
        say(p.id(), PluginLogger.Level.ERROR, "failed: " + why);
    }
}
