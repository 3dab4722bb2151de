package dev.dynload.fuzz;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged and swapped library files, opened by child JVMs so that a death is counted rather than
 * suffered: none may kill the JVM or hang it. A bounded, seeded run; {@code scripts/fuzz} runs thousands.
 */
class DamagedLibrariesTest {

    static final Path NATIVE = Path.of(System.getProperty("dynload.test.native", "target/native")).toAbsolutePath();
    static final Path LIBZ = Path.of("/lib/x86_64-linux-gnu/libz.so.1");

    @TempDir
    Path dir;

    private List<Path> libraries() throws IOException {
        // libkv.so: a library the verifier's rules were not written against (docs/loading.md).
        List<Path> libraries = new ArrayList<>(List.of(NATIVE.resolve("libfixture.so"), NATIVE.resolve("libbinding.so"),
                NATIVE.resolve("libkv.so")));
        if (Files.isRegularFile(LIBZ)) {
            libraries.add(Files.copy(LIBZ, dir.resolve("libz.so.1"))); // a real, stripped system library
        }
        return libraries;
    }

    @Test
    void damagedCopiesOfRealLibrariesNeverKillOrHangTheJvm() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        FuzzRun.Report report = FuzzRun.run(libraries(), 480, 20261126L, false, work, 60);
        assertEquals(List.of(), report.deathsAndHangs().stream().map(o -> o.result() + ": " + o.mutant().description()
                + " -> " + o.detail()).toList(), report.table());
        assertTrue(report.count(FuzzRun.Result.REFUSED) > report.outcomes().size() / 2, report.table());
    }

    @Test
    void withIsolationNeitherDoDamagedCopies() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        FuzzRun.Report report = FuzzRun.run(libraries(), 96, 7L, true, work, 60);
        assertEquals(List.of(), report.deathsAndHangs().stream().map(o -> o.result() + ": " + o.mutant().description()
                + " -> " + o.detail()).toList(), report.table());
    }

    @Test
    void swappingTheFileBetweenGoodTruncatedAndFifoWhileItLoadsNeverKillsOrHangsTheJvm() throws Exception {
        byte[] good = Files.readAllBytes(NATIVE.resolve("libfixture.so"));
        Files.write(dir.resolve("good.so"), good);
        Files.write(dir.resolve("short.so"), Arrays.copyOf(good, good.length / 2));
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).inheritIO().start().waitFor());
        Process race = new ProcessBuilder(FuzzRun.javaCommand(SwapRace.class, dir.toString(), "3000"))
                .redirectErrorStream(true).start();
        // Not a measurement: a hang is the failure being tested for, and it needs some bound to be seen.
        boolean finished = race.waitFor(5, TimeUnit.MINUTES);
        String out = new String(race.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            race.destroyForcibly();
        }
        assertTrue(finished, "the JVM opening a swapped file hung: " + out);
        assertEquals(0, race.exitValue(), "the JVM opening a swapped file died: " + out);
        assertTrue(out.startsWith("opens 3000 loaded "), out);
    }
}
