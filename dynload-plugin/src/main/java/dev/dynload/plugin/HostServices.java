package dev.dynload.plugin;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The {@code dlp_host} a plugin gets at init: its versions, and the log, config and dependency services.
 *
 * <p>The three services are upcall stubs made once per JVM, not per plugin: each finds the plugin's
 * services by the {@code host} pointer it is given, the one its plugin got at init. A plugin's
 * {@code dlp_host} and its strings are never freed, and its services are retired when it is destroyed,
 * so that a plugin thread that calls {@code host->log} after destroy (which the header forbids) reaches
 * a service that refuses instead of freed memory: log drops the message, config and dependency give
 * NULL, and the host's logger hears of it once. That costs a few dozen bytes per plugin start, for the
 * life of the process.
 *
 * <p>Each service's Java side catches everything it could throw: a Java exception never unwinds through
 * the plugin's C frames (FFM would end the JVM).
 */
final class HostServices {

    /** dlp_host (see {@link Abi#HOST}): size, abi, host_version, plugin_id, log, config, dependency, alloc, free. */
    static final long SIZE = Abi.HOST.byteSize();

    /** Finds an interface table among the plugins a plugin requires: (id, major, minMinor) to the table. */
    interface Dependencies {
        Optional<MemorySegment> find(String id, int major, int minMinor);
    }

    /** Every dlp_host handed out, by address: its services while the plugin lives, then its id. */
    private static final Map<Long, Object> BY_HOST = new ConcurrentHashMap<>();

    /** What a retired dlp_host still knows: whose it was, where to report, and whether a late call was. */
    private static final class Retired {
        final String pluginId;
        final PluginLogger logger;
        volatile boolean reported;

        Retired(String pluginId, PluginLogger logger) {
            this.pluginId = pluginId;
            this.logger = logger;
        }
    }

    /** The JVM's one set of service stubs, and the C library's allocator; made by the first plugin's init. */
    private static final class Stubs {
        static final MemorySegment LOG;
        static final MemorySegment CONFIG;
        static final MemorySegment DEPENDENCY;
        static final MemorySegment MALLOC;
        static final MemorySegment FREE;

