package dev.dynload.plugin;

import dev.dynload.internal.bind.Forwarder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Replaces a started plugin, in the host's process, with a new copy of its file while callers keep
 * calling (docs/plugins.md#reload). The new copy is read, checked, pinned, loaded beside the old one (a
 * sealed private copy: the loader sees a new object even when the path is the same), negotiated with,
 * initialised and bound first, while the old one serves. Then the plugin's forwarders are held (calls
 * that start wait), the old copy's calls drain, its state is saved and restored into the new copy (ABI
 * 1.1), the new copy starts, and the forwarders are released to it. Any failure up to there unloads the
 * new copy and puts the old one back, as it was: the reload is a {@link PluginReloadException}. Only then
 * are the old copy's stop and destroy called and it is unloaded. The plugins that require it are replaced
 * the same way, with their own state, so that they use the new copy. Holds no lock while plugin code or the
 * logger runs.
 */
final class PluginReloader {

    private final PluginStarter starter;
    private final PluginStopper stopper;
    private final long drainNanos;

    private final PluginHost.Processes processes;

    PluginReloader(PluginStarter starter, PluginStopper stopper, java.time.Duration stopTimeout,
                   PluginHost.Processes processes) {
        this.processes = processes;
        this.starter = starter;
        this.stopper = stopper;
        this.drainNanos = stopTimeout.compareTo(java.time.Duration.ofDays(36_500)) > 0 ? Long.MAX_VALUE / 4
                : stopTimeout.toNanos();
    }

    /** A copy that was replaced: still loaded and started, until {@link #retire} stops and unloads it. */
    private record Replaced(Plugin plugin, NativePlugin old, HostServices services) {
    }

    /** A step that failed, before it becomes a {@link PluginReloadException}. */
    private static final class Failed extends Exception {
        final PluginReloadException.Step step;

        Failed(PluginReloadException.Step step, String message) {
            super(message, null, false, false);
            this.step = step;
        }
    }

    /** The manifest key by which a plugin asks to be told, not reloaded, when a plugin it requires is. */
    static final String ON_DEPENDENCY_RELOAD = "on-dependency-reload";

    /**
     * Reloads {@code p}, then the plugins that require it, directly or not: each is reloaded too, with its
     * own state, unless its manifest says {@code on-dependency-reload = notify} and it has ABI 1.1's
     * {@code dependency_reloaded}: then it is drained and told instead, and keeps running. A plugin that
     * requires it and fails to reload is stopped, and ends FAILED with why.
     *
     * @param all the host's plugins, in start order
     * @throws PluginReloadException if {@code p} itself could not be replaced; it serves as before
     */
    void reload(Plugin p, List<Plugin> all) {
        Map<String, Plugin> byId = new LinkedHashMap<>();
        for (Plugin q : all) {
            byId.put(q.id(), q);
        }
        if (p.process().isPresent()) {
            // Its dependents reach it through the host, by this Plugin object, which moves to the new process.
            replaceIsolated(p, byId, all);
            return;
        }
        // In start order: a plugin comes after every plugin it requires.
        List<String> reloaded = new ArrayList<>(List.of(p.id()));
        List<Plugin> toReload = new ArrayList<>();
        List<Plugin> toTell = new ArrayList<>();
        for (Plugin q : all) {
            if (q == p || q.rawState() != PluginState.STARTED || !requiresAny(q, reloaded)) {
                continue;
            }
            if (q.process().isPresent()) {
                throw refusal(p, PluginReloadException.Step.STATE, "plugin " + q.id() + ", which requires it, runs "
                        + "in another process (" + q.isolation() + "), and reaches it through the host; stop the "
                        + "host to replace it");
            }
            if (wantsToBeTold(q)) {
                toTell.add(q);
            } else {
                toReload.add(q);
                reloaded.add(q.id());
            }
        }
        List<Replaced> replaced = new ArrayList<>();
        replaced.add(replace(p, byId, all));
        // From here p serves its new copy, whatever happens to the plugins that require it.
        List<String> leftLoaded = new ArrayList<>();
        try {
            for (Plugin d : toReload) {
                if (d.rawState() != PluginState.STARTED) {
                    continue; // stopped below, with a plugin it requires that could not follow
                }
                try {
                    replaced.add(replace(d, byId, all));
                } catch (RuntimeException e) {
                    String why = e instanceof PluginReloadException r
                            ? r.getMessage().replaceFirst("; the running copy \\([^)]*\\) keeps serving$", "")
                            : e.toString();
                    stopWithRequirers(d, all, why, leftLoaded);
                }
            }
            for (Plugin q : toTell) {
                if (q.rawState() == PluginState.STARTED && !tell(q, reloaded)) {
                    leftLoaded.add(q.id());
                }
            }
        } finally {
            if (!leftLoaded.isEmpty()) {
                starter.say(p.id(), PluginLogger.Level.ERROR, "the replaced copies of " + reloaded + " stay loaded "
                        + "and started until each plugin stops: " + leftLoaded + " still had calls running and may "
                        + "use them");
            }
            for (int i = replaced.size() - 1; i >= 0; i--) {
                Replaced r = replaced.get(i);
                if (leftLoaded.isEmpty()) {
                    retire(r); // the plugins that require p first, as a stop goes
                } else {
                    r.plugin().keep(() -> retire(r)); // retired when the plugin stops, after those
                }
            }
        }
    }

