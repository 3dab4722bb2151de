/**
 * Native plugins for Java hosts: a plugin is a shared library built against {@code dynload_plugin.h}
 * (shipped in this module's jar under {@code include/} and in the source tree under
 * {@code dynload-plugin/include/}). {@link dev.dynload.plugin.PluginHost} finds plugins, reads their
 * manifests without loading them, and resolves their ABI, host and dependency requirements. See
 * docs/plugins.md.
 *
 * <p>Null-marked: no parameter, result or field of this package is null, but where it says
 * {@code @Nullable}.
 */
@NullMarked
package dev.dynload.plugin;

import org.jspecify.annotations.NullMarked;
