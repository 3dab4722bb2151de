/**
 * The {@code dynload} command line tool: call a library's function, list its symbols, tell what it
 * needs. Also available in-process as the {@link java.util.spi.ToolProvider} named {@code dynload}.
 */
module dev.dynload.cli {
    requires dev.dynload;
    requires dev.dynload.plugin;
    requires info.picocli;
    requires static org.jspecify;

    opens dev.dynload.cli to info.picocli;

    provides java.util.spi.ToolProvider with dev.dynload.cli.DynloadTool;
}