    /**
     * Stops {@code d}, which could not follow a reload of a plugin it requires, and, first, the started
     * plugins that require it (their old copies call its tables), in reverse start order; each ends
     * FAILED, saying why, unless its calls did not return and it is left STUCK.
     */
    private void stopWithRequirers(Plugin d, List<Plugin> all, String why, List<String> leftLoaded) {
        List<String> ids = new ArrayList<>(List.of(d.id()));
        List<Plugin> stopping = new ArrayList<>(List.of(d));
        for (Plugin q : all) {
            if (q != d && q.rawState() == PluginState.STARTED && requiresAny(q, ids)) {
                ids.add(q.id());
                stopping.add(q);
            }
        }
        for (int i = stopping.size() - 1; i >= 0; i--) {
            Plugin q = stopping.get(i);
            String said = q == d ? "a plugin it requires was reloaded, and it could not follow: " + why
                    : "it requires " + d.id() + ", which could not follow a reload of a plugin it requires";
            starter.say(q.id(), PluginLogger.Level.ERROR, said + "; stopping it");
            try {
                stopper.stop(q, all, leftLoaded);
            } catch (RuntimeException e) {
                starter.say(q.id(), PluginLogger.Level.ERROR, "stopping it failed: " + e);
            }
            if (q.rawState() != PluginState.STUCK) {
                starter.fail(q, said);
            }
        }
    }

