package dev.dynload.fuzz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Opens damaged copies of real libraries with {@code Library.open} in a child JVM, so that a mutant that
 * kills the JVM is counted, not suffered, and tallies what happened by region: refused with a clear error,
 * loaded (the damage did not matter), killed the JVM, or hung it.
 *
 * <p>Seeded: the same seed, libraries and count give the same mutants. Run by {@code DamagedLibrariesTest}
 * (a few hundred) and by {@code scripts/fuzz} (thousands).
 */
public final class FuzzRun {

    /** What one mutant did. */
    enum Result { REFUSED, LOADED, DIED, HUNG }

    /** One mutant and its result. */
    record Outcome(Mutator.Mutant mutant, Result result, String detail) {
    }

    /** Everything a run found. */
    record Report(List<Outcome> outcomes) {
        long count(Result r) {
            return outcomes.stream().filter(o -> o.result == r).count();
        }

        List<Outcome> deathsAndHangs() {
            return outcomes.stream().filter(o -> o.result == Result.DIED || o.result == Result.HUNG).toList();
        }

        String table() {
            Map<Mutator.Region, long[]> by = new EnumMap<>(Mutator.Region.class);
            for (Outcome o : outcomes) {
                by.computeIfAbsent(o.mutant.region(), r -> new long[4])[o.result.ordinal()]++;
            }
            StringBuilder t = new StringBuilder("| region | mutants | refused | loaded | JVM deaths | hangs |\n|---|---|---|---|---|---|\n");
            long[] total = new long[4];
            for (Map.Entry<Mutator.Region, long[]> e : by.entrySet()) {
                long[] c = e.getValue();
                t.append("| ").append(e.getKey().name().toLowerCase().replace('_', ' ')).append(" | ")
                        .append(c[0] + c[1] + c[2] + c[3]).append(" | ").append(c[0]).append(" | ").append(c[1])
                        .append(" | ").append(c[2]).append(" | ").append(c[3]).append(" |\n");
                for (int i = 0; i < 4; i++) {
                    total[i] += c[i];
                }
            }
            t.append("| all | ").append(total[0] + total[1] + total[2] + total[3]).append(" | ").append(total[0])
                    .append(" | ").append(total[1]).append(" | ").append(total[2]).append(" | ").append(total[3]).append(" |\n");
            return t.toString();
        }
    }

    private final Path work;
    private final boolean isolated;
    private Process child;
    /** The mutants the current child loaded: a death may come from one of them, not from the last. */
    private final List<Mutator.Mutant> loadedByChild = new ArrayList<>();
    private Writer toChild;
    private BlockingQueue<String> fromChild;

    private FuzzRun(Path work, boolean isolated) {
        this.work = work;
        this.isolated = isolated;
    }

