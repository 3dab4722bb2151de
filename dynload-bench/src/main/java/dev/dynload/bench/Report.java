package dev.dynload.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one JMH run's CSV into the ratios the targets are stated in: dynload against raw FFM, and JNA
 * against dynload, each case measured in the same run. Figures come from the CSV only.
 */
public final class Report {

    /** A case's target: dynload's cost as a ratio of raw FFM's, at most. */
    private static final Map<String, Double> FFM_TARGET = Map.of(
            "noop", 1.1, "add", 1.1, "greet", 1.0, "strlen", 0.7);
    private static final Map<String, String> FFM_WAY = Map.of(
            "noop", "invokeExact", "add", "invokeExact", "greet", "hand-written", "strlen", "naive: allocateFrom per call");
    /** How many times cheaper than either JNA mapping dynload must be. */
    private static final double JNA_TARGET = 3.0;

    private Report() {
    }

    /**
     * Reads the CSV JMH wrote and writes the Markdown report.
     *
     * @param args the CSV file, then the Markdown file to write
     * @throws IOException if either cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Map<String, Map<String, double[]>> cases = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            List<String> f = csv(line);
            if (f.size() < 7 || !f.get(0).contains(".") || f.get(0).startsWith("Benchmark")) {
                continue;
            }
            String name = f.get(0).substring(f.get(0).lastIndexOf('.') + 1);
            int underscore = name.indexOf('_');
            if (underscore < 0) {
                continue;
            }
            double score = Double.parseDouble(f.get(4));
            double error = f.get(5).isEmpty() || f.get(5).equals("NaN") ? 0 : Double.parseDouble(f.get(5));
            cases.computeIfAbsent(name.substring(0, underscore), k -> new LinkedHashMap<>())
                    .put(name.substring(underscore + 1), new double[] {score, error});
        }
        StringBuilder md = new StringBuilder();
        md.append("| case | dynload ns | raw FFM ns | JNA interface ns | JNA direct ns | dynload / FFM (target) "
                + "| JNA interface / dynload | JNA direct / dynload | verdict |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, double[]>> e : cases.entrySet()) {
            Map<String, double[]> w = e.getValue();
            double dyn = score(w, "dynload");
            double ffm = score(w, "ffm");
            double jnaI = score(w, "jnaInterface");
            double jnaD = score(w, "jnaDirect");
            double target = FFM_TARGET.getOrDefault(e.getKey(), 1.1);
            double ffmRatio = dyn / ffm;
            boolean jnaMet = jnaI / dyn >= JNA_TARGET && jnaD / dyn >= JNA_TARGET;
            boolean met = ffmRatio <= target && jnaMet;
            // Over the target by less than the two scores' error bars: the run cannot tell them apart.
            boolean withinError = !met && jnaMet
                    && dyn - error(w, "dynload") <= target * (ffm + error(w, "ffm"));
            md.append(String.format(Locale.ROOT, "| %s | %s | %s (%s) | %s | %s | %.2fx (at most %.1fx) | %.1fx | %.1fx | %s |%n",
                    e.getKey(), ns(w, "dynload"), ns(w, "ffm"), FFM_WAY.getOrDefault(e.getKey(), "invokeExact"),
                    ns(w, "jnaInterface"), ns(w, "jnaDirect"), ffmRatio, target, jnaI / dyn, jnaD / dyn,
                    met ? "met" : (withinError ? "within error of the target" : "MISSED")
                            + gap(ffmRatio, target, jnaI / dyn, jnaD / dyn)));
        }
        md.append(String.format(Locale.ROOT, "%nTargets: dynload / raw FFM at most the figure in brackets; both JNA "
                + "mappings at least %.0fx dynload's cost. Machine: %d cores, %s %s, JDK %s.%n", JNA_TARGET,
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version")));
        Files.writeString(Path.of(args[1]), md);
        System.out.print(md);
    }

    private static String gap(double ffmRatio, double target, double jnaI, double jnaD) {
        List<String> gaps = new ArrayList<>();
        if (ffmRatio > target) {
            gaps.add(String.format(Locale.ROOT, "%.1f%% over the FFM target", 100 * (ffmRatio / target - 1)));
        }
        if (Math.min(jnaI, jnaD) < JNA_TARGET) {
            gaps.add(String.format(Locale.ROOT, "only %.1fx cheaper than JNA", Math.min(jnaI, jnaD)));
        }
        return gaps.isEmpty() ? "" : ": " + String.join(", ", gaps);
    }

    private static double score(Map<String, double[]> ways, String way) {
        double[] s = ways.get(way);
        return s == null ? Double.NaN : s[0];
    }

    private static double error(Map<String, double[]> ways, String way) {
        double[] s = ways.get(way);
        return s == null ? 0 : s[1];
    }

    private static String ns(Map<String, double[]> ways, String way) {
        double[] s = ways.get(way);
        return s == null ? "-" : String.format(Locale.ROOT, "%.1f &plusmn; %.1f", s[0], s[1]);
    }

    private static List<String> csv(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        fields.add(cur.toString());
        return fields;
    }
}