    private static boolean requiresAny(Plugin q, List<String> ids) {
        for (Requirement r : q.descriptor().manifest().requires()) {
            if (ids.contains(r.pluginId())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code q} asked to be told, and can be (ABI 1.1 dependency_reloaded); else it is reloaded. */
    private boolean wantsToBeTold(Plugin q) {
        String asked = q.descriptor().manifest().other().get(ON_DEPENDENCY_RELOAD);
        if (!"notify".equals(asked)) {
            return false;
        }
        if (q.loaded().map(NativePlugin::hearsReloads).orElse(false)) {
            return true;
        }
        starter.say(q.id(), PluginLogger.Level.WARN, "its manifest says " + ON_DEPENDENCY_RELOAD + " = notify, but it "
                + "has no dependency_reloaded (ABI 1.1): it is reloaded instead");
        return false;
    }

    /**
     * Tells {@code q} that plugins it requires were reloaded: its calls are held and drained (its own
     * threads are its business), its dependency_reloaded runs once per such plugin, and its calls resume.
     * {@return false if its calls did not return within the stop timeout: the old copies must stay}
     */
    private boolean tell(Plugin q, List<String> reloaded) {
        Optional<List<Plugin.Bound>> live = q.beginReload();
        if (live.isEmpty()) {
            return true; // stopped meanwhile: nothing of it runs
        }
        Optional<NativePlugin> running = q.loaded();
        if (running.isEmpty()) {
            q.reloaded(null, null, null);
            return true;
        }
        NativePlugin copy = running.get();
        Held held = new Held(q, copy, live.get());
        try {
            if (!held.holdAndDrain()) {
                starter.say(q.id(), PluginLogger.Level.ERROR, "calls into it did not return within " + drainNanos
                        / 1_000_000 + " ms, so it was not told that " + reloaded + " were reloaded");
                return false;
            }
            for (Requirement r : q.descriptor().manifest().requires()) {
                if (reloaded.contains(r.pluginId())) {
                    copy.dependencyReloaded(r.pluginId());
                    starter.say(q.id(), PluginLogger.Level.INFO, "told that " + r.pluginId() + " was reloaded");
                }
            }
            return true;
        } catch (RuntimeException e) {
            starter.say(q.id(), PluginLogger.Level.ERROR, "telling it of the reload failed: " + e);
            return true; // its dependency_reloaded threw: it had returned, whatever it did
        } finally {
            try {
                held.resume();
            } finally {
                q.reloaded(null, null, null);
            }
        }
    }

    private static PluginReloadException refusal(Plugin p, PluginReloadException.Step step, String why) {
        return new PluginReloadException(step, p.id(), p.descriptor().file(), why + "; the running copy ("
                + p.descriptor().version() + ") keeps serving");
    }

    /** Replaces one plugin; its old copy stays loaded and started, for {@link #retire}. */
    private Replaced replace(Plugin p, Map<String, Plugin> byId, List<Plugin> all) {
        PluginDescriptor was = p.descriptor();
        List<PluginStarter.Dependency> deps = new ArrayList<>();
        Begun begun = begin(p, byId, all, deps);
        PluginDescriptor next = begun.next();
        Optional<NativePlugin> running = p.loaded();
        Optional<HostServices> runningServices = p.services();
        if (running.isEmpty() || runningServices.isEmpty()) {
            p.reloaded(null, null, null);
            throw refusal(p, PluginReloadException.Step.STATE, "it stopped meanwhile");
        }
        NativePlugin old = running.get();
        HostServices oldServices = runningServices.get();
        Attempt a = new Attempt(p, next, old, begun.live());
        boolean done = false;
        try {
            a.run(deps);
            done = true;
        } catch (Failed f) {
            throw refusal(p, f.step, f.getMessage());
        } catch (RuntimeException | Error e) {
            throw refusal(p, a.step, "reloading it failed: " + e);
        } finally {
            if (!done) {
                try {
                    a.rollBack();
                } finally {
                    p.reloaded(null, null, null); // binds go on, whatever the rollback threw
                }
            }
        }
        p.reloaded(next, a.n, a.services);
        sayReloaded(p, was.version(), next.version(), "", a.handedOver, a.noHandoff, a.heldNanos);
        return new Replaced(p, old, oldServices);
    }

    /**
     * Replaces a plugin out of process: the new copy starts in a new process (its entry point and init),
     * with the other plugins of its process, if it shares one, from their own files; the old process's calls
     * drain, each plugin's state crosses (save in the old process, restore in the new), the new copies
     * start, and the plugin objects, with their bound interfaces, move to the new process; then the old
     * copies stop, and the old process ends. A failure (a crash of the new process included) ends the new
     * process, and the old one serves on.
     */
    private void replaceIsolated(Plugin p, Map<String, Plugin> byId, List<Plugin> all) {
        PluginProcess old = p.process().orElseThrow();
        List<Plugin> members = old.members();
        Begun begun = begin(p, byId, all, new ArrayList<>());
        // The other plugins of its process move with it to the new process, each as it is (same file).
        List<List<Plugin.Bound>> lives = new ArrayList<>();
        List<Plugin> begunOthers = new ArrayList<>();
        IsolatedAttempt a = null;
        try {
            for (Plugin m : members) {
                if (m == p) {
                    lives.add(begun.live());
                    continue;
                }
                Optional<List<Plugin.Bound>> live = m.beginReload();
                if (live.isEmpty()) {
                    throw new Failed(PluginReloadException.Step.STATE, "plugin " + m.id() + ", which shares its process ("
                            + old.key() + "), is " + m.rawState().name().toLowerCase(java.util.Locale.ROOT)
                            + ", and would move with it to the new process");
                }
                begunOthers.add(m);
                lives.add(live.get());
            }
            a = new IsolatedAttempt(p, old, begun.next(), lives, byId, all);
            a.run();
        } catch (Failed f) {
            if (a != null) {
                a.undo();
            }
            throw isolatedRefusal(p, old, f.step, f.getMessage());
        } catch (RuntimeException | Error e) {
            if (a != null) {
                a.undo();
            }
            throw isolatedRefusal(p, old, a == null ? PluginReloadException.Step.STATE : a.step, "reloading it failed: "
                    + e);
        } finally {
            p.reloaded(null, null, null); // clears the reloading flags (descriptors were set at the switch)
            for (Plugin m : begunOthers) {
                m.reloaded(null, null, null);
            }
        }
        a.retireOld();
    }

    /** The refusal of a reload out of process: the old process serves on, unless it ended meanwhile. */
    private static PluginReloadException isolatedRefusal(Plugin p, PluginProcess old, PluginReloadException.Step step,
                                                         String why) {
        if (!old.ended()) {
            return refusal(p, step, why);
        }
        return new PluginReloadException(step, p.id(), p.descriptor().file(), why + "; its process had ended too ("
                + old.howEnded() + "): it is CRASHED, and its restart policy decides what runs next");
    }

    /**
     * One reload out of process under way: a new process for every plugin of the old one (each as a shadow
     * plugin object until the switch), the reloaded plugin from its new file, the others from theirs; the
     * held calls; and what to undo.
     */
    private final class IsolatedAttempt {
        private final Plugin p;
        private final PluginProcess old;
        private final List<Plugin> members;
        private final List<PluginDescriptor> was = new ArrayList<>();
        private final List<PluginDescriptor> next = new ArrayList<>();
        private final List<Plugin> shadows = new ArrayList<>();
        private final PluginProcess fresh;
        private final List<Held> held = new ArrayList<>();
        private final boolean[] stopping;
        private boolean switched;
        PluginReloadException.Step step = PluginReloadException.Step.LOAD;

        IsolatedAttempt(Plugin p, PluginProcess old, PluginDescriptor reloaded, List<List<Plugin.Bound>> lives,
                        Map<String, Plugin> byId, List<Plugin> all) throws Failed {
            this.p = p;
            this.old = old;
            this.byId = byId;
            this.members = old.members();
            for (int i = 0; i < members.size(); i++) {
                Plugin m = members.get(i);
                was.add(m.descriptor());
                // Another plugin of the process starts again from its file: one rebuilt too reloads as well.
                PluginDescriptor now = m == p ? reloaded : check(m, m.descriptor(), byId, all, new ArrayList<>());
                if (m != p && !now.manifest().equals(m.descriptor().manifest())) {
                    starter.say(m.id(), PluginLogger.Level.INFO, "its file changed too: it moves to the new process as "
                            + now.version());
                }
                next.add(now);
                shadows.add(new Plugin(next.get(i), PluginState.RESOLVED, null));
                held.add(new Held(m, null, lives.get(i)));
            }
            this.stopping = new boolean[members.size()];
            this.fresh = processes.make(old.key(), shadows);
            for (int i = 0; i < shadows.size(); i++) {
                shadows.get(i).isolate(p.isolation(), fresh, i);
            }
        }

        private final Map<String, Plugin> byId;

        void run() throws Failed {
            int handedOver = -1;
            String noHandoff = "";
            try {
                fresh.spawn();
                for (int i = 0; i < members.size(); i++) { // start order: providers first
                    step = PluginReloadException.Step.NEGOTIATION;
                    int abi = fresh.entry(i, starter.hostVersion());
                    PluginManifest m = next.get(i).manifest();
                    if (abi < m.abiMin() || abi > m.abiMax()) {
                        throw new Failed(step, "the new copy of " + m.id() + " answered ABI " + abi + ", outside its "
                                + "manifest's " + m.abiMin() + ".." + m.abiMax());
                    }
                    step = PluginReloadException.Step.INIT;
                    wire(i);
                }
                // Every bound interface must bind to the new copies before the old process is touched.
                step = PluginReloadException.Step.BIND;
                for (int i = 0; i < members.size(); i++) {
                    for (Plugin.Bound b : held.get(i).bound) {
                        checkBinds(i, b);
                    }
                }
                // From here calls wait: none starts in the old process, and the ones running finish there.
                step = PluginReloadException.Step.DRAIN;
                for (Held h : held) {
                    h.hold();
                }
                long deadline = System.nanoTime() + drainNanos; // one limit for the whole drain
                for (int i = members.size() - 1; i >= 0; i--) {
                    Optional<Boolean> returned = members.get(i).stopIsolated(deadline);
                    stopping[i] = returned.isPresent();
                    if (returned.isEmpty() || !returned.get()) {
                        throw new Failed(step, returned.isEmpty() ? members.get(i).id() + " is "
                                + members.get(i).rawState().name().toLowerCase(java.util.Locale.ROOT) + " now"
                                : "calls into " + members.get(i).id() + " did not return within " + drainNanos / 1_000_000
                                + " ms (the stop timeout)");
                    }
                }
                step = PluginReloadException.Step.HANDOFF;
                for (int i = 0; i < members.size(); i++) {
                    int saves = old.handoffs(i);
                    int restores = fresh.handoffs(i);
                    if ((saves & 1) != 0 && (restores & 2) != 0) {
                        byte[] state = old.save(i);
                        fresh.restore(i, state);
                        if (members.get(i) == p) {
                            handedOver = state.length;
                        }
                    } else {
                        String why = noHandoff((saves & 1) != 0);
                        if (members.get(i) == p) {
                            noHandoff = why;
                        } else {
                            starter.say(members.get(i).id(), PluginLogger.Level.INFO, "moves to the new process with a "
                                    + "fresh init: " + why);
                        }
                    }
                }
                step = PluginReloadException.Step.START;
                for (int i = 0; i < members.size(); i++) {
                    fresh.start(i);
                }
            } catch (dev.dynload.LibraryCrashedException e) {
                throw new Failed(step, (old.ended() ? "its running process ended: " : "its new copy's process ended: ")
                        + e.getMessage());
            } catch (NativePlugin.Refused e) {
                throw new Failed(step, (step == PluginReloadException.Step.HANDOFF ? "" : "its new copy's ")
                        + e.getMessage());
            }
            // The switch: the plugin objects move to the new process, the shadows take their places in the old.
            swap(true);
            // Every member's new objects first: a bind that fails undoes the switch with nothing released.
            List<List<Object>> targets = new ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                List<Object> mine = new ArrayList<>();
                for (Plugin.Bound b : held.get(i).bound) {
                    mine.add(members.get(i).bindIsolated(b.iface(), b.declared(), b.lookup()));
                }
                targets.add(mine);
            }
            long heldNanos = 0;
            for (int i = 0; i < members.size(); i++) {
                heldNanos = Math.max(heldNanos, held.get(i).release(targets.get(i)));
            }
            processes.replace(old, fresh);
            int at = members.indexOf(p);
            sayReloaded(p, was.get(at).version(), next.get(at).version(), " in " + fresh + (members.size() > 1
                    ? ", with " + (members.size() - 1) + " other plugins of its process" : ""), handedOver, noHandoff,
                    heldNanos);
        }

        /**
         * Gives member {@code i} its dependencies in the new process and runs its init: a copy whose
         * manifest is the old one's gets what the old one got; another, what its requirements name now (the
         * plugins of the group before it, by bit, and the others through the host).
         */
        private void wire(int i) throws Failed, NativePlugin.Refused {
            Plugin m = members.get(i);
            if (next.get(i).manifest().equals(was.get(i).manifest())) {
                fresh.addRemotes(i, old.elsewhereOf(i));
                fresh.init(i, starter.hostVersion(), starter.config(m.id()), old.providersOf(i));
                return;
            }
            long providers = 0;
            List<Plugin> elsewhere = new ArrayList<>();
            for (Requirement r : next.get(i).manifest().requires()) {
                int at = -1;
                for (int k = 0; k < members.size(); k++) {
                    if (members.get(k).id().equals(r.pluginId())) {
                        at = k;
                    }
                }
                if (at >= i) {
                    throw new Failed(PluginReloadException.Step.MANIFEST, "the new copy of " + m.id() + " requires "
                            + r.pluginId() + ", which starts after it in its process");
                }
                if (at >= 0) {
                    providers |= 1L << at;
                } else {
                    Plugin dep = byId.get(r.pluginId());
                    if (dep == null || dep.rawState() != PluginState.STARTED) {
                        throw new Failed(PluginReloadException.Step.MANIFEST, "the new copy of " + m.id()
                                + " requires " + r.pluginId() + ", which is not started");
                    }
                    elsewhere.add(dep);
                }
            }
            fresh.addRemotes(i, elsewhere);
            fresh.init(i, starter.hostVersion(), starter.config(m.id()), providers);
        }

        /** Checks that bound interface {@code b} of member {@code i} binds to its new copy. */
        private void checkBinds(int i, Plugin.Bound b) throws Failed, NativePlugin.Refused {
            PluginManifest m = next.get(i).manifest();
            Optional<ProvidedInterface> provided = m.provided(b.declared().id(), b.declared().major());
            List<String> problems = provided.isEmpty() ? List.of("the new copy of " + m.id() + " does not provide "
                    + b.declared().id() + "/" + b.declared().major()) : members.get(i).check(b.iface(), b.declared(),
                    provided.get());
            if (problems.isEmpty() && fresh.getInterface(i, b.declared().id(), b.declared().major(), 0,
                    provided.get().functions().size()).isEmpty()) {
                problems = List.of("its get_interface gave NULL for " + b.declared().id() + "/" + b.declared().major());
            }
            if (!problems.isEmpty()) {
                throw new Failed(step, b.iface().getName() + " does not bind to the new copy: "
                        + String.join("; ", problems));
            }
        }

        /** Moves the plugin objects to the new process ({@code forward}) or back to the old one. */
        private void swap(boolean forward) {
            for (int i = 0; i < members.size(); i++) {
                Plugin m = members.get(i);
                Plugin shadow = shadows.get(i);
                old.swap(i, forward ? shadow : m);
                fresh.swap(i, forward ? m : shadow);
                shadow.isolate(m.isolation(), forward ? old : fresh, i);
                m.isolate(m.isolation(), forward ? fresh : old, i);
                m.describe(forward ? next.get(i) : was.get(i)); // binds wait on: the reload's end lets them go
                m.startedIsolated();
            }
            switched = forward;
        }

        /** Undoes it, before or after the switch: the old process serves, the new one ends. */
        void undo() {
            try {
                if (switched) {
                    swap(false); // a bind to a new copy failed after all: back to the old process, as it was
                }
                for (int i = 0; i < members.size(); i++) {
                    Plugin m = members.get(i);
                    if (stopping[i] || m.rawState() == PluginState.STOPPING) {
                        m.startedIsolated();
                    }
                    if (old.ended()) {
                        // It crashed while draining or saving: the restart policy takes it from here.
                        m.crashed("its process ended during a reload (" + old.howEnded() + ")");
                    }
                }
            } finally {
                try {
                    for (Held h : held) {
                        try {
                            h.resume();
                        } catch (RuntimeException | Error e) {
                            starter.say(p.id(), PluginLogger.Level.ERROR, "putting a plugin back failed: " + e);
                        }
                    }
                } finally {
                    fresh.close();
                    for (Plugin shadow : shadows) {
                        shadow.stoppedIsolated(null);
                    }
                }
            }
        }

        /** The old copies: stop and destroy in the old process, in reverse start order; then it ends. */
        void retireOld() {
            try {
                for (int i = members.size() - 1; i >= 0; i--) {
                    try {
                        int rc = old.stop(i);
                        if (rc != 0) {
                            starter.say(members.get(i).id(), PluginLogger.Level.WARN, "the replaced copy's stop "
                                    + "returned status " + rc);
                        }
                        old.destroy(i);
                    } catch (NativePlugin.Refused | RuntimeException e) {
                        starter.say(members.get(i).id(), PluginLogger.Level.WARN, "stopping the replaced copy failed: "
                                + e.getMessage());
                    }
                }
            } finally {
                for (Plugin shadow : shadows) {
                    shadow.stoppedIsolated(null);
                }
                old.close();
            }
        }
    }

    /** Why a copy starts fresh: which side has no handoff (ABI 1.1 save and restore). */
    private static String noHandoff(boolean oldSaves) {
        return oldSaves ? "the new copy has no restore (it gives none, or was built for ABI 1.0)"
                : "the running copy has no save (it gives none, or was built for ABI 1.0)";
    }

    /** Says a reload done: the versions, where to (out of process), what crossed, how long calls waited. */
    private void sayReloaded(Plugin p, Version was, Version now, String where, int handedOver, String noHandoff,
                             long heldNanos) {
        starter.say(p.id(), PluginLogger.Level.INFO, "reloaded: " + was + " -> " + now + where + (handedOver < 0
                ? " (fresh init: " + noHandoff + ")" : " (" + handedOver + " bytes of state handed over)")
                + "; calls waited " + String.format(java.util.Locale.ROOT, "%.2f", heldNanos / 1e6) + " ms");
    }

    /** A reload that has begun: the new file, checked, and the plugin's bound interfaces, held from binds. */
    private record Begun(PluginDescriptor next, List<Plugin.Bound> live) {
    }

    /** Checks the new file, then makes binds wait. */
    private Begun begin(Plugin p, Map<String, Plugin> byId, List<Plugin> all, List<PluginStarter.Dependency> deps) {
        PluginDescriptor next;
        try {
            next = check(p, p.descriptor(), byId, all, deps);
        } catch (Failed f) {
            throw refusal(p, f.step, f.getMessage());
        }
        Optional<List<Plugin.Bound>> live = p.beginReload();
        if (live.isEmpty()) {
            throw refusal(p, PluginReloadException.Step.STATE, "it is " + p.state().name().toLowerCase(
                    java.util.Locale.ROOT) + ", not started");
        }
        return new Begun(next, live.get());
    }

    /** Reads and checks the new file: its manifest, its ranges against the host and the plugins as they run. */
    private PluginDescriptor check(Plugin p, PluginDescriptor was, Map<String, Plugin> byId, List<Plugin> all,
                                   List<PluginStarter.Dependency> deps) throws Failed {
        PluginDescriptor next;
        try {
            // A plugin in a jar loads again from its bundle (a new sealed copy, checked against its index).
            next = was.bundle().isPresent() ? PluginDescriptor.readBundled(was.bundle().get(), was.bundleLoader())
                    : PluginDescriptor.read(was.file());
        } catch (PluginException e) {
            throw new Failed(PluginReloadException.Step.MANIFEST, "its file does not read as a plugin now: "
                    + e.getMessage());
        }
        PluginManifest m = next.manifest();
        if (!m.id().equals(p.id())) {
            throw new Failed(PluginReloadException.Step.MANIFEST, "its file now holds plugin " + m.id() + " "
                    + m.version());
        }
        if (m.abiMax() < PluginHost.ABI_MIN || m.abiMin() > PluginHost.ABI_MAX) {
            throw new Failed(PluginReloadException.Step.MANIFEST, "its new copy speaks plugin ABI " + m.abiMin() + ".."
                    + m.abiMax() + ", and this host " + PluginHost.ABI_MIN + ".." + PluginHost.ABI_MAX);
        }
        Version host = Version.parse(starter.hostVersion());
        if (m.host().isPresent() && !m.host().get().contains(host)) {
            throw new Failed(PluginReloadException.Step.MANIFEST, "its new copy works with host versions "
                    + m.host().get() + ", and this host is " + host);
        }
        for (Plugin q : all) {
            if (q == p || q.rawState() != PluginState.STARTED) {
                continue;
            }
            for (Requirement r : q.descriptor().manifest().requires()) {
                if (r.pluginId().equals(p.id()) && !r.versions().contains(m.version())) {
                    throw new Failed(PluginReloadException.Step.MANIFEST, "plugin " + q.id() + " requires "
                            + p.id() + " " + r.versions() + ", and the new copy is " + m.version());
                }
            }
        }
        Optional<String> missing = starter.dependencies(next, byId, deps);
        if (missing.isPresent()) {
            throw new Failed(PluginReloadException.Step.MANIFEST, "its new copy " + missing.get());
        }
        Optional<String> refused = starter.quarantined(next);
        if (refused.isEmpty()) {
            refused = starter.pinRefusal(next, null);
        }
        if (refused.isPresent()) {
            throw new Failed(PluginReloadException.Step.PIN, refused.get());
        }
        return next;
    }

    /** One plugin's replacement under way: what was made so far, so that a failure undoes exactly that. */
    private final class Attempt {
        private final Plugin p;
        private final PluginDescriptor next;
        private final NativePlugin old;
        /** The old copy's forwarders, held while it drains and hands over. */
        private final Held held;
        /** The new targets of the held switches, in their order. */
        private final List<Object> targets = new ArrayList<>();
        private @Nullable NativePlugin n;
        private @Nullable HostServices services;
        private boolean initialised;
        private boolean started;
        /** How long calls waited. */
        long heldNanos;
        /** The step under way, for an exception no step expected. */
        PluginReloadException.Step step = PluginReloadException.Step.LOAD;
        /** Bytes of state handed over, or -1 for a fresh init, with why. */
        int handedOver = -1;
        String noHandoff = "";

        Attempt(Plugin p, PluginDescriptor next, NativePlugin old, List<Plugin.Bound> live) {
            this.p = p;
            this.next = next;
            this.old = old;
            this.held = new Held(p, old, live);
        }

        void run(List<PluginStarter.Dependency> deps) throws Failed {
            // A private copy, pinned or not: the loader would hand back the old copy for the same path.
            dev.dynload.LoadOption[] pin = starter.pin(next);
            if (pin.length == 0) {
                pin = new dev.dynload.LoadOption[] {dev.dynload.LoadOption.PRIVATE_COPY};
            }
            boolean pinned = starter.pinned();
            try {
                n = NativePlugin.load(next, starter.hostVersion(), pin);
            } catch (NativePlugin.Refused e) {
                String m = String.valueOf(e.getMessage());
                if (pinned && m.contains("not the pinned")) {
                    throw new Failed(PluginReloadException.Step.PIN, "its new copy " + m + " (pinned by the lockfile); "
                            + "pin the new file in it and reload");
                }
                throw new Failed(m.startsWith("does not load") ? PluginReloadException.Step.LOAD
                        : PluginReloadException.Step.NEGOTIATION, "its new copy " + m);
            }
            step = PluginReloadException.Step.INIT;
            services = starter.services(n, deps);
            try {
                n.init(services.struct());
            } catch (NativePlugin.Refused e) {
                Optional<String> logged = services.lastError();
                throw new Failed(PluginReloadException.Step.INIT, "its new copy's " + e.getMessage()
                        + (logged.isPresent() ? ": " + logged.get() : ""));
            }
            initialised = true;
            step = PluginReloadException.Step.BIND;
            for (Plugin.Bound b : held.bound) {
                targets.add(bindNew(b));
            }
            step = PluginReloadException.Step.DRAIN;
            // From here calls wait: none starts on the old copy, and the ones running finish there.
            if (!held.holdAndDrain()) {
                throw new Failed(PluginReloadException.Step.DRAIN, "calls into the running copy did not return within "
                        + drainNanos / 1_000_000 + " ms (the stop timeout)");
            }
            step = PluginReloadException.Step.HANDOFF;
            handOver();
            step = PluginReloadException.Step.START;
            try {
                n.start();
            } catch (NativePlugin.Refused e) {
                Optional<String> logged = services.lastError();
                throw new Failed(PluginReloadException.Step.START, "its new copy's " + e.getMessage()
                        + (logged.isPresent() ? ": " + logged.get() : ""));
            }
            started = true;
            heldNanos = held.release(targets);
        }

        private Object bindNew(Plugin.Bound b) throws Failed {
            try { // checks its signatures against the new copy's manifest
                return p.bindNative(n, b.iface(), b.declared(), b.lookup());
            } catch (RuntimeException e) {
                throw new Failed(PluginReloadException.Step.BIND, b.iface().getName() + " does not bind to the new "
                        + "copy: " + e.getMessage());
            }
        }

        /** The old copy saves, the new one restores: only when both speak ABI 1.1's handoff. */
        private void handOver() throws Failed {
            if (!old.saves() || !n.restores()) {
                noHandoff = noHandoff(old.saves());
                return;
            }
            try {
                byte[] state = old.save();
                n.restore(state);
                handedOver = state.length;
            } catch (NativePlugin.Refused e) {
                throw new Failed(PluginReloadException.Step.HANDOFF, e.getMessage());
            }
        }

        /** Undoes what {@link #run} did: the old copy serves as before, the new one is gone. */
        void rollBack() {
            try {
                held.resume();
            } catch (RuntimeException | Error e) {
                starter.say(p.id(), PluginLogger.Level.ERROR, "putting the running copy back failed: " + e);
            }
            if (n == null) {
                return;
            }
            try {
                if (started) {
                    n.stop();
                }
                if (initialised) {
                    n.destroy();
                }
            } catch (RuntimeException e) {
                starter.say(p.id(), PluginLogger.Level.ERROR, "undoing the new copy failed: " + e);
            } finally {
                if (services != null) {
                    services.retire();
                }
                starter.unload(p, n);
            }
        }
    }

    /**
     * A plugin copy's forwarders held while its calls drain: the calls that start wait, and those running
     * return. Then either {@link #release} moves them to new targets, or {@link #resume} puts the copy back.
     */
    private final class Held {
        private final Plugin p;
        /** The copy in process, or null for a plugin out of process (its calls drain through the plugin). */
        private final @Nullable NativePlugin copy;
        /** The live bound interfaces, their switches (strongly, while held) and what each held before. */
        final List<Plugin.Bound> bound = new ArrayList<>();
        private final List<Forwarder.Switch> switches = new ArrayList<>();
        private final List<Object> previous = new ArrayList<>();
        private boolean holding;
        private boolean unbound;
        private long heldAt;

        Held(Plugin p, @Nullable NativePlugin copy, List<Plugin.Bound> live) {
            this.p = p;
            this.copy = copy;
            for (Plugin.Bound b : live) {
                Forwarder.Switch sw = b.target().get();
                Object before = sw == null ? null : sw.target();
                if (before != null) { // null: collected, or held (never: one reload runs at a time)
                    bound.add(b);
                    switches.add(sw);
                    previous.add(before);
                }
            }
        }

        /** Holds the calls that start, unbinds the copy, waits for its calls. {@return whether they returned} */
        boolean holdAndDrain() {
            hold();
            unbound = true;
            return NativePlugin.returned(copy.unbind(), System.nanoTime() + drainNanos);
        }

        /** Holds the calls that start from now on. */
        void hold() {
            holding = true;
            heldAt = System.nanoTime();
            for (Forwarder.Switch sw : switches) {
                sw.hold();
            }
        }

        /** Sends the calls to {@code targets}, in the switches' order. {@return how long calls waited} */
        long release(List<Object> targets) {
            for (int i = 0; i < switches.size(); i++) {
                switches.get(i).release(targets.get(i));
            }
            holding = false;
            return System.nanoTime() - heldAt;
        }

        /**
         * Puts the copy back: relinked, and the calls sent to new objects bound to it, not the ones callers
         * hold: a call refused while the copy was unbound sees another target, and runs again rather than fail.
         */
        void resume() {
            List<Object> back = new ArrayList<>(previous);
            try {
                if (unbound && copy != null) {
                    copy.library().relink();
                    unbound = false;
                }
                if (!holding) {
                    return;
                }
                for (int i = 0; i < bound.size(); i++) {
                    Plugin.Bound b = bound.get(i);
                    try {
                        back.set(i, copy == null ? p.bindIsolated(b.iface(), b.declared(), b.lookup())
                                : p.bindNative(copy, b.iface(), b.declared(), b.lookup()));
                    } catch (RuntimeException | LinkageError e) {
                        starter.say(p.id(), PluginLogger.Level.ERROR, "binding " + b.iface().getName() + " to the "
                                + "running copy again failed (the objects bound before serve): " + e);
                    }
                }
            } finally {
                if (holding) {
                    release(back); // never leave a caller waiting
                }
            }
        }
    }

    /** Stops, destroys and unloads a copy that was replaced; a failure is logged: the new copy serves. */
    private void retire(Replaced r) {
        try {
            int rc = r.old().stop();
            if (rc != 0) {
                starter.say(r.plugin().id(), PluginLogger.Level.WARN, "the replaced copy's stop returned status " + rc);
            }
            r.old().destroy();
        } catch (RuntimeException e) {
            starter.say(r.plugin().id(), PluginLogger.Level.ERROR, "stopping the replaced copy failed: " + e);
        } finally {
            r.services().retire();
            starter.unload(r.plugin(), r.old());
        }
    }
}
