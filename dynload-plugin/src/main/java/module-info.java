/**
 * dynload's native plugins: the host side of the ABI in {@code dynload_plugin.h}.
 */
module dev.dynload.plugin {
    requires transitive dev.dynload;
    exports dev.dynload.plugin;
}
