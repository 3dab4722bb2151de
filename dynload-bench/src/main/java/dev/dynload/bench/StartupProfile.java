package dev.dynload.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a fresh JVM's start-up goes, by class: each host of {@link ProcessTiming} (load the seed's
 * {@code libtest.so}, call {@code greet}) run once with {@code -Xlog:class+load}, its classes counted by
 * where they came from: the JDK's CDS or AOT archive (mapped, cheap), the JDK's modules (read and
 * parsed), the application's jars (dynload's own among them), or spun at run time (lambda forms, method
 * handle species, FFM's downcall stubs: generated and defined, the costliest). With and without each
 * host's own AOT cache, trained as {@code ProcessTiming} trains it.
 *
 * <pre>
 *   java -cp benchmarks.jar dev.dynload.bench.StartupProfile REPO_ROOT
 * </pre>
 */
public final class StartupProfile {

    private StartupProfile() {
    }

    /** Counts of one run's loaded classes, by origin. */
    record Counts(int total, int archived, int jdkModules, int jars, int dynload, int spun) {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String lib = root.resolve("examples/rust-greeter/target/release/libtest.so").toString();
        String bench = root.resolve("dynload-bench/target").toString();
        String version = "0.1.0-SNAPSHOT";
        String hosts = bench + "/dynload-bench-" + version + ".jar";
        Map<String, List<String>> programs = new LinkedHashMap<>();
        programs.put("examples/host (dynload)", List.of("--enable-native-access=dev.dynload", "-p",
                root.resolve("dynload-core/target/dynload-core-" + version + ".jar") + ":"
                        + root.resolve("examples/host/target/host-" + version + ".jar"),
                "-m", "dev.dynload.examples.host/dev.dynload.examples.host.Host", lib));
        programs.put("raw FFM host", List.of("--enable-native-access=ALL-UNNAMED", "-cp", hosts, FfmHost.class.getName(),
                lib));
        programs.put("JNA host", List.of("--enable-native-access=ALL-UNNAMED", "-cp", hosts + ":" + bench + "/lib/jna.jar",
                JnaHost.class.getName(), lib));
        Path caches = Files.createTempDirectory("dynload-profile");
        StringBuilder md = new StringBuilder("| program | classes | from the JDK's archive | from the JDK's modules | "
                + "from jars (dynload's) | spun at run time |\n|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<String>> p : programs.entrySet()) {
            Path cache = caches.resolve(p.getKey().replaceAll("[^A-Za-z]+", "-") + ".aot");
            run(java, List.of("-XX:AOTCacheOutput=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"), p.getValue());
            for (boolean aot : new boolean[] {false, true}) {
                List<String> options = aot ? List.of("-XX:AOTCache=" + cache, "-Xlog:class+load=info")
                        : List.of("-Xlog:class+load=info");
                Counts c = count(run(java, options, p.getValue()));
                md.append(String.format(Locale.ROOT, "| %s%s | %d | %d | %d | %d (%d) | %d |%n", p.getKey(),
                        aot ? " + its AOT cache" : "", c.total(), c.archived(), c.jdkModules(), c.jars(), c.dynload(),
                        c.spun()));
            }
        }
        System.out.print(md);
    }

    /** Counts {@code -Xlog:class+load} lines by the source they name. */
    static Counts count(String log) {
        int total = 0;
        int archived = 0;
        int modules = 0;
        int jars = 0;
        int dynload = 0;
        int spun = 0;
        for (String line : log.lines().toList()) {
            int at = line.indexOf("[class,load] ");
            if (at < 0) {
                continue;
            }
            total++;
            String rest = line.substring(at + "[class,load] ".length());
            String name = rest.substring(0, Math.max(0, rest.indexOf(' ')));
            String source = rest.contains(" source: ") ? rest.substring(rest.indexOf(" source: ") + 9) : "";
            if (source.startsWith("shared objects file")) {
                archived++;
            } else if (source.startsWith("jrt:/")) {
                modules++;
            } else if (source.startsWith("file:") || source.startsWith("jar:")) {
                jars++;
                if (name.startsWith("dev.dynload.") && !name.startsWith("dev.dynload.bench.")
                        && !name.startsWith("dev.dynload.examples.")) { // the library's, not the host's
                    dynload++;
                }
            } else {
                spun++;
            }
        }
        return new Counts(total, archived, modules, jars, dynload, spun);
    }

    private static String run(String java, List<String> options, List<String> program)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(options);
        command.addAll(program);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !out.contains("Hello from Rust!")) {
            throw new IllegalStateException(String.join(" ", command) + " failed, printing " + out);
        }
        return out;
    }
}
