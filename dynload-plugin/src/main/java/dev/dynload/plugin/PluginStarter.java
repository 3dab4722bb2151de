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

    PluginStarter(Version hostVersion, PluginLogger logger, Map<String, Map<String, String>> config) {
        this.hostVersion = hostVersion;
        this.logger = logger;
        this.config = config;
    }

    /** Starts one plugin; whatever goes wrong, it ends FAILED and unloaded, and the others go on. */
    void start(Plugin p, Map<String, Plugin> byId) {
        List<Dependency> deps = new ArrayList<>();
        for (Requirement r : p.descriptor().manifest().requires()) {
            Plugin dep = byId.get(r.pluginId());
            Optional<NativePlugin> loaded = dep == null ? Optional.empty() : dep.loaded();
            if (dep == null || dep.state() != PluginState.STARTED || loaded.isEmpty()) {
                fail(p, "requires " + r.pluginId() + ", which did not start: "
                        + (dep == null ? "not found" : dep.failure().orElse(dep.state().toString())));
                return;
            }
            deps.add(new Dependency(dep.descriptor().manifest(), loaded.get()));
        }
        p.starting();
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
        HostServices services = null;
        try {
            // The dependencies' tables, fixed now: they stay loaded until this plugin has stopped, and the
            // service needs no lock, so a plugin may call it from any thread, even while stop() waits.
            services = HostServices.make(p.descriptor(), n.abi(), hostVersion.toString(), logger,
                    config.getOrDefault(p.id(), Map.of()), new DependencyTables(List.copyOf(deps)), n.arena());
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

    /** Unloads a plugin's library; a loader's failure is logged, not thrown, so the others go on. */
    void unload(Plugin p, NativePlugin n) {
        try {
            n.unload();
        } catch (RuntimeException e) {
            say(p.id(), PluginLogger.Level.ERROR, "unloading it failed: " + e);
        }
    }

    /** A started plugin this one requires: its manifest and its native side. */
    private record Dependency(PluginManifest manifest, NativePlugin loaded) {
    }

    /** The dependency service's lookup over a plugin's fixed dependencies; a class, not a lambda, for cold start. */
    private static final class DependencyTables implements HostServices.Dependencies {
        private final List<Dependency> deps;

        DependencyTables(List<Dependency> deps) {
            this.deps = deps;
        }

        @Override
        public Optional<java.lang.foreign.MemorySegment> find(String id, int major, int minMinor) {
            for (Dependency d : deps) {
                Optional<ProvidedInterface> provided = d.manifest().provided(id, major);
                if (provided.isPresent() && provided.get().minor() >= minMinor) {
                    return d.loaded().getInterface(id, major, minMinor);
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
