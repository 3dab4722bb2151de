package dev.dynload.plugin;

import java.io.Serial;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A plugin file that cannot be used: it is no plugin, its manifest is damaged, or it cannot be read.
 * The message names the file, says what is wrong, and what to do.
 *
 * {@snippet lang=c :
 * const char dynload_plugin_manifest[] = "not a manifest";   // no DLPMANI1 header
 * }
 * {@snippet :
 * PluginDescriptor.read(file);   // PluginException BAD_MANIFEST: ...: its manifest does not start with DLPMANI1; ...
 * }
 */
public final class PluginException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** What went wrong, for programs that react to it. */
    public enum Reason {
        /** The file cannot be read (missing, no permission, a folder, an I/O error). */
        UNREADABLE,
        /** The file is no ELF shared library, or is damaged. */
        NOT_A_LIBRARY,
        /** The file is a library but exports no manifest: it is not a dynload plugin. */
        NOT_A_PLUGIN,
        /** The manifest is truncated, oversized, of an unknown format, or does not parse. */
        BAD_MANIFEST
    }

    /** What class of problem it is. */
    private final Reason reason;
    private final transient Path file;

    PluginException(Reason reason, Path file, String detail, String hint, Throwable cause) {
        super(file + ": " + detail + (hint == null ? "" : "; " + hint), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.file = file;
    }

    /** {@return what went wrong} */
    public Reason reason() {
        return reason;
    }

    /** {@return the plugin file} */
    public Path file() {
        return file;
    }
}
