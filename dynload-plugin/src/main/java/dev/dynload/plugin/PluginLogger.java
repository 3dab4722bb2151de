package dev.dynload.plugin;

/**
 * Where the messages plugins log (through {@code dlp_host.log}) and the host's own lifecycle messages go.
 * Called on whatever thread the plugin logs from; an exception it throws is dropped, never passed to C.
 *
 * {@snippet lang=c :
 * host->log(host, DLP_LOG_INFO, "ready");
 * }
 * {@snippet :
 * PluginHost.builder().logger((id, level, message) -> System.out.println(id + " " + level + " " + message));
 * }
 */
@FunctionalInterface
public interface PluginLogger {

    /** The levels of dynload_plugin.h: DLP_LOG_ERROR (0) to DLP_LOG_DEBUG (3). */
    enum Level {
        /** {@code DLP_LOG_ERROR}: something failed. */
        ERROR,
        /** {@code DLP_LOG_WARN}: something is wrong, and work goes on. */
        WARN,
        /** {@code DLP_LOG_INFO}: what happened. */
        INFO,
        /** {@code DLP_LOG_DEBUG}: detail for whoever looks into a problem. */
        DEBUG
    }

    /**
     * One message.
     *
     * @param pluginId the plugin that logged it
     * @param level its level
     * @param message the text
     */
    void log(String pluginId, Level level, String message);

    /**
     * A logger that writes each message as one line to standard error: {@code [ID] LEVEL: MESSAGE}. The id
     * and the message come from plugin files, so control characters, escape sequences, line separators and
     * invisible or bidirectional format characters in them are shown as visible escapes ({@code \n},
     * {@code \x1b}, {@code \u202e}, {@code \U000e0041}): a file name or a message cannot forge a line or
     * drive the terminal. A logger of your own gets the text as it is; escape it where it is printed.
     *
     * @return the logger
     */
    static PluginLogger standardError() {
        return (id, level, message) -> System.err.println(dev.dynload.internal.Printable.of("[" + id + "] " + level
                + ": " + message));
    }
}
