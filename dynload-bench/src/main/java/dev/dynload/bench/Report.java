package dev.dynload.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one JMH run's CSV into the report: each way's cost per call, the ratios the targets are
 * stated in (dynload against raw FFM, JNA against dynload), a verdict per case, and a chart. Figures
 * come from the CSV only; a missed target says by how much.
 */
public final class Report {

    /** The ways, in the order the tables show them, with their column titles. */
    static final List<String[]> WAYS = List.of(
            new String[] {"dynload", "dynload"}, new String[] {"dynloadCritical", "dynload critical/heap"},
            new String[] {"ffm", "raw FFM"}, new String[] {"ffmCritical", "raw FFM critical"},
            new String[] {"jni", "JNI"}, new String[] {"jnaInterface", "JNA interface"},
            new String[] {"jnaDirect", "JNA direct"}, new String[] {"jnr", "jnr-ffi"}, new String[] {"java", "plain Java"});

    /** dynload's cost over raw FFM's, at most; below 1 where raw FFM is the naive way that allocates per call. */
    static final Map<String, Double> FFM_TARGET = Map.of("greet", 1.0, "strlen", 0.7, "sum", 1.0,
            "qsort16", 1.0, "qsort1000", 1.0);
    static final double DEFAULT_FFM_TARGET = 1.1;
    /** How many times cheaper than either JNA mapping dynload must be. */
    static final double JNA_TARGET = 3.0;

    /*
     * Why a target can be missed, printed under its table when a run misses it. Measured, and explained
     * at length, in docs/benchmarks.md ("Known gaps"); the figures themselves are never written here.
     */
    static final Map<String, String> WHY = Map.of(
            "sum", "sum: every way that copies `long[1000]` pays for 8,000 bytes copied before the C loop, "
                    + "which alone costs about what plain Java's loop does; JNA direct copies too, so no copying "
                    + "way can be 3x cheaper than it. `@Heap` (critical, no copy) is the way to go below it. "
                    + "Against raw FFM's naive way the two differ by one allocation, within this machine's noise.",
            "cold", "cold start: dynload verifies everything the loader trusts in a file before `dlopen` (a "
                    + "damaged file would kill the JVM inside the loader), opens with `RTLD_NOW` (a missing symbol "
                    + "fails the open instead of ending the process at the first call), generates the bound class "
                    + "with `java.lang.classfile` and loads about 70 classes of its own from a jar; raw FFM's "
                    + "`libraryLookup` and JNA do none of that. The verifier's first run overlaps the linker's "
                    + "set-up on a second core.",
            "bundles", "bundles: every dynload path sets up FFM's linker, about 50 ms in a fresh JVM, where JNA's "
                    + "native stub is JNI; a bundle then adds reading its files out of the jar and their SHA-256 (the "
                    + "cache also its locks and attribute checks).",
            "process", "whole process: a JDK 25 hello world starts in about 30 ms; any FFM program pays the "
                    + "linker's start-up on top (the raw FFM host alone is several times the hello world), and "
                    + "the command adds picocli reading its annotations (each a dynamic proxy the AOT cache does "
                    + "not store).");

    private static void why(StringBuilder md, String key) {
        md.append("\nWhy: ").append(WHY.get(key)).append(" See docs/benchmarks.md.\n");
    }

    private Report() {
    }

