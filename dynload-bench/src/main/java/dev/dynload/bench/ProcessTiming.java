package dev.dynload.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whole-process time of programs that load the seed's Rust {@code libtest.so} and print its greeting:
 * the {@code dynload} command, the Java hosts (dynload, raw FFM, JNA), a C host (the physical floor),
 * and a Java hello world that loads nothing. Runs are interleaved, so that a slow moment of this noisy
 * machine falls on every program alike.
 */
public final class ProcessTiming {

    private ProcessTiming() {
    }

    /**
     * Times every program.
     *
     * @param args the repository's root, the number of rounds, the CSV and Markdown files to write
     * @throws Exception if a program cannot be run or prints the wrong thing
     */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        int rounds = Integer.parseInt(args[1]);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String lib = root.resolve("examples/rust-greeter/target/release/libtest.so").toString();
        String bench = root.resolve("dynload-bench/target").toString();
        Map<String, List<String>> programs = new LinkedHashMap<>();
        programs.put("java hello world (loads nothing)", List.of(java, "-cp", bench + "/classes", Hello.class.getName()));
        programs.put("C host: dlopen/dlsym", List.of(bench + "/native/chost", lib));
        programs.put("dynload call (launcher, AOT cache)", List.of(root.resolve("bin/dynload").toString(), "call", lib,
                "greet", "--returns", "string"));
        programs.put("dynload call (jar, no AOT cache)", List.of(java, "-jar", root.resolve("dynload-cli/target/dynload.jar")
                .toString(), "call", lib, "greet", "--returns", "string"));
        // The hosts from jars, as applications ship (an AOT cache takes jars only, not class folders).
        String version = "0.1.0-SNAPSHOT";
        String hosts = bench + "/dynload-bench-" + version + ".jar";
        programs.put("examples/host (dynload)", List.of(java, "--enable-native-access=dev.dynload", "-p",
                root.resolve("dynload-core/target/dynload-core-" + version + ".jar") + ":"
                        + root.resolve("examples/host/target/host-" + version + ".jar"),
                "-m", "dev.dynload.examples.host/dev.dynload.examples.host.Host", lib));
        programs.put("raw FFM host", List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", hosts,
                FfmHost.class.getName(), lib));
        programs.put("JNA host", List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                hosts + ":" + bench + "/lib/jna.jar", JnaHost.class.getName(), lib));

        // The application AOT cache recipe (docs/benchmarks.md), the same for each host: one training run
        // with -XX:AOTCacheOutput, then every run with -XX:AOTCache.
        Path caches = Files.createTempDirectory("dynload-aot");
        for (String host : List.of("examples/host (dynload)", "raw FFM host", "JNA host")) {
            List<String> command = programs.get(host);
            Path cache = caches.resolve(host.replaceAll("[^A-Za-z]+", "-") + ".aot");
            train(host, withOptions(command, "-XX:AOTCacheOutput=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"));
            if (!Files.isRegularFile(cache)) {
                throw new IllegalStateException(host + ": the training run wrote no AOT cache at " + cache);
            }
            programs.put(host + " + its AOT cache", withOptions(command, "-XX:AOTCache=" + cache, "-Xlog:aot=off",
                    "-Xlog:cds=off"));
        }

        Map<String, List<Double>> times = new LinkedHashMap<>();
        programs.keySet().forEach(k -> times.put(k, new ArrayList<>()));
        for (int round = -2; round < rounds; round++) { // two rounds to warm the disk cache, not counted
            for (Map.Entry<String, List<String>> p : programs.entrySet()) {
                double ms = run(p.getKey(), p.getValue());
                if (round >= 0) {
                    times.get(p.getKey()).add(ms);
                }
            }
        }
        double hello = median(times.get("java hello world (loads nothing)"));
        StringBuilder csv = new StringBuilder("program,median_ms,mean_ms,min_ms,max_ms,runs\n");
        StringBuilder md = new StringBuilder("| program | median ms | mean ms | min-max ms | / hello world |\n|---|---|---|---|---|\n");
        times.forEach((name, t) -> {
            double median = median(t);
            double mean = t.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double min = t.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            double max = t.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            csv.append(String.format(Locale.ROOT, "\"%s\",%.1f,%.1f,%.1f,%.1f,%d%n", name, median, mean, min, max, t.size()));
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f-%.1f | %.2fx |%n", name, median, mean, min, max,
                    median / hello));
        });
        double call = median(times.get("dynload call (launcher, AOT cache)"));
        md.append(String.format(Locale.ROOT, "%nTarget: `dynload call` within 1.3x of the hello world: %.2fx, %s.%n",
                call / hello, call / hello <= 1.3 ? "met" : String.format(Locale.ROOT, "MISSED by %.0f%%", 100 * (call / hello / 1.3 - 1))));
        Files.writeString(Path.of(args[2]), csv);
        Files.writeString(Path.of(args[3]), md);
        System.out.print(md);
    }

    private static double run(String name, List<String> command) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        double ms = (System.nanoTime() - start) / 1e6;
        String expected = name.startsWith("java hello") ? "Hello from Java!\n" : "Hello from Rust!\n";
        if (status != 0 || !out.equals(expected)) {
            throw new IllegalStateException(name + " exited " + status + " printing " + out);
        }
        return ms;
    }

    /** Runs a training run, which also prints what the JVM says of the cache it assembles. */
    private static void train(String name, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !out.startsWith("Hello from Rust!\n")) {
            throw new IllegalStateException(name + ": its training run failed, printing " + out);
        }
    }

    /** {@code command} with JVM options right after the java launcher. */
    private static List<String> withOptions(List<String> command, String... options) {
        List<String> with = new ArrayList<>(command.subList(0, 1));
        with.addAll(List.of(options));
        with.addAll(command.subList(1, command.size()));
        return with;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
