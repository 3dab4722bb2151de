package dev.dynload.plugin;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs one plugin's stop, the reverse of {@link PluginStarter}: its interfaces stop taking calls, the
 * calls and binds already running return (or the stop timeout passes, and it is left
 * {@link PluginState#STUCK}, loaded, without its stop and destroy), then its stop and destroy run, its host
 * services retire and it is unloaded. Holds no lock: the plugin's code and the logger run freely.
 */
final class PluginStopper {

    private final PluginStarter starter;
    private final Duration stopTimeout;

    PluginStopper(PluginStarter starter, Duration stopTimeout) {
        this.starter = starter;
        this.stopTimeout = stopTimeout;
    }

    /** The stop timeout in nanoseconds, a "wait for ever" of centuries cut to one that fits a long. */
    private long stopNanos() {
        return stopTimeout.compareTo(java.time.Duration.ofDays(36_500)) > 0 ? Long.MAX_VALUE / 4 : stopTimeout.toNanos();
    }

    /**
     * Stops one plugin, unless a plugin that requires it was left loaded; adds it to those if it is left too.
     *
     * @param all every plugin of the host, to find those that require {@code p}
     */
    void stop(Plugin p, List<Plugin> all, List<String> leftLoaded) {
        if (p.process().isPresent()) {
            stopIsolated(p, p.process().get());
            return;
        }
        if (p.state() != PluginState.STARTED && p.state() != PluginState.STUCK) {
            return;
        }
        Optional<NativePlugin> stopping = p.beginStop();
        if (stopping.isEmpty()) {
            return;
        }
        NativePlugin n = stopping.get();
        // Its interfaces throw from now on, on every path below: a plugin left loaded takes no new calls.
        java.util.concurrent.CompletionStage<Void> calls = n.unbind();
        Optional<String> user = requirerLeftLoaded(p, all, leftLoaded);
        if (user.isPresent()) {
            leave(p, "plugin " + user.get() + ", which requires it, is left loaded and may still call it", leftLoaded);
            return;
        }
        long deadline = System.nanoTime() + stopNanos();
        boolean returned;
        try {
            returned = p.bindsReturned(deadline) && NativePlugin.returned(calls, deadline); // outside any lock
        } catch (RuntimeException e) {
            returned = false;
        }
        if (!returned) {
            leave(p, "calls into it did not return within " + stopTimeout.toMillis() + " ms; stop() again once they "
                    + "have", leftLoaded);
            return;
        }
        try {
            int rc = n.stop();
            if (rc != 0) {
                starter.say(p.id(), PluginLogger.Level.WARN, "stop returned status " + rc);
            }
            n.destroy();
        } catch (RuntimeException e) {
            starter.say(p.id(), PluginLogger.Level.ERROR, "stopping it failed: " + e);
        } finally {
            p.services().ifPresent(HostServices::retire);
            starter.unload(p, n);
            p.stopped();
            for (Runnable retire : p.takeKept()) {
                retire.run(); // copies a reload left loaded: nothing that requires them runs any more
            }
        }
        starter.say(p.id(), PluginLogger.Level.INFO, "stopped");
    }

    /**
     * Stops a plugin out of process: its interfaces stop taking calls, the calls running return, then its
     * stop and destroy run in its process. A call that does not return within the stop timeout is no
     * reason to leave code running, as it is in process: the process is ended (with every plugin that
     * shares it), and the plugin is STOPPED without its stop and destroy, which the log says. The process
     * ends once none of its plugins runs.
     */
    private void stopIsolated(Plugin p, PluginProcess process) {
        try {
            if (p.state() == PluginState.CRASHED) {
                p.stoppedIsolated(p.failure().orElse(null)); // nothing runs: its process ended
                return;
            }
            Optional<Boolean> returned = p.stopIsolated(System.nanoTime() + stopNanos());
            if (returned.isEmpty()) {
                return;
            }
            if (!returned.get()) {
                String why = "calls into it did not return within " + stopTimeout.toMillis() + " ms; its process ("
                        + process.key() + ") was ended without its stop and destroy";
                process.close();
                for (Plugin other : process.members()) {
                    if (other != p) {
                        other.crashed("its process was ended by the stop of " + p.id() + ", " + why);
                    }
                }
                p.stoppedIsolated(why);
                starter.say(p.id(), PluginLogger.Level.ERROR, "stopped: " + why);
                return;
            }
            int index = p.index();
            try {
                int rc = process.stop(index);
                if (rc != 0) {
                    starter.say(p.id(), PluginLogger.Level.WARN, "stop returned status " + rc);
                }
                process.destroy(index);
                p.stoppedIsolated(null);
                starter.say(p.id(), PluginLogger.Level.INFO, "stopped");
            } catch (NativePlugin.Refused e) {
                p.stoppedIsolated(null);
                starter.say(p.id(), PluginLogger.Level.ERROR, "stopping it failed: " + e.getMessage());
            } catch (dev.dynload.LibraryCrashedException e) {
                process.recordEndIfEnded(p, String.valueOf(e.getMessage()));
                p.stoppedIsolated("its process ended during its stop or destroy: " + e.getMessage());
                starter.say(p.id(), PluginLogger.Level.ERROR, "its process ended during its stop or destroy: "
                        + e.getMessage());
            }
        } finally {
            PluginStarter.closeIfUnused(process);
        }
    }

    /** Leaves a stopping plugin loaded, STUCK, without its stop and destroy, saying why. */
    private void leave(Plugin p, String why, List<String> leftLoaded) {
        String said = "left loaded, without its stop and destroy: " + why;
        p.stuck(said);
        leftLoaded.add(p.id());
        starter.say(p.id(), PluginLogger.Level.ERROR, said);
    }

    /** {@return a plugin left loaded that requires {@code p}, by id} */
    private static Optional<String> requirerLeftLoaded(Plugin p, List<Plugin> all, List<String> leftLoaded) {
        for (Plugin other : all) {
            if (leftLoaded.contains(other.id())) {
                for (Requirement r : other.descriptor().manifest().requires()) {
                    if (r.pluginId().equals(p.id())) {
                        return Optional.of(other.id());
                    }
                }
            }
        }
        return Optional.empty();
    }
}
