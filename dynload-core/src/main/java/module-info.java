/**
 * dynload: load native shared libraries at run time and call them with type safety, on
 * {@code java.lang.foreign}.
 *
 * <p>{@link dev.dynload.Library} is the entry point; {@link dev.dynload.elf} reads ELF files to explain
 * load failures and to list exports. The per-OS backends live in {@code dev.dynload.internal}, which is
 * not exported.
 *
 * <p>dynload calls restricted {@code java.lang.foreign} methods, so run with
 * {@code --enable-native-access=dev.dynload} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.dynload {
    // Nullness annotations: read by compilers and tools, not needed at run time.
    requires static org.jspecify;

    exports dev.dynload;
    exports dev.dynload.elf;
    exports dev.dynload.format;
    exports dev.dynload.bind;
    // dynload's own modules share its escaper of printed text (Printable); nothing else of it is theirs.
    exports dev.dynload.internal to dev.dynload.plugin, dev.dynload.cli;
    // The plugin host's forwarders, which move a plugin's bound interfaces to a reloaded copy; the
    // binding rules and type table, which the annotation processor runs on the compiler's model.
    exports dev.dynload.internal.bind to dev.dynload.plugin, dev.dynload.processor;
}
