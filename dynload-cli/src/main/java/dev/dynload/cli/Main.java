package dev.dynload.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Entry point of the {@code dynload} command.
 *
 * <pre>
 * $ dynload call target/release/libtest.so greet --returns string
 * Hello from Rust!
 * $ dynload call libm.so.6 cos double:0 --returns double
 * 1.0
 * </pre>
 */
public final class Main {

    private Main() {
    }

    /**
     * Runs the command and exits with its {@link ExitCode}.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // stdout.encoding is the console's charset when there is one; System.console() would tell the same
        // but costs about 15 ms of start-up (it loads the JDK's line editor).
        Charset cs = stdoutCharset(Charset.defaultCharset());
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, cs), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, cs), true);
        int status = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    private static Charset stdoutCharset(Charset fallback) {
        String name = System.getProperty("stdout.encoding");
        return name != null && Charset.isSupported(name) ? Charset.forName(name) : fallback;
    }

    /**
     * The command line with the subcommand {@code first} names, or with all of them when it names none
     * (help, a typo). picocli reads a command's annotations when it is added, which is most of the
     * command's start-up time, so a call does not pay for the other commands.
     */
    static CommandLine commandLine(String first) {
        CommandLine cli = new CommandLine(new DynloadCommand());
        boolean named = false;
        for (Commands c : Commands.values()) {
            named |= c.command().equals(first);
        }
        for (Commands c : Commands.values()) {
            if (!named || c.command().equals(first)) {
                cli.addSubcommand(c.create());
            }
        }
        return cli;
    }

    /**
     * Runs the command in this JVM.
     *
     * @param out where results go
     * @param err where errors go, one line each
     * @param args the command line
     * @return the exit status, one of {@link ExitCode}
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(args.length > 0 ? args[0] : "");
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, ignored) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println(command + ": " + e.getMessage() + " (see '" + command + " --help')");
            return ExitCode.USAGE.code();
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> Failures.report(e, err).code());
        int status;
        try {
            status = cli.execute(args);
        } catch (Error e) {
            // picocli hands Exceptions to the handler above and lets Errors through: an OutOfMemoryError
            // from a file that claims huge tables gets the same one line, not a stack trace.
            status = Failures.report(e, err).code();
        }
        out.flush();
        err.flush();
        return status;
    }
}
