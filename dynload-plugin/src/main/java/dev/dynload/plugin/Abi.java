package dev.dynload.plugin;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The structs of {@code dynload_plugin.h}, declared once, as the header declares them: every reader and
 * writer of them ({@link NativePlugin}, {@link HostServices}, {@link Plugin}) takes its offsets from here.
 * 64-bit only (a plugin host refuses a 32-bit JVM), so a pointer is 8 bytes aligned to 8.
 *
 * {@snippet lang=c :
 * typedef struct dlp_offer {
 *     uint32_t size; uint32_t abi_min; uint32_t abi_max; uint32_t reserved;
 *     const char *host_version;
 * } dlp_offer;
 * }
 */
final class Abi {

    private Abi() {
    }

    /** {@code dlp_offer}: what the host offers the plugin's entry point. */
    static final StructLayout OFFER = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("abi_min"),
            JAVA_INT.withName("abi_max"),
            JAVA_INT.withName("reserved"),
            ADDRESS.withName("host_version")).withName("dlp_offer");

    /** {@code dlp_answer}: what the entry point answers. */
    static final StructLayout ANSWER = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("abi"),
            ADDRESS.withName("refusal"),
            ADDRESS.withName("plugin")).withName("dlp_answer");

    /** {@code dlp_plugin}: the plugin's lifecycle table. */
    static final StructLayout PLUGIN = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("reserved"),
            ADDRESS.withName("init"),
            ADDRESS.withName("start"),
            ADDRESS.withName("stop"),
            ADDRESS.withName("destroy"),
            ADDRESS.withName("get_interface")).withName("dlp_plugin");

    /**
     * {@code dlp_plugin} of ABI 1.1: the 1.0 table, then the state handoff of a reload, {@code save} and
     * {@code restore}, and {@code dependency_reloaded}, which tells a plugin that one it requires was
     * reloaded. A plugin whose table's size stops before them (built for 1.0) reloads with a fresh
     * init; the host reads a function only when the size covers it.
     */
    static final StructLayout PLUGIN_1_1 = MemoryLayout.structLayout(
            PLUGIN.withName("v1_0"),
            ADDRESS.withName("save"),
            ADDRESS.withName("restore"),
            ADDRESS.withName("dependency_reloaded")).withName("dlp_plugin");

    /** {@code dlp_host}: the host's services, given to the plugin at init. */
    static final StructLayout HOST = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("abi"),
            ADDRESS.withName("host_version"),
            ADDRESS.withName("plugin_id"),
            ADDRESS.withName("log"),
            ADDRESS.withName("config"),
            ADDRESS.withName("dependency"),
            ADDRESS.withName("alloc"),
            ADDRESS.withName("free")).withName("dlp_host");

    /** {@code dlp_interface}: an interface table's header; its function pointers follow it. */
    static final StructLayout INTERFACE = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("minor")).withName("dlp_interface");

    /** The bytes of {@code DLP_MANIFEST}: magic, format, text length, then the text and its NUL. */
    static final StructLayout MANIFEST_HEADER = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("magic"),
            JAVA_INT.withName("format"),
            JAVA_INT.withName("length")).withName("dlp_manifest_bytes_");

    /**
     * {@return the offset of {@code field} in {@code struct}} Summed over the members before it, rather
     * than through {@code byteOffset(groupElement(field))}, whose layout paths cost a fresh JVM milliseconds
     * on a plugin's first start.
     */
    static long offset(StructLayout struct, String field) {
        long at = 0;
        for (MemoryLayout member : struct.memberLayouts()) {
            if (field.equals(member.name().orElse(null))) {
                return at;
            }
            at += member.byteSize();
        }
        throw new IllegalArgumentException(struct + " has no field " + field);
    }

    // The offsets every reader and writer uses, computed once from the layouts above.
    static final long OFFER_ABI_MIN = offset(OFFER, "abi_min");
    static final long OFFER_ABI_MAX = offset(OFFER, "abi_max");
    static final long OFFER_HOST_VERSION = offset(OFFER, "host_version");
    static final long ANSWER_ABI = offset(ANSWER, "abi");
    static final long ANSWER_REFUSAL = offset(ANSWER, "refusal");
    static final long ANSWER_PLUGIN = offset(ANSWER, "plugin");
    static final long PLUGIN_INIT = offset(PLUGIN, "init");
    static final long PLUGIN_START = offset(PLUGIN, "start");
    static final long PLUGIN_STOP = offset(PLUGIN, "stop");
    static final long PLUGIN_DESTROY = offset(PLUGIN, "destroy");
    static final long PLUGIN_GET_INTERFACE = offset(PLUGIN, "get_interface");
    static final long PLUGIN_SAVE = offset(PLUGIN_1_1, "save");
    static final long PLUGIN_RESTORE = offset(PLUGIN_1_1, "restore");
    static final long PLUGIN_DEPENDENCY_RELOADED = offset(PLUGIN_1_1, "dependency_reloaded");
    static final long HOST_ABI = offset(HOST, "abi");
    static final long HOST_HOST_VERSION = offset(HOST, "host_version");
    static final long HOST_PLUGIN_ID = offset(HOST, "plugin_id");
    static final long HOST_LOG = offset(HOST, "log");
    static final long HOST_CONFIG = offset(HOST, "config");
    static final long HOST_DEPENDENCY = offset(HOST, "dependency");
    static final long HOST_ALLOC = offset(HOST, "alloc");
    static final long HOST_FREE = offset(HOST, "free");
    static final long INTERFACE_MINOR = offset(INTERFACE, "minor");
    static final long MANIFEST_FORMAT = offset(MANIFEST_HEADER, "format");
    static final long MANIFEST_LENGTH = offset(MANIFEST_HEADER, "length");
}