    /**
     * Makes {@code count} mutants of the libraries, spread evenly over their regions, and opens each.
     *
     * @param hangSeconds how long one open may take before the child is counted as hung and killed
     */
    static Report run(List<Path> libraries, int count, long seed, boolean isolated, Path work, int hangSeconds)
            throws IOException, InterruptedException {
        Random random = new Random(seed);
        List<Mutator> mutators = new ArrayList<>();
        for (Path library : libraries) {
            mutators.add(new Mutator(library));
        }
        FuzzRun run = new FuzzRun(work, isolated);
        List<Outcome> outcomes = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Mutator m = mutators.get(i % mutators.size());
                List<Mutator.Region> regions = m.regions();
                Mutator.Region region = regions.get((i / mutators.size()) % regions.size());
                Mutator.Mutant mutant = m.mutate(region, random);
                outcomes.add(run.open(mutant, i, hangSeconds));
            }
        } finally {
            run.stop();
        }
        return new Report(outcomes);
    }

    private Outcome open(Mutator.Mutant mutant, int index, int hangSeconds) throws IOException, InterruptedException {
        if (child == null || !child.isAlive()) {
            start();
        }
        Path file = Files.write(work.resolve("mutant" + index + ".so"), mutant.bytes());
        try {
            toChild.write(file + "\n");
            toChild.flush();
        } catch (IOException childGone) {
            return died(mutant);
        }
        String answer = fromChild.poll(hangSeconds, TimeUnit.SECONDS);
        try {
            if (answer == null) {
                kill();
                return new Outcome(mutant, Result.HUNG, "no answer in " + hangSeconds + " s");
            }
            if (answer.equals("<eof>")) {
                return died(mutant);
            }
            if (answer.equals("ok")) {
                remember(mutant);
                return new Outcome(mutant.withoutBytes(), Result.LOADED, "");
            }
            if (Boolean.getBoolean("dynload.fuzz.keepAll")) {
                remember(mutant);
            }
            return new Outcome(mutant.withoutBytes(), Result.REFUSED, answer);
        } finally {
            if (!Boolean.getBoolean("dynload.fuzz.keepFiles")) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Keeps a mutant the current child loaded, in case a later death is its doing (a destructor runs at
     * exit): the last {@value #REMEMBERED}, so that a long run of large libraries does not fill the heap.
     */
    private void remember(Mutator.Mutant mutant) {
        if (loadedByChild.size() == REMEMBERED) {
            loadedByChild.removeFirst();
        }
        loadedByChild.add(mutant);
    }

    private static final int REMEMBERED = 64;

    private Outcome died(Mutator.Mutant mutant) throws InterruptedException, IOException {
        child.waitFor();
        int status = child.exitValue();
        StringBuilder frame = new StringBuilder();
        try (Stream<Path> logs = Files.list(work)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList()) {
                for (String l : Files.readAllLines(log)) {
                    if (l.startsWith("#  SIG") || l.startsWith("# C  ") || l.startsWith("# J ") || l.startsWith("# j  ")
                            || l.startsWith("# V  ")) {
                        frame.append(' ').append(l.substring(1).strip());
                    }
                }
                Files.delete(log);
            }
        }
        child = null;
        Path keep = work.resolve("died-" + Integer.toHexString(mutant.description().hashCode()) + ".so");
        Files.write(keep, mutant.bytes());
        StringBuilder earlier = new StringBuilder();
        for (int i = 0; i < loadedByChild.size(); i++) {
            Path e = work.resolve("died-" + Integer.toHexString(mutant.description().hashCode()) + "-before-" + i + ".so");
            Files.write(e, loadedByChild.get(i).bytes());
            earlier.append("\n    opened before by the same JVM: ").append(loadedByChild.get(i).description());
        }
        return new Outcome(mutant, Result.DIED, "exit status " + status + frame + " (kept as " + keep + ")" + earlier);
    }

    /** A command line that runs {@code main} in a fresh JVM with dynload and these test classes. */
    static List<String> javaCommand(Class<?> main, String... args) {
        return dev.dynload.ChildJvm.command(List.of("-XX:TieredStopAtLevel=1", "-Xmx256m"), null, main, args);
    }

    private void start() throws IOException, InterruptedException {
        List<String> command = javaCommand(FuzzChild.class);
        command.add(1, "-XX:ErrorFile=" + work.resolve("hs_err_pid%p.log"));
        if (isolated) {
            command.add("--isolated");
        }
        loadedByChild.clear();
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).directory(work.toFile());
        String debug = System.getProperty("dynload.fuzz.ldDebug");
        if (debug != null) {
            builder.environment().put("LD_DEBUG", "files");
            builder.environment().put("LD_DEBUG_OUTPUT", debug);
        }
        child = builder.start();
        toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofVirtual().start(() -> {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("answer ") || line.equals("ready")) {
                        queue.add(line.startsWith("answer ") ? line.substring(7) : line);
                    }
                }
            } catch (IOException ignored) {
                // The child is gone.
            }
            queue.add("<eof>");
        });
        fromChild = queue;
        String ready = queue.poll(60, TimeUnit.SECONDS);
        if (!"ready".equals(ready)) {
            throw new IOException("the fuzz child JVM did not start: " + ready);
        }
    }

    private void kill() throws InterruptedException {
        child.descendants().forEach(ProcessHandle::destroyForcibly);
        child.destroyForcibly();
        child.waitFor();
        child = null;
    }

    private void stop() throws InterruptedException {
        if (child != null && child.isAlive()) {
            try {
                toChild.close();
            } catch (IOException ignored) {
                // Gone already.
            }
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /**
     * {@code scripts/fuzz}: {@code FuzzRun [--isolated] COUNT SEED LIBRARY...}; prints the table by region
     * and every death or hang with its mutant, and exits 1 if there was any.
     */
    public static void main(String[] args) throws Exception {
        int at = 0;
        boolean isolated = false;
        if (args[at].equals("--isolated")) {
            isolated = true;
            at++;
        }
        int count = Integer.parseInt(args[at++]);
        long seed = Long.parseLong(args[at++]);
        List<Path> libraries = new ArrayList<>();
        for (; at < args.length; at++) {
            libraries.add(Path.of(args[at]).toAbsolutePath());
        }
        Path work = Files.createTempDirectory("dynload-fuzz");
        long started = System.nanoTime();
        Report report = run(libraries, count, seed, isolated, work, 20);
        System.out.println("seed " + seed + ", " + count + " mutants of " + libraries + (isolated ? ", isolated" : "")
                + ", " + (System.nanoTime() - started) / 1_000_000_000 + " s");
        System.out.print(report.table());
        for (Outcome o : report.deathsAndHangs()) {
            System.out.println(o.result + ": " + o.mutant.description() + " -> " + o.detail);
        }
        try (Stream<Path> left = Files.list(work)) {
            left.filter(p -> !p.getFileName().toString().startsWith("died-")).forEach(p -> p.toFile().delete());
        }
        System.exit(report.deathsAndHangs().isEmpty() ? 0 : 1);
    }
}
