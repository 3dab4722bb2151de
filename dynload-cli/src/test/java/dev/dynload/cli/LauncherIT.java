package dev.dynload.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged command as users run it: bin/dynload, the executable jar, a fresh JVM. */
class LauncherIT {

    static final Path LAUNCHER = Path.of(System.getProperty("dynload.launcher", "../bin/dynload")).toAbsolutePath();

    record Result(int status, String out, String err) {
    }

    static Result launch(String... args) throws IOException, InterruptedException {
        return launch(new ProcessBuilder(), args);
    }

    static Result launch(ProcessBuilder builder, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Process p = builder.command(command).start();
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

    @Test
    void aCrashLeavesItsReportInTheStateFolderNotTheWorkingDirectory(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path state = dir.resolve("state");
        ProcessBuilder builder = new ProcessBuilder().directory(work.toFile());
        builder.environment().put("XDG_STATE_HOME", state.toString());
        Result r = launch(builder, "call", DynloadToolTest.FIXTURE.toString(), "cli_crash");
        assertTrue(r.status() != 0, "cli_crash returned: " + r);
        try (Stream<Path> left = Files.list(work)) {
            assertEquals(List.of(), left.toList(), "nothing may be left in the working directory");
        }
        try (Stream<Path> reports = Files.list(state.resolve("dynload"))) {
            assertTrue(reports.anyMatch(f -> f.getFileName().toString().startsWith("hs_err_pid")), r.out());
        }
        assertTrue(r.out().contains(state.resolve("dynload").toString()), "the JVM says where the report is: " + r.out());
    }

    @Test
    void aTableLargerThanTheHeapIsOneLineNotAStackTrace(@TempDir Path dir) throws Exception {
        // A sparse copy of the fixture whose string table claims 250 MB: the reader must refuse it cleanly
        // even when the JVM's heap is far smaller.
        Path sparse = Elf.withDynamic(DynloadToolTest.FIXTURE, dir.resolve("libhuge.so"), 10, 250_000_000); // DT_STRSZ
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(300_000_000);
        }
        ProcessBuilder builder = new ProcessBuilder();
        builder.environment().put("DYNLOAD_JAVA_OPTS", "-Xmx48m");
        for (String command : new String[] {"symbols", "info", "verify"}) {
            Result r = launch(builder, command, sparse.toString());
            assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), command + ": " + r);
            assertEquals(1, r.err().lines().count(), command + ": " + r.err());
            assertTrue(r.err().startsWith("dynload: "), r.err());
            assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception in thread"), r.err());
        }
    }
}
