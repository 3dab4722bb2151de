package dev.dynload.plugin;

import dev.dynload.Library;
import dev.dynload.LibraryException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.ADDRESS_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * A plugin's native side once loaded: its {@link Library} (whose bound interfaces stopping unbinds,
 * waiting for the calls in flight, before it calls the plugin's stop and destroy), the lifecycle table
 * its entry point gave, its state pointer, and the host services given to it, in memory of its own that
 * lives until it is unloaded. Lifecycle calls run on the host's lifecycle thread, one at a time.
 */
final class NativePlugin {

    /** dlp_plugin (see {@link Abi#PLUGIN}): size, reserved, then init, start, stop, destroy, get_interface. */
    private static final long PLUGIN_SIZE = Abi.PLUGIN.byteSize();

    private static final Linker LINKER = Linker.nativeLinker();
    /** int32_t f(void *, void *): the entry point and init have the same shape. */
    private static final MethodHandle TWO_POINTERS = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle STATE_SHAPE = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DESTROY_SHAPE = LINKER.downcallHandle(FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle GET_SHAPE = LINKER.downcallHandle(
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));

    /** {@code int32_t (*)(void *, void **, size_t *)}: save, of ABI 1.1. */
    private static final MethodHandle SAVE_SHAPE = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS));
    /** {@code int32_t (*)(void *, const void *, size_t)}: restore, of ABI 1.1. */
    private static final MethodHandle RESTORE_SHAPE = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT, ADDRESS,
            ADDRESS, ValueLayout.JAVA_LONG));
    /** {@code void (*)(void *, const char *)}: dependency_reloaded, of ABI 1.1. */
    private static final MethodHandle TOLD_SHAPE = LINKER.downcallHandle(FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    /** The largest state a reload hands over: a plugin's state, not its database. */
    static final long MAX_HANDOFF = 1L << 30;

    private final PluginDescriptor descriptor;
    private final long witness;
    private final Library library;
    private final Arena arena;
    private final MemorySegment table;
    private final int abi;
    /** The 1.1 handoff functions, or NULL when its table stops before them (a plugin built for 1.0). */
    private final MemorySegment save;
    private final MemorySegment restore;
    /** The 1.1 dependency_reloaded, or NULL. */
    private final MemorySegment told;
    private final Map<String, MemorySegment> interfaceIds = new ConcurrentHashMap<>();
    private MemorySegment state = MemorySegment.NULL;

    private NativePlugin(PluginDescriptor descriptor, Library library, Arena arena, MemorySegment table, int abi,
                         MemorySegment save, MemorySegment restore, MemorySegment told, long witness) {
        this.told = told;
        this.witness = witness;
        this.descriptor = descriptor;
        this.library = library;
        this.arena = arena;
        this.table = table;
        this.abi = abi;
        this.save = save;
        this.restore = restore;
    }

    /** {@return an address inside this copy's image (its manifest's): tells it from another copy of the file} */
    long witness() {
        return witness;
    }

    /** {@return the file and manifest it was loaded from} */
    PluginDescriptor descriptor() {
        return descriptor;
    }

    /** {@return whether it can hand its state to a reloaded copy (ABI 1.1 save)} */
    boolean saves() {
        return save.address() != 0;
    }

    /** {@return whether it can be told that a plugin it requires was reloaded (ABI 1.1 dependency_reloaded)} */
    boolean hearsReloads() {
        return told.address() != 0;
    }

    /**
     * Tells it that {@code pluginId}, which it requires, was reloaded: from now on it takes that plugin's
     * tables again through the dependency service.
     */
    void dependencyReloaded(String pluginId) {
        try (Arena call = Arena.ofConfined()) {
            TOLD_SHAPE.invokeExact(told, state, call.allocateFrom(pluginId));
        } catch (Throwable t) {
            throw new IllegalStateException("dependency_reloaded failed", t);
        }
    }

    /** {@return whether it can take a state from the copy it replaces (ABI 1.1 restore)} */
    boolean restores() {
        return restore.address() != 0;
    }

    /**
     * Calls save: the plugin writes its state into memory from the host's allocator, which is read here and
     * freed. {@return the state's bytes}
     *
     * @throws Refused if save fails, or gives more than {@link #MAX_HANDOFF} bytes, or a length without bytes
     */
    byte[] save() throws Refused {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment bytes = call.allocate(ADDRESS);
            MemorySegment length = call.allocate(ValueLayout.JAVA_LONG);
            int rc;
            try {
                rc = (int) SAVE_SHAPE.invokeExact(save, state, bytes, length);
            } catch (Throwable t) {
                throw new Refused("its save threw " + t);
            }
            MemorySegment given = bytes.get(ADDRESS, 0);
            long size = length.get(ValueLayout.JAVA_LONG, 0);
            try {
                if (rc != 0) {
                    throw new Refused("its save failed with status " + rc);
                }
                if (size < 0 || size > MAX_HANDOFF) {
                    throw new Refused("its save gave " + Long.toUnsignedString(size) + " bytes; a state handed over "
                            + "holds at most " + MAX_HANDOFF);
                }
                if (size > 0 && given.address() == 0) {
                    throw new Refused("its save gave a length of " + size + " and no bytes");
                }
                return size == 0 ? new byte[0] : given.reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
            } finally {
                HostServices.free(given);
            }
        }
    }

    /**
     * Calls restore with the state the replaced copy saved.
     *
     * @throws Refused if restore fails
     */
    void restore(byte[] saved) throws Refused {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment bytes = saved.length == 0 ? MemorySegment.NULL : call.allocateFrom(ValueLayout.JAVA_BYTE, saved);
            int rc;
            try {
                rc = (int) RESTORE_SHAPE.invokeExact(restore, state, bytes, (long) saved.length);
            } catch (Throwable t) {
                throw new Refused("its restore threw " + t);
            }
            if (rc != 0) {
                throw new Refused("its restore failed with status " + rc);
            }
        }
    }

    /** A lifecycle step that failed: the plugin's message, or the host's reading of what went wrong. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Loads the file and negotiates: offers the host's ABI range and takes the plugin's answer.
     *
     * @throws Refused if the file does not load, or the plugin refuses or answers something unusable
     */
    static NativePlugin load(PluginDescriptor d, String hostVersion, dev.dynload.LoadOption... pin) throws Refused {
        Library library;
        try {
            library = d.open(pin);
        } catch (LibraryException e) {
            throw new Refused("does not load: " + e.getMessage());
        }
        Arena arena = Arena.ofShared();
        try {
            return negotiate(d, hostVersion, library, arena);
        } catch (Refused | RuntimeException e) {
            library.close();
            arena.close();
            throw e;
        }
    }

    private static NativePlugin negotiate(PluginDescriptor d, String hostVersion, Library library, Arena arena)
            throws Refused {
        long witness = sameManifest(d, library);
        Optional<MemorySegment> entry = library.find("dynload_plugin_entry");
        if (entry.isEmpty()) {
            throw new Refused("exports no dynload_plugin_entry; define it with DLP_ENTRY (dynload_plugin.h)");
        }
        MemorySegment offer = arena.allocate(Abi.OFFER);
        offer.set(JAVA_INT, 0, (int) Abi.OFFER.byteSize());
        offer.set(JAVA_INT, Abi.OFFER_ABI_MIN, PluginHost.ABI_MIN);
        offer.set(JAVA_INT, Abi.OFFER_ABI_MAX, PluginHost.ABI_MAX);
        offer.set(ADDRESS, Abi.OFFER_HOST_VERSION, arena.allocateFrom(hostVersion));
        MemorySegment answer = arena.allocate(Abi.ANSWER);
        answer.set(JAVA_INT, 0, (int) Abi.ANSWER.byteSize());
        int rc = call(entry.get(), offer, answer);
        int abi = answer.get(JAVA_INT, Abi.ANSWER_ABI);
        if (rc != 0 || abi == 0) {
            String why = text(answer.get(ADDRESS, Abi.ANSWER_REFUSAL)).orElse("it gave no reason");
            throw new Refused("refused the host (ABI " + PluginHost.ABI_MIN + ".." + PluginHost.ABI_MAX + ", status "
                    + rc + "): " + why);
        }
        PluginManifest m = d.manifest();
        if (abi < PluginHost.ABI_MIN || abi > PluginHost.ABI_MAX || abi < m.abiMin() || abi > m.abiMax()) {
            throw new Refused("answered ABI " + abi + ", outside the host's " + PluginHost.ABI_MIN + ".."
                    + PluginHost.ABI_MAX + " or its manifest's " + m.abiMin() + ".." + m.abiMax());
        }
        MemorySegment plugin = answer.get(ADDRESS, Abi.ANSWER_PLUGIN);
        if (plugin.address() == 0) {
            throw new Refused("accepted, but gave no lifecycle table (dlp_answer.plugin is NULL)");
        }
        // The plugin's memory: read without assuming its alignment, which a plugin may get wrong.
        int size = plugin.reinterpret(4).get(JAVA_INT_UNALIGNED, 0);
        if (size < PLUGIN_SIZE) {
            throw new Refused("gave a lifecycle table of " + size + " bytes; ABI " + abi + " needs " + PLUGIN_SIZE);
        }
        MemorySegment table = plugin.reinterpret(PLUGIN_SIZE);
        for (long at = Abi.PLUGIN_INIT; at < PLUGIN_SIZE; at += ADDRESS.byteSize()) {
            if (table.get(ADDRESS_UNALIGNED, at).address() == 0) {
                throw new Refused("gave a lifecycle table with a NULL function (at offset " + at + ")");
            }
        }
        MemorySegment save = MemorySegment.NULL;
        MemorySegment restore = MemorySegment.NULL;
        MemorySegment told = MemorySegment.NULL;
        long given = Integer.toUnsignedLong(size);
        MemorySegment whole = plugin.reinterpret(Math.min(given, Abi.PLUGIN_1_1.byteSize()));
        // Each 1.1 function only when the plugin's size covers it (readers never read past size).
        if (given >= Abi.PLUGIN_RESTORE + ADDRESS.byteSize()) {
            save = whole.get(ADDRESS_UNALIGNED, Abi.PLUGIN_SAVE);
            restore = whole.get(ADDRESS_UNALIGNED, Abi.PLUGIN_RESTORE);
        }
        if (given >= Abi.PLUGIN_DEPENDENCY_RELOADED + ADDRESS.byteSize()) {
            told = whole.get(ADDRESS_UNALIGNED, Abi.PLUGIN_DEPENDENCY_RELOADED);
        }
        return new NativePlugin(d, library, arena, table, abi, save, restore, told, witness);
    }

    /**
     * Checks that the library that loaded carries the manifest discovery read (before any of its code ran):
     * the file may have been replaced since, or a bundle override may have loaded another build. Read
     * from the loaded image, which the loader mapped from the very file it loads.
     */
    private static long sameManifest(PluginDescriptor d, Library library) throws Refused {
        Optional<MemorySegment> found = library.find(ManifestReader.SYMBOL);
        if (found.isEmpty()) {
            throw new Refused("the library that loaded has no manifest: it is not the file discovery read");
        }
        MemorySegment header = found.get().reinterpret(Abi.MANIFEST_HEADER.byteSize());
        long length = Integer.toUnsignedLong(header.get(JAVA_INT_UNALIGNED, Abi.MANIFEST_LENGTH));
        if (length > PluginManifest.MAX_TEXT) {
            throw new Refused("the library that loaded has another manifest (" + length + " bytes of text) than "
                    + "the one discovery read");
        }
        long size = Abi.MANIFEST_HEADER.byteSize() + length + 1;
        java.nio.ByteBuffer bytes = found.get().reinterpret(size).asByteBuffer().order(java.nio.ByteOrder.nativeOrder());
        PluginManifest loaded;
        try {
            loaded = ManifestReader.parse(d.file(), Optional.of(new dev.dynload.format.SymbolData(ManifestReader.SYMBOL, size,
                    bytes)));
        } catch (PluginException e) {
            throw new Refused("the library that loaded has a manifest that does not read: " + e.getMessage());
        }
        if (!loaded.equals(d.manifest())) {
            throw new Refused("the library that loaded (" + loaded.id() + " " + loaded.version() + ") carries another "
                    + "manifest than the one discovery read (" + d.id() + " " + d.version() + "): the file was "
                    + "replaced since, or another build was loaded; discover again");
        }
        return found.get().address();
    }

    int abi() {
        return abi;
    }

    Arena arena() {
        return arena;
    }

    Library library() {
        return library;
    }

    /** Calls init with the host services; keeps the state it gives. */
    void init(MemorySegment host) throws Refused {
        MemorySegment statePointer = arena.allocate(ADDRESS);
        int rc = call(table.get(ADDRESS_UNALIGNED, Abi.PLUGIN_INIT), host, statePointer);
        if (rc != 0) {
            throw new Refused("init failed with status " + rc);
        }
        state = statePointer.get(ADDRESS, 0);
    }

    void start() throws Refused {
        int rc = callState(Abi.PLUGIN_START);
        if (rc != 0) {
            throw new Refused("start failed with status " + rc);
        }
    }

    /** Calls stop; returns its status. */
    int stop() {
        try {
            return callState(Abi.PLUGIN_STOP);
        } catch (Refused e) {
            return -1;
        }
    }

    void destroy() {
        try {
            DESTROY_SHAPE.invokeExact(table.get(ADDRESS_UNALIGNED, Abi.PLUGIN_DESTROY), state);
        } catch (Throwable t) {
            throw new IllegalStateException("destroy failed", t);
        }
    }

    /**
     * The plugin's table of an interface.
     *
     * @return the table, sized by its own size field, or empty when the plugin gives NULL
     */
    Optional<MemorySegment> getInterface(String id, int major, int minMinor) {
        MemorySegment name = interfaceIds.get(id);
        if (name == null) {
            name = arena.allocateFrom(id);
            MemorySegment other = interfaceIds.putIfAbsent(id, name);
            name = other != null ? other : name;
        }
        MemorySegment t;
        try {
            t = (MemorySegment) GET_SHAPE.invokeExact(table.get(ADDRESS_UNALIGNED, Abi.PLUGIN_GET_INTERFACE), state,
                    name, major, minMinor);
        } catch (Throwable e) {
            throw new IllegalStateException("get_interface failed", e);
        }
        if (t.address() == 0) {
            return Optional.empty();
        }
        long header = Abi.INTERFACE.byteSize();
        int size = t.reinterpret(header).get(JAVA_INT_UNALIGNED, 0);
        return Optional.of(t.reinterpret(Math.max(header, Integer.toUnsignedLong(size))));
    }

    /**
     * Unbinds the plugin's interfaces: from now on they throw, and nothing binds.
     *
     * @return a stage that completes once the calls in flight through them have returned
     */
    java.util.concurrent.CompletionStage<Void> unbind() {
        return library.unbind();
    }

    /**
     * Waits for the calls in flight that {@link #unbind()} said would return. An interrupt does not cut
     * the wait short (a stop half done would leave a plugin loaded): it is kept, and set again after.
     *
     * @param deadline when to give up, as {@link System#nanoTime()}
     * @return false if they had not returned by then
     */
    static boolean returned(java.util.concurrent.CompletionStage<Void> calls, long deadline) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    calls.toCompletableFuture().get(Math.max(0, deadline - System.nanoTime()),
                            java.util.concurrent.TimeUnit.NANOSECONDS);
                    return true;
                } catch (java.util.concurrent.TimeoutException e) {
                    return false;
                } catch (InterruptedException e) {
                    interrupted = true; // the flag is clear now: the next wait waits
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("waiting for the plugin's calls failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Unloads: after stop and destroy (or a failed init), last; the arena goes whatever the close threw.
     * {@return a stage completing once the library was handed back to the loader}
     */
    java.util.concurrent.CompletionStage<Void> unload() {
        try {
            library.close();
        } finally {
            arena.close();
        }
        return library.whenUnloaded();
    }

    private int callState(long offset) throws Refused {
        try {
            return (int) STATE_SHAPE.invokeExact(table.get(ADDRESS_UNALIGNED, offset), state);
        } catch (Throwable t) {
            throw new Refused("the lifecycle call threw " + t);
        }
    }

    /*
     * The shapes take the function's address as their first argument: binding it (bindTo) would spin a
     * method handle class per call site, which a fresh JVM pays for in milliseconds.
     */

    /** Calls an {@code int32_t f(void *, void *)}: the entry point, or init. */
    private static int call(MemorySegment function, MemorySegment a, MemorySegment b) throws Refused {
        try {
            return (int) TWO_POINTERS.invokeExact(function, a, b);
        } catch (Throwable t) {
            throw new Refused("the call threw " + t);
        }
    }

    /** A C string the plugin gave, read up to 4 KiB. */
    static Optional<String> text(MemorySegment p) {
        if (p.address() == 0) {
            return Optional.empty();
        }
        MemorySegment s = p.reinterpret(4096);
        long end = 0;
        while (end < 4096 && s.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        return Optional.of(new String(s.asSlice(0, end).toArray(ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.UTF_8));
    }
}
