/**
 * dynload's native plugins: the host side of the ABI in {@code dynload_plugin.h}. It makes downcalls and
 * upcall stubs itself, so run with {@code --enable-native-access=dev.dynload,dev.dynload.plugin}.
 */
module dev.dynload.plugin {
    requires transitive dev.dynload;
    requires static org.jspecify;
    exports dev.dynload.plugin;
    // The rules of plugin interfaces, which dynload's annotation processor runs on the compiler's model.
    exports dev.dynload.plugin.rules to dev.dynload.processor;
}
