package dev.dynload.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dynload}: the top command, which only dispatches. Its subcommands ({@link Commands}) are added
 * by {@link Main#commandLine}, only the one a command line names.
 */
@Command(name = "dynload", mixinStandardHelpOptions = true, version = "dynload 0.1.0",
        description = "Load a native shared library at run time: call its functions, list its symbols, "
                + "tell what it needs.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success", "  2  usage: bad option, argument or value", "  3  library not found",
                "  4  not a loadable library (format, CPU, dependency, damage...)",
                "  5  symbol not found, or not a function",
                "  6  the call crashed, exited or passed its time limit (call --isolated)",
                "  70 internal error"})
final class DynloadCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is needed: " + Commands.names());
    }
}