        static {
            Linker linker = Linker.nativeLinker();
            MethodHandles.Lookup l = MethodHandles.lookup();
            try {
                LOG = linker.upcallStub(l.findStatic(HostServices.class, "log", MethodType.methodType(void.class,
                        MemorySegment.class, int.class, MemorySegment.class)),
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS), Arena.global());
                CONFIG = linker.upcallStub(l.findStatic(HostServices.class, "config", MethodType.methodType(
                        MemorySegment.class, MemorySegment.class, MemorySegment.class)),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), Arena.global());
                DEPENDENCY = linker.upcallStub(l.findStatic(HostServices.class, "dependency", MethodType.methodType(
                        MemorySegment.class, MemorySegment.class, MemorySegment.class, int.class, int.class)),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT), Arena.global());
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
            // The C library's own allocator: any thread, no Java in between.
            MALLOC = linker.defaultLookup().find("malloc").orElseThrow();
            FREE = linker.defaultLookup().find("free").orElseThrow();
        }
    }

    /** The C library's free, as a downcall: for memory a plugin hands over (a saved state); made on first use. */
    private static final class Free {
        static final java.lang.invoke.MethodHandle FREE = Linker.nativeLinker().downcallHandle(Stubs.FREE,
                FunctionDescriptor.ofVoid(ADDRESS));
    }

    /**
     * Frees memory the plugin allocated with {@code dlp_host.alloc}; NULL does nothing.
     *
     * @param pointer what it allocated
     */
    static void free(MemorySegment pointer) {
        if (pointer.address() == 0) {
            return;
        }
        try {
            Free.FREE.invokeExact(pointer);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }

    private final String pluginId;
    private final PluginLogger logger;
    private final Map<String, String> config;
    private final Dependencies dependencies;
    /** The plugin's arena: config values live there, valid until destroy. */
    private final Arena arena;
    private final Map<String, MemorySegment> configCopies = new ConcurrentHashMap<>();
    /** The last message the plugin logged at ERROR, to explain a failed init or start. */
    private volatile String lastError;
    /** The dlp_host itself, in memory that is never freed. */
    private final MemorySegment struct;

    private HostServices(String pluginId, PluginLogger logger, Map<String, String> config, Dependencies dependencies,
                         Arena arena, MemorySegment struct) {
        this.pluginId = pluginId;
        this.logger = logger;
        this.config = Map.copyOf(config);
        this.dependencies = dependencies;
        this.arena = arena;
        this.struct = struct;
    }

    /**
     * Writes a dlp_host for a plugin; its services answer until {@link #retire()}.
     *
     * @param arena the plugin's arena, for the configuration values it asks for
     */
    static HostServices make(PluginDescriptor d, int abi, String hostVersion, PluginLogger logger,
                             Map<String, String> config, Dependencies dependencies, Arena arena) {
        // Arena.global(): a stray call after destroy must still find a dlp_host and strings where it looks.
        Arena forever = Arena.global();
        MemorySegment struct = forever.allocate(Abi.HOST);
        struct.set(JAVA_INT, 0, (int) SIZE);
        struct.set(JAVA_INT, Abi.HOST_ABI, abi);
        struct.set(ADDRESS, Abi.HOST_HOST_VERSION, forever.allocateFrom(hostVersion));
        struct.set(ADDRESS, Abi.HOST_PLUGIN_ID, forever.allocateFrom(d.id()));
        struct.set(ADDRESS, Abi.HOST_LOG, Stubs.LOG);
        struct.set(ADDRESS, Abi.HOST_CONFIG, Stubs.CONFIG);
        struct.set(ADDRESS, Abi.HOST_DEPENDENCY, Stubs.DEPENDENCY);
        struct.set(ADDRESS, Abi.HOST_ALLOC, Stubs.MALLOC);
        struct.set(ADDRESS, Abi.HOST_FREE, Stubs.FREE);
        HostServices s = new HostServices(d.id(), logger, config, dependencies, arena, struct);
        BY_HOST.put(struct.address(), s);
        return s;
    }

    MemorySegment struct() {
        return struct;
    }

    /**
     * Retires the services: from now on they refuse. Called once the plugin's destroy has returned (or its
     * init failed), before its arena and code go.
     */
    void retire() {
        BY_HOST.put(struct.address(), new Retired(pluginId, logger));
    }

    /** {@return the last ERROR message the plugin logged, if any} */
    Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** The live services a call names by its {@code host} argument; a late or stray call is reported once. */
    private static HostServices of(MemorySegment host, String service) {
        Object found = BY_HOST.get(host.address());
        if (found instanceof HostServices s) {
            return s;
        }
        if (found instanceof Retired r && !r.reported) {
            r.reported = true;
            try {
                r.logger.log(r.pluginId, PluginLogger.Level.ERROR, "called the host's " + service + " service after "
                        + "it was destroyed; refused (and reported once): host services end when destroy returns");
            } catch (Throwable ignored) {
                // see log
            }
        }
        return null;
    }

    /** {@return the logger's level for a {@code DLP_LOG_*} level; an unknown one is DEBUG} */
    static PluginLogger.Level level(int dlpLevel) {
        PluginLogger.Level[] levels = PluginLogger.Level.values();
        return dlpLevel >= 0 && dlpLevel < levels.length ? levels[dlpLevel] : PluginLogger.Level.DEBUG;
    }

    private static void log(MemorySegment host, int level, MemorySegment message) {
        try {
            HostServices s = of(host, "log");
            if (s == null) {
                return;
            }
            String text = NativePlugin.text(message).orElse("");
            PluginLogger.Level l = level(level);
            if (l == PluginLogger.Level.ERROR) {
                s.lastError = text;
            }
            s.logger.log(s.pluginId, l, text);
        } catch (Throwable t) {
            // The logger failed: nothing may reach C, and there is nowhere else to say it.
        }
    }

    private static MemorySegment config(MemorySegment host, MemorySegment key) {
        HostServices s = null;
        try {
            s = of(host, "config");
            if (s == null) {
                return MemorySegment.NULL;
            }
            Optional<String> k = NativePlugin.text(key);
            if (k.isEmpty()) {
                return MemorySegment.NULL;
            }
            String value = s.config.get(k.get());
            if (value == null) {
                return MemorySegment.NULL;
            }
            // Host-owned and valid until destroy: one copy per key, in the plugin's arena.
            Arena arena = s.arena;
            return s.configCopies.computeIfAbsent(k.get(), ignored -> arena.allocateFrom(value));
        } catch (Throwable t) {
            report(s, "config", t);
            return MemorySegment.NULL;
        }
    }

    private static MemorySegment dependency(MemorySegment host, MemorySegment id, int major, int minMinor) {
        HostServices s = null;
        try {
            s = of(host, "dependency");
            if (s == null) {
                return MemorySegment.NULL;
            }
            Optional<String> name = NativePlugin.text(id);
            return name.isEmpty() ? MemorySegment.NULL
                    : s.dependencies.find(name.get(), major, minMinor).orElse(MemorySegment.NULL);
        } catch (Throwable t) {
            report(s, "dependency", t);
            return MemorySegment.NULL;
        }
    }

    private static void report(HostServices s, String service, Throwable t) {
        if (s == null) {
            return;
        }
        try {
            s.logger.log(s.pluginId, PluginLogger.Level.ERROR, "the host's " + service + " service failed: " + t);
        } catch (Throwable ignored) {
            // see log
        }
    }
}
