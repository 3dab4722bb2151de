package dev.dynload.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged command as users run it: bin/dynload, the executable jar, a fresh JVM. */
class LauncherIT {

    static final Path LAUNCHER = Path.of(System.getProperty("dynload.launcher", "../bin/dynload")).toAbsolutePath();

    record Result(int status, String out, String err) {
    }

    static Result launch(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher hung");
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void launcherCallsTheRustGreetingWithoutAnyWarning() throws Exception {
        Result r = launch("call", DynloadToolTest.RUST.toString(), "greet", "--returns", "string");
        assertEquals(0, r.status(), r.err());
        assertEquals("Hello from Rust!\n", r.out());
        assertEquals("", r.err(), "the jar's Enable-Native-Access should silence restricted-method warnings");
    }

    @Test
    void launcherCallsLibm() throws Exception {
        Result r = launch("call", "libm.so.6", "cos", "double:0", "--returns", "double");
        assertEquals(new Result(0, "1.0\n", ""), r);
    }

    @Test
    void launcherReportsErrorsAsOneLineAndAnExitCode() throws Exception {
        Result r = launch("call", "/nonexistent/libnothing.so", "f");
        assertEquals(ExitCode.NOT_FOUND.code(), r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("dynload: cannot load /nonexistent/libnothing.so: no such file"), r.err());
        Result missing = launch("call", DynloadToolTest.RUST.toString(), "gret");
        assertEquals(ExitCode.MISSING_SYMBOL.code(), missing.status());
        assertTrue(missing.err().contains("did you mean: greet?"), missing.err());
    }
}
