package dev.dynload.plugin;

import dev.dynload.Sandbox;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a plugin's code runs: in the host's own process (the default), in a process of its own, or in a
 * named group of plugins sharing one process. A plugin out of process cannot take the JVM down: a
 * segfault, {@code abort}, {@code exit}, stack overflow or endless loop in it ends its process, and the
 * host reports the plugin {@link PluginState#CRASHED} with the cause. Its bound interfaces are called as
 * before, through shared memory, at about a microsecond a call.
 *
 * {@snippet lang=c :
 * // any plugin, unchanged: the same manifest, entry point and lifecycle
 * DLP_MANIFEST("id = com.example.untrusted\n" "version = 1.0.0\n" "abi = 1..1\n"
 *              "provides = com.example.greeter/1.0: add = i32(i32, i32)\n");
 * }
 * {@snippet :
 * PluginHost host = PluginHost.builder().folder(Path.of("plugins"))
 *         .isolate("com.example.untrusted", Isolation.process())
 *         .build();
 * host.start();
 * Greeter g = host.plugin("com.example.untrusted").orElseThrow().bind(Greeter.class);
 * g.add(2, 3);    // 5, computed in the plugin's process
 * }
 *
 * <p>What an isolated plugin's interfaces take: the manifest's numbers, {@code bool} and {@code str};
 * a {@code ptr} is refused at bind, since an address means nothing in another process. Its host services
 * work as in process: {@code log} reaches the host's logger, {@code config} gives the host's values, and
 * {@code dependency} gives the tables of the plugins it requires: directly for those in the same process
 * (a group), and, for one in another process or in the JVM, a table whose functions call it back through
 * the host (those that pass a {@code str} or {@code ptr} are NULL there). Linux on x86-64 and AArch64 only; docs/isolation.md says what
 * isolation promises and what it does not.
 */
public final class Isolation {

    private static final Isolation IN_PROCESS = new Isolation(Kind.IN_PROCESS, null, Sandbox.none());
    private static final Isolation PROCESS = new Isolation(Kind.PROCESS, null, Sandbox.none());

    private enum Kind { IN_PROCESS, PROCESS, GROUP }

    private final Kind kind;
    private final String group;
    private final Sandbox sandbox;

    private Isolation(Kind kind, String group, Sandbox sandbox) {
        this.kind = kind;
        this.group = group;
        this.sandbox = sandbox;
    }

    /** {@return in the host's own process, as a plugin runs by default: fastest, and trusted with the JVM} */
    public static Isolation inProcess() {
        return IN_PROCESS;
    }

    /** {@return in a process of the plugin's own} */
    public static Isolation process() {
        return PROCESS;
    }

    /**
     * In a process shared by every plugin given the same group name: they reach each other's tables
     * through {@code dependency} directly, and one's crash ends them all.
     *
     * @param name the group's name, not empty
     * @return the isolation
     */
    public static Isolation group(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a group needs a name");
        }
        return new Isolation(Kind.GROUP, name, Sandbox.none());
    }

    /**
     * {@return this isolation, its process limited and confined by {@code sandbox} from before the plugins'
     * first instruction} Every plugin of a group must ask for the same sandbox.
     *
     * {@snippet :
     * builder.isolate("com.example.untrusted", Isolation.process().sandboxed(Sandbox.confined()));
     * }
     *
     * @param sandbox the limits and sandbox (see {@link Sandbox})
     * @throws IllegalStateException for {@link #inProcess()}: the JVM's own process is not confined
     */
    public Isolation sandboxed(Sandbox sandbox) {
        Objects.requireNonNull(sandbox, "sandbox");
        if (kind == Kind.IN_PROCESS) {
            throw new IllegalStateException("a plugin in the host's process cannot be sandboxed; isolate it first");
        }
        return new Isolation(kind, group, sandbox);
    }

    /** {@return the limits and sandbox of the plugin's process; {@link Sandbox#none()} unless set} */
    public Sandbox sandbox() {
        return sandbox;
    }

    /** {@return whether the plugin runs out of the host's process} */
    public boolean isolated() {
        return kind != Kind.IN_PROCESS;
    }

    /** {@return the group's name, for a group} */
    public Optional<String> groupName() {
        return Optional.ofNullable(group);
    }

    /** The key of the process a plugin of this isolation runs in: one per group, one per plugin otherwise. */
    String processKey(String pluginId) {
        return kind == Kind.GROUP ? "group " + group : "plugin " + pluginId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Isolation i && i.kind == kind && Objects.equals(i.group, group) && i.sandbox.equals(sandbox);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, group, sandbox);
    }

    /** {@return "in process", "process" or "group NAME", then the sandbox, if any: "process (sandbox: no network)"} */
    @Override
    public String toString() {
        String where = switch (kind) {
            case IN_PROCESS -> "in process";
            case PROCESS -> "process";
            case GROUP -> "group " + group;
        };
        return sandbox.equals(Sandbox.none()) ? where : where + " (sandbox: " + sandbox + ")";
    }
}
