package dev.dynload.plugin;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The {@code dlp_host} a plugin gets at init: its versions, and upcall stubs for log, config and
 * dependency, bound to that plugin, in its arena. Each stub's Java side catches everything it could
 * throw: a Java exception never unwinds through the plugin's C frames (FFM would end the JVM); the
 * plugin gets NULL (or nothing, for log) instead, and the host's logger hears of it.
 */
final class HostServices {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle LOG;
    private static final MethodHandle CONFIG;
    private static final MethodHandle DEPENDENCY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOG = l.findStatic(HostServices.class, "log", MethodType.methodType(void.class, HostServices.class,
                    MemorySegment.class, int.class, MemorySegment.class));
            CONFIG = l.findStatic(HostServices.class, "config", MethodType.methodType(MemorySegment.class,
                    HostServices.class, MemorySegment.class, MemorySegment.class));
            DEPENDENCY = l.findStatic(HostServices.class, "dependency", MethodType.methodType(MemorySegment.class,
                    HostServices.class, MemorySegment.class, MemorySegment.class, int.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Finds an interface table among the plugins a plugin requires: (id, major, minMinor) to the table. */
    interface Dependencies {
        Optional<MemorySegment> find(String id, int major, int minMinor);
    }

    private final String pluginId;
    private final PluginLogger logger;
    private final Map<String, String> config;
    private final Dependencies dependencies;
    private final Arena arena;
    private final Map<String, MemorySegment> configCopies = new ConcurrentHashMap<>();
    /** The last message the plugin logged at ERROR, to explain a failed init or start. */
    private volatile String lastError;
    /** The dlp_host itself, written once by make(). */
    private MemorySegment struct;

    private HostServices(String pluginId, PluginLogger logger, Map<String, String> config, Dependencies dependencies,
                         Arena arena) {
        this.pluginId = pluginId;
        this.logger = logger;
        this.config = Map.copyOf(config);
        this.dependencies = dependencies;
        this.arena = arena;
    }

    /**
     * Writes a dlp_host for a plugin into its arena.
     *
     * @return the services, and the struct's address in {@link #struct()}
     */
    static HostServices make(PluginDescriptor d, int abi, String hostVersion, PluginLogger logger,
                             Map<String, String> config, Dependencies dependencies, Arena arena) {
        HostServices s = new HostServices(d.id(), logger, config, dependencies, arena);
        s.struct = arena.allocate(NativePlugin.HOST_SIZE, 8);
        s.struct.set(JAVA_INT, 0, (int) NativePlugin.HOST_SIZE);
        s.struct.set(JAVA_INT, 4, abi);
        s.struct.set(ADDRESS, 8, arena.allocateFrom(hostVersion));
        s.struct.set(ADDRESS, 16, arena.allocateFrom(d.id()));
        s.struct.set(ADDRESS, 24, LINKER.upcallStub(LOG.bindTo(s),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS), arena));
        s.struct.set(ADDRESS, 32, LINKER.upcallStub(CONFIG.bindTo(s),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), arena));
        s.struct.set(ADDRESS, 40, LINKER.upcallStub(DEPENDENCY.bindTo(s),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT), arena));
        // The C library's own allocator: any thread, no Java in between.
        s.struct.set(ADDRESS, 48, LINKER.defaultLookup().find("malloc").orElseThrow());
        s.struct.set(ADDRESS, 56, LINKER.defaultLookup().find("free").orElseThrow());
        return s;
    }

    MemorySegment struct() {
        return struct;
    }

    /** {@return the last ERROR message the plugin logged, if any} */
    Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    private static void log(HostServices s, MemorySegment host, int level, MemorySegment message) {
        try {
            String text = NativePlugin.text(message).orElse("");
            PluginLogger.Level[] levels = PluginLogger.Level.values();
            PluginLogger.Level l = level >= 0 && level < levels.length ? levels[level] : PluginLogger.Level.DEBUG;
            if (l == PluginLogger.Level.ERROR) {
                s.lastError = text;
            }
            s.logger.log(s.pluginId, l, text);
        } catch (Throwable t) {
            // The logger failed: nothing may reach C, and there is nowhere else to say it.
        }
    }

    private static MemorySegment config(HostServices s, MemorySegment host, MemorySegment key) {
        try {
            Optional<String> k = NativePlugin.text(key);
            if (k.isEmpty()) {
                return MemorySegment.NULL;
            }
            String value = s.config.get(k.get());
            if (value == null) {
                return MemorySegment.NULL;
            }
            // Host-owned and valid until destroy: one copy per key, in the plugin's arena.
            return s.configCopies.computeIfAbsent(k.get(), ignored -> s.arena.allocateFrom(value));
        } catch (Throwable t) {
            report(s, "config", t);
            return MemorySegment.NULL;
        }
    }

    private static MemorySegment dependency(HostServices s, MemorySegment host, MemorySegment id, int major,
                                            int minMinor) {
        try {
            Optional<String> name = NativePlugin.text(id);
            return name.isEmpty() ? MemorySegment.NULL
                    : s.dependencies.find(name.get(), major, minMinor).orElse(MemorySegment.NULL);
        } catch (Throwable t) {
            report(s, "dependency", t);
            return MemorySegment.NULL;
        }
    }

    private static void report(HostServices s, String service, Throwable t) {
        try {
            s.logger.log(s.pluginId, PluginLogger.Level.ERROR, "the host's " + service + " service failed: " + t);
        } catch (Throwable ignored) {
            // see log
        }
    }
}
