package dev.dynload.cli;

import java.io.PrintWriter;
import java.util.spi.ToolProvider;

/**
 * The {@code dynload} command as a {@link ToolProvider}, to run it in-process:
 *
 * {@snippet :
 * ToolProvider dynload = ToolProvider.findFirst("dynload").orElseThrow();
 * int status = dynload.run(System.out, System.err, "symbols", "libz.so.1");
 * }
 */
public final class DynloadTool implements ToolProvider {

    /** Creates the tool; {@link java.util.ServiceLoader} calls this. */
    public DynloadTool() {
    }

    @Override
    public String name() {
        return "dynload";
    }

    @Override
    public int run(PrintWriter out, PrintWriter err, String... args) {
        return Main.run(out, err, args);
    }
}
