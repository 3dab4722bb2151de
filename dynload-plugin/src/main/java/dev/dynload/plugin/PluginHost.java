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
import java.util.TreeMap;
import java.util.stream.Stream;

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
 * A host is immutable once built; {@link #discover()} and {@link #resolve} may run on any thread, at
 * once.
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

    /** The ABI versions of dynload_plugin.h this host speaks. */
    public static final int ABI_MIN = 1;
    public static final int ABI_MAX = 1;

    private final List<Path> folders;
    private final Version hostVersion;

    private PluginHost(List<Path> folders, Version hostVersion) {
        this.folders = List.copyOf(folders);
        this.hostVersion = hostVersion;
    }

    /** {@return a builder for a host} */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link PluginHost}. Not thread-safe; build once. */
    public static final class Builder {
        private final List<Path> folders = new ArrayList<>();
        private Version hostVersion = Version.parse("1.0.0");

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

        /** {@return the host} */
        public PluginHost build() {
            return new PluginHost(folders, hostVersion);
        }
    }

    /** {@return the host application's version} */
    public Version hostVersion() {
        return hostVersion;
    }

    /**
     * Scans the folders and reads the manifest of each file named like a library. Loads nothing.
     *
     * @return the plugins found and the files that are not usable plugins, with why
     */
    public Discovery discover() {
        List<PluginDescriptor> plugins = new ArrayList<>();
        List<PluginException> problems = new ArrayList<>();
        for (Path folder : folders) {
            List<Path> files;
            try (Stream<Path> list = Files.list(folder)) {
                files = list.filter(f -> f.getFileName().toString().endsWith(".so"))
                        .sorted(Comparator.comparing(f -> f.getFileName().toString())).toList();
            } catch (IOException e) {
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
