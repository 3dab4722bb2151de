package dev.dynload.plugin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides which discovered plugins run and in which order (see {@link PluginHost#resolve}). Reads
 * manifests only. Every step is a loop over the plugins and their requirements, never a recursion, and
 * every reason has a size bounded by one manifest's, not by the number of plugins: a chain or a cycle
 * of thousands of plugins resolves in linear time and space.
 *
 * <p>Which copy runs: of several files that carry one plugin id, the newest version this host can run
 * (its ABI range and host range fit) runs; when none can, the newest is the one reported. The others
 * are passed over, each with a line that says why.
 */
final class Resolver {

    /** Cycles of at most this many plugins are spelled out whole; longer ones by their ends. */
    private static final int CYCLE_SHOWN = 8;

    private final Version hostVersion;
    /** The copy that represents each id, in the order ids were first discovered. */
    private final List<PluginDescriptor> chosen = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> passedOver = new ArrayList<>();
    /** Why a plugin cannot run, by its position in {@link #chosen}; null while it can. */
    private final String[] problem;
    /** Each plugin's dependencies that were found, as positions in {@link #chosen}. */
    private final int[][] requires;

    private Resolver(List<PluginDescriptor> found, Version hostVersion) {
        this.hostVersion = hostVersion;
        choose(found);
        problem = new String[chosen.size()];
        requires = new int[chosen.size()][];
    }

    static Resolution resolve(List<PluginDescriptor> found, Version hostVersion) {
        return new Resolver(found, hostVersion).resolve();
    }

    private Resolution resolve() {
        for (int i = 0; i < chosen.size(); i++) {
            String own = ownProblem(i);
            if (own != null) {
                problem[i] = own;
            }
        }
        for (int i = 0; i < chosen.size(); i++) {
            links(i);
        }
        cycles();
        propagate();
        List<PluginDescriptor> order = startOrder();
        Map<String, String> problems = new TreeMap<>();
        List<PluginDescriptor> cannotRun = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            if (problem[i] != null) {
                problems.put(chosen.get(i).id(), problem[i]);
                cannotRun.add(chosen.get(i));
            }
        }
        return new Resolution(order, problems, passedOver, cannotRun);
    }

    /** Per id, the copy that runs: the newest one this host can run, else the newest. */
    private void choose(List<PluginDescriptor> found) {
        Map<String, List<PluginDescriptor>> byId = new LinkedHashMap<>();
        for (PluginDescriptor d : found) {
            byId.computeIfAbsent(d.id(), k -> new ArrayList<>()).add(d);
        }
        for (List<PluginDescriptor> copies : byId.values()) {
            // Newest first; a stable sort keeps discovery order among equal versions.
            List<PluginDescriptor> newest = new ArrayList<>(copies);
            newest.sort((a, b) -> b.version().compareTo(a.version()));
            PluginDescriptor runs = newest.getFirst();
            for (PluginDescriptor d : newest) {
                if (own(d).isEmpty()) {
                    runs = d;
                    break;
                }
            }
            index.put(runs.id(), chosen.size());
            chosen.add(runs);
            for (PluginDescriptor d : newest) {
                if (d != runs) {
                    passedOver.add(passedOver(d, runs));
                }
            }
        }
    }

    private String passedOver(PluginDescriptor dropped, PluginDescriptor runs) {
        String head = dropped.file() + " (" + dropped.id() + " " + dropped.version() + ") is passed over for "
                + runs.file() + " (" + runs.version() + ")";
        Optional<String> cannot = own(dropped);
        if (cannot.isPresent()) {
            return head + ", which this host can run: the one passed over " + cannot.get();
        }
        return head + (dropped.version().compareTo(runs.version()) == 0 ? ", the same version, found first"
                : ", which is newer") + "; remove one of them";
    }

    /** What keeps a plugin from running on this host whatever else is found: its ABI or host range. */
    private Optional<String> own(PluginDescriptor d) {
        PluginManifest m = d.manifest();
        if (m.abiMax() < PluginHost.ABI_MIN || m.abiMin() > PluginHost.ABI_MAX) {
            return Optional.of("speaks plugin ABI " + m.abiMin() + ".." + m.abiMax() + " and this host "
                    + PluginHost.ABI_MIN + ".." + PluginHost.ABI_MAX + "; build it against this host's dynload_plugin.h");
        }
        if (m.host().isPresent() && !m.host().get().contains(hostVersion)) {
            return Optional.of("works with host versions " + m.host().get() + ", and this host is " + hostVersion
                    + "; use a version of the plugin made for it");
        }
        return Optional.empty();
    }

    private String ownProblem(int i) {
        return own(chosen.get(i)).orElse(null);
    }

    /** Finds plugin {@code i}'s dependencies; a missing one, or one of a version outside the range, is its problem. */
    private void links(int i) {
        List<Requirement> reqs = chosen.get(i).manifest().requires();
        int[] deps = new int[reqs.size()];
        int n = 0;
        for (Requirement r : reqs) {
            Integer dep = index.get(r.pluginId());
            String why = null;
            if (dep == null) {
                why = "requires " + r + ", which is not in the plugin folders; add it";
            } else if (!r.versions().contains(chosen.get(dep).version())) {
                PluginDescriptor found = chosen.get(dep);
                why = "requires " + r + ", and the plugin folders have version " + found.version() + " ("
                        + found.file() + "); add a version in that range";
            } else {
                deps[n++] = dep;
            }
            if (why != null && problem[i] == null) {
                problem[i] = why;
            }
        }
        requires[i] = Arrays.copyOf(deps, n);
    }

    /**
     * Marks the plugins that lie on a dependency cycle: Tarjan's strongly connected components, with an
     * explicit stack. Each member of a component of two or more (or of one that requires itself) cannot
     * run; the reason shows one cycle through the component.
     */
    private void cycles() {
        int n = chosen.size();
        int[] order = new int[n];
        int[] low = new int[n];
        boolean[] onStack = new boolean[n];
        Arrays.fill(order, -1);
        int[] members = new int[n];
        int top = 0;
        int counter = 0;
        int[] callNode = new int[n];
        int[] callEdge = new int[n];
        for (int start = 0; start < n; start++) {
            if (order[start] >= 0) {
                continue;
            }
            int depth = 0;
            callNode[0] = start;
            callEdge[0] = 0;
            order[start] = low[start] = counter++;
            members[top++] = start;
            onStack[start] = true;
            while (depth >= 0) {
                int v = callNode[depth];
                if (callEdge[depth] < requires[v].length) {
                    int w = requires[v][callEdge[depth]++];
                    if (order[w] < 0) {
                        order[w] = low[w] = counter++;
                        members[top++] = w;
                        onStack[w] = true;
                        depth++;
                        callNode[depth] = w;
                        callEdge[depth] = 0;
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], order[w]);
                    }
                    continue;
                }
                if (low[v] == order[v]) {
                    int first = top;
                    do {
                        first--;
                        onStack[members[first]] = false;
                    } while (members[first] != v);
                    int[] component = Arrays.copyOfRange(members, first, top);
                    top = first;
                    if (component.length > 1 || requiresItself(v)) {
                        String why = "is in a dependency cycle, " + cycleThrough(component)
                                + "; remove one of those requirements";
                        for (int m : component) {
                            if (problem[m] == null) {
                                problem[m] = why;
                            }
                        }
                    }
                }
                depth--;
                if (depth >= 0) {
                    int parent = callNode[depth];
                    low[parent] = Math.min(low[parent], low[v]);
                }
            }
        }
    }

    private boolean requiresItself(int v) {
        for (int w : requires[v]) {
            if (w == v) {
                return true;
            }
        }
        return false;
    }

    /** One cycle through a strongly connected component, from its first-discovered member, in words. */
    private String cycleThrough(int[] component) {
        if (inComponent == null) {
            inComponent = new boolean[chosen.size()]; // one array for every component: linear, not quadratic
        }
        boolean[] in = inComponent;
        int start = component[0];
        for (int m : component) {
            in[m] = true;
            start = Math.min(start, m);
        }
        try {
            return cycleFrom(start, in, component.length);
        } finally {
            for (int m : component) {
                in[m] = false;
            }
        }
    }

    /** Marks, during {@link #cycleThrough}, the members of the component it looks at. */
    private boolean[] inComponent;

    private String cycleFrom(int start, boolean[] in, int members) {
        Map<Integer, Integer> parent = new HashMap<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(start);
        parent.put(start, -1);
        int last = start;
        search:
        while (!queue.isEmpty()) {
            int v = queue.poll();
            for (int w : requires[v]) {
                if (w == start) {
                    last = v;
                    break search;
                }
                if (in[w] && !parent.containsKey(w)) {
                    parent.put(w, v);
                    queue.add(w);
                }
            }
        }
        List<String> path = new ArrayList<>();
        for (int v = last; v != -1; v = parent.get(v)) {
            path.add(chosen.get(v).id());
        }
        java.util.Collections.reverse(path);
        path.add(chosen.get(start).id());
        int plugins = path.size() - 1;
        if (path.size() > CYCLE_SHOWN + 1) {
            List<String> shown = new ArrayList<>(path.subList(0, CYCLE_SHOWN / 2));
            shown.add("... (" + (plugins - CYCLE_SHOWN + 1) + " more)");
            shown.addAll(path.subList(path.size() - CYCLE_SHOWN / 2, path.size()));
            path = shown;
        }
        String cycle = String.join(" -> ", path);
        return members > plugins ? cycle + " (one of the cycles among " + members + " plugins)"
                : plugins > CYCLE_SHOWN ? cycle + " (" + plugins + " plugins)" : cycle;
    }

    /**
     * A plugin that requires one that cannot run cannot run either: from each plugin with a problem of its
     * own, outward along "is required by", once per plugin. Each such reason names the dependency and the
     * first cause behind it, not the whole chain.
     */
    private void propagate() {
        int n = chosen.size();
        List<List<Integer>> requiredBy = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            requiredBy.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int dep : requires[i]) {
                requiredBy.get(dep).add(i);
            }
        }
        int[] cause = new int[n];
        Arrays.fill(cause, -1);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            if (problem[i] != null) {
                cause[i] = i;
                queue.add(i);
            }
        }
        while (!queue.isEmpty()) {
            int dep = queue.poll();
            for (int user : requiredBy.get(dep)) {
                if (problem[user] != null) {
                    continue;
                }
                int root = cause[dep];
                String depId = chosen.get(dep).id();
                problem[user] = root == dep
                        ? "requires " + depId + ", which cannot run: " + problem[dep]
                        : "requires " + depId + ", which cannot run: it needs " + chosen.get(root).id() + ", which "
                        + problem[root];
                cause[user] = root;
                queue.add(user);
            }
        }
    }

    /** The plugins that can run, each after those it requires, in discovery order otherwise. */
    private List<PluginDescriptor> startOrder() {
        int n = chosen.size();
        boolean[] done = new boolean[n];
        int[] callNode = new int[n];
        int[] callEdge = new int[n];
        List<PluginDescriptor> order = new ArrayList<>();
        for (int start = 0; start < n; start++) {
            if (done[start] || problem[start] != null) {
                continue;
            }
            int depth = 0;
            callNode[0] = start;
            callEdge[0] = 0;
            done[start] = true;
            while (depth >= 0) {
                int v = callNode[depth];
                if (callEdge[depth] < requires[v].length) {
                    int w = requires[v][callEdge[depth]++];
                    if (!done[w]) {
                        done[w] = true; // usable, since v is: no cycle and no problem lies below it
                        depth++;
                        callNode[depth] = w;
                        callEdge[depth] = 0;
                    }
                    continue;
                }
                order.add(chosen.get(v));
                depth--;
            }
        }
        return order;
    }
}