    /**
     * Reads what the suite wrote into the results folder (calls.csv, cold.csv, untrusted.csv, bundles.csv,
     * process.md) and writes
     * report.md and calls.svg beside them.
     *
     * @param args the results folder, and optionally the README whose benchmark section to rewrite
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Results calls = Results.read(dir.resolve("calls.csv"));
        StringBuilder md = new StringBuilder(calls(calls));
        if (Files.exists(dir.resolve("cold.csv"))) {
            md.append('\n').append(cold(Results.read(dir.resolve("cold.csv"))));
        }
        if (Files.exists(dir.resolve("untrusted.csv"))) {
            md.append('\n').append(untrusted(Results.read(dir.resolve("untrusted.csv"))));
        }
        if (Files.exists(dir.resolve("bundles.csv"))) {
            md.append('\n').append(bundles(Results.read(dir.resolve("bundles.csv"))));
        }
        if (Files.exists(dir.resolve("process.md"))) {
            String process = Files.readString(dir.resolve("process.md"));
            md.append("\n### Whole process: load the Rust libtest.so and print its greeting\n\n").append(process);
            if (process.contains("MISSED")) {
                why(md, "process");
            }
        }
        Files.writeString(dir.resolve("report.md"), md);
        Files.writeString(dir.resolve("calls.svg"), Chart.svg(calls));
        if (args.length > 1) {
            updateReadme(Path.of(args[1]), md.toString());
        }
        System.out.print(md);
    }

    static final String BEGIN = "<!-- benchmark results: written by scripts/bench -->";
    static final String END = "<!-- end of benchmark results -->";

    /** Puts the latest report between the README's markers, so that the README never shows stale figures. */
    static void updateReadme(Path readme, String report) throws IOException {
        String text = Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException(readme + " has no benchmark markers; put " + BEGIN + " and " + END + " in it");
        }
        String body = "\n![Cost of one call, every way](dynload-bench/results/calls.svg)\n\n"
                + report.replace("### ", "#### ") + "\n";
        Files.writeString(readme, text.substring(0, begin + BEGIN.length()) + body + text.substring(end));
    }

    /** The cold-start table: open + bind + first call in a fresh JVM, ms. */
    static String cold(Results r) {
        StringBuilder md = new StringBuilder("### Open + bind + first call in a fresh JVM, ms (one JVM per sample)\n\n"
                + "| functions bound | dynload | raw FFM | JNA interface | dynload / JNA | dynload / raw FFM | verdict |\n"
                + "|---|---|---|---|---|---|---|\n");
        Map<String, String> names = Map.of("one", "1", "same50", "50 of one signature", "distinct50", "50 of 50 signatures");
        r.cases().forEach((name, ways) -> {
            Optional<Double> jna = r.ratio(name, "dynload", "jna");
            Optional<Double> ffm = r.ratio(name, "dynload", "ffm");
            // The targets: no slower than JNA for 50 signatures, no slower than raw FFM for one function.
            String verdict = switch (name) {
                case "distinct50" -> jna.map(v -> v <= 1 ? "met" : String.format(Locale.ROOT, "MISSED: %.0f%% slower than JNA",
                        100 * (v - 1))).orElse("-");
                case "one" -> ffm.map(v -> v <= 1 ? "met" : String.format(Locale.ROOT, "MISSED: %.0f%% slower than raw FFM",
                        100 * (v - 1))).orElse("-");
                default -> "";
            };
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", names.getOrDefault(name, name),
                    ms(r, name, "dynload"), ms(r, name, "ffm"), ms(r, name, "jna"), times(jna), times(ffm), verdict));
        });
        if (md.indexOf("MISSED") >= 0) {
            why(md, "cold");
        }
        return md.toString();
    }

    /** What checking untrusted files costs: the verifier per library, an open with it, an isolated open. */
    static String untrusted(Results r) {
        StringBuilder md = new StringBuilder("### Untrusted files: what the checks cost, µs\n\n"
                + "| what | µs | against |\n|---|---|---|\n");
        for (String[] lib : new String[][] {{"libc", "glibc's libc.so.6 (2 MB)"}, {"libz", "zlib's libz.so.1 (120 KB)"},
                {"rust", "the Rust greeter's libtest.so (400 KB)"}}) {
            md.append("| ElfFile.verify, ").append(lib[1]).append(" | ").append(us(r, "verify", lib[0])).append(" | |\n");
        }
        md.append("| Library.open + close of a library not loaded yet (checked, loaded through its open file) | ")
                .append(us(r, "open", "dynload")).append(" | raw FFM libraryLookup + close: ").append(us(r, "open", "ffm"))
                .append(" (").append(times(r.ratio("open", "dynload", "ffm"))).append(") |\n");
        md.append("| the same with LoadOption.isolated (a child process loads it first) | ").append(us(r, "open", "isolated"))
                .append(" | ").append(times(r.ratio("open", "isolated", "dynload"))).append(" the checked open |\n");
        md.append("\nAn open of a library the process has loaded already (same device and inode) is not checked again.\n");
        return md.toString();
    }

    /** Libraries shipped inside a jar: open + first call in a fresh JVM, each way, against a plain file and JNA. */
    static String bundles(Results r) {
        StringBuilder md = new StringBuilder("### A library inside a jar: open + first call in a fresh JVM, ms (one JVM per sample)\n\n"
                + "| way | ms | / plain file | / JNA from the jar | target | verdict |\n|---|---|---|---|---|---|\n");
        String[][] ways = {{"memory", "Library.openBundled, from sealed memory", "at most 1.2x a plain file; below JNA"},
                {"cacheFirst", "Library.openBundled, the cache's first run", "below JNA"},
                {"cacheLater", "Library.openBundled, the cache's later run", "below JNA"},
                {"file", "Library.open, a plain file", ""},
                {"jna", "JNA Native.load from the jar (extracts to a temporary file)", ""}};
        for (String[] w : ways) {
            md.append("| ").append(w[1]).append(" | ").append(ms(r, "open", w[0])).append(" | ")
                    .append(w[0].equals("file") ? "" : times(r.ratio("open", w[0], "file"))).append(" | ")
                    .append(w[0].equals("jna") ? "" : times(r.ratio("open", w[0], "jna"))).append(" | ")
                    .append(w[2]).append(" | ").append(verdict(r, w[0])).append(" |\n");
        }
        if (md.indexOf("MISSED") >= 0) {
            why(md, "bundles");
        }
        return md.toString();
    }

    private static String verdict(Results r, String way) {
        if (way.equals("file") || way.equals("jna")) {
            return "";
        }
        Optional<Double> jna = r.ratio("open", way, "jna");
        Optional<Double> file = r.ratio("open", way, "file");
        boolean belowJna = jna.map(x -> x < 1).orElse(false);
        boolean nearFile = !way.equals("memory") || file.map(x -> x <= 1.2).orElse(false);
        if (belowJna && nearFile) {
            return "met";
        }
        List<String> missed = new ArrayList<>();
        if (!nearFile) {
            missed.add("above 1.2x a plain file");
        }
        if (!belowJna) {
            missed.add("slower than JNA");
        }
        return "MISSED: " + String.join("; ", missed);
    }

    private static String us(Results r, String name, String way) {
        return r.score(name, way).map(s -> String.format(Locale.ROOT, "%.0f ± %.0f", s.value(), s.error())).orElse("-");
    }

    private static String ms(Results r, String name, String way) {
        return r.score(name, way).map(s -> String.format(Locale.ROOT, "%.0f ± %.0f", s.value(), s.error())).orElse("-");
    }

    static String calls(Results r) {
        StringBuilder md = new StringBuilder("### Cost of one call, ns (lower is better)\n\n| case |");
        WAYS.forEach(w -> md.append(' ').append(w[1]).append(" |"));
        md.append("\n|---|").append("---|".repeat(WAYS.size())).append('\n');
        r.cases().forEach((name, ways) -> {
            md.append("| ").append(name).append(" |");
            for (String[] w : WAYS) {
                md.append(r.score(name, w[0]).map(s -> String.format(Locale.ROOT, " %.1f ± %.1f |", s.value(), s.error()))
                        .orElse(" - |"));
            }
            md.append('\n');
        });
        md.append("\n### Ratios and targets\n\n| case | dynload / raw FFM (target) | critical / raw FFM critical "
                + "| JNA interface / dynload | JNA direct / dynload | jnr-ffi / dynload | JNI / dynload | verdict |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        r.cases().forEach((name, ways) -> {
            double target = FFM_TARGET.getOrDefault(name, DEFAULT_FFM_TARGET);
            Optional<Double> ffm = r.ratio(name, "dynload", "ffm");
            Optional<Double> jnaI = r.ratio(name, "jnaInterface", "dynload");
            Optional<Double> jnaD = r.ratio(name, "jnaDirect", "dynload");
            md.append(String.format(Locale.ROOT, "| %s | %s (at most %.1fx) | %s | %s | %s | %s | %s | %s |%n", name,
                    times(ffm), target, times(r.ratio(name, "dynloadCritical", "ffmCritical")), times(jnaI),
                    times(jnaD), times(r.ratio(name, "jnr", "dynload")), times(r.ratio(name, "jni", "dynload")),
                    verdict(r, name, target)));
        });
        r.cases().forEach((name, ways) -> {
            if (WHY.containsKey(name) && verdict(r, name, FFM_TARGET.getOrDefault(name, DEFAULT_FFM_TARGET)).startsWith("MISSED")) {
                why(md, name);
            }
        });
        md.append(String.format(Locale.ROOT, "%nTargets: dynload at most the bracketed multiple of raw FFM (below 1 where "
                + "raw FFM is the naive way that allocates per call: strings, arrays, upcalls); both JNA mappings at "
                + "least %.0fx dynload's cost. Machine: %d cores, %s %s, JDK %s.%n", JNA_TARGET,
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version")));
        return md.toString();
    }

    static String verdict(Results r, String name, double target) {
        List<String> gaps = new ArrayList<>();
        boolean withinError = true;
        Optional<Double> ffm = r.ratio(name, "dynload", "ffm");
        if (ffm.isPresent() && ffm.get() > target) {
            gaps.add(String.format(Locale.ROOT, "%.0f%% over the raw FFM target", 100 * (ffm.get() / target - 1)));
            Results.Score d = r.score(name, "dynload").orElseThrow();
            Results.Score f = r.score(name, "ffm").orElseThrow();
            // Within error: the error bars overlap and the point estimate is no more than 25% over.
            withinError = d.value() - d.error() <= target * (f.value() + f.error()) && ffm.get() <= 1.25 * target;
        }
        for (String jna : List.of("jnaInterface", "jnaDirect")) {
            Optional<Double> ratio = r.ratio(name, jna, "dynload");
            if (ratio.isPresent() && ratio.get() < JNA_TARGET) {
                gaps.add(String.format(Locale.ROOT, "only %.1fx cheaper than %s", ratio.get(), jna));
                withinError = false;
            }
        }
        if (gaps.isEmpty()) {
            return "met";
        }
        return (withinError ? "within error of the target: " : "MISSED: ") + String.join(", ", gaps);
    }

    private static String times(Optional<Double> ratio) {
        return ratio.map(v -> String.format(Locale.ROOT, "%.2fx", v)).orElse("-");
    }
}
