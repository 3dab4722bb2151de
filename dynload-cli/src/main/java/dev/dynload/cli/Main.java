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
        Charset cs = System.console() != null ? System.console().charset() : Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, stdoutCharset(cs)), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, stdoutCharset(cs)), true);
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
     * Runs the command in this JVM.
     *
     * @param out where results go
     * @param err where errors go, one line each
     * @param args the command line
     * @return the exit status, one of {@link ExitCode}
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new DynloadCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, ignored) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println(command + ": " + e.getMessage() + " (see '" + command + " --help')");
            return ExitCode.USAGE.code();
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> Failures.report(e, err).code());
        int status = cli.execute(args);
        out.flush();
        err.flush();
        return status;
    }
}
