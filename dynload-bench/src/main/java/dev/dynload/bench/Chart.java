package dev.dynload.bench;


import java.util.Locale;
import java.util.Map;

/** Draws the cost per call of every way, per case, as an SVG bar chart on a logarithmic scale. */
final class Chart {

    private static final Map<String, String> COLORS = Map.of("dynload", "#1f77b4", "dynloadCritical", "#aec7e8",
            "ffm", "#2ca02c", "ffmCritical", "#98df8a", "jni", "#9467bd", "jnaInterface", "#d62728",
            "jnaDirect", "#ff9896", "jnr", "#ff7f0e", "java", "#7f7f7f");
    private static final int BAR = 9;
    private static final int LEFT = 110;
    private static final int WIDTH = 840;
    private static final double MIN_NS = 1;
    private static final double MAX_NS = 10_000_000;

    private Chart() {
    }

    static String svg(Results r) {
        StringBuilder body = new StringBuilder();
        int y = 40;
        for (Map.Entry<String, Map<String, Results.Score>> c : r.cases().entrySet()) {
            int top = y;
            for (String[] way : Report.WAYS) {
                Results.Score s = c.getValue().get(way[0]);
                if (s == null) {
                    continue;
                }
                double w = x(s.value()) - LEFT;
                body.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s: %.1f ns</title></rect>%n",
                        LEFT, y, Math.max(w, 1), BAR, COLORS.get(way[0]), c.getKey(), way[1], s.value()));
                body.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"8\">%s</text>%n",
                        LEFT + Math.max(w, 1) + 3, y + BAR - 1, s.value() >= 10_000
                                ? String.format(Locale.ROOT, "%.0f µs", s.value() / 1000) : String.format(Locale.ROOT, "%.1f", s.value())));
                y += BAR + 1;
            }
            body.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, (top + y) / 2 + 4, c.getKey()));
            y += 10;
        }
        StringBuilder svg = new StringBuilder();
        int height = y + 50;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", WIDTH + 60, height));
        svg.append("<text x=\"10\" y=\"20\" font-size=\"13\" font-weight=\"bold\">Cost of one native call, ns per call "
                + "(log scale, lower is better)</text>\n");
        for (double ns = MIN_NS; ns <= MAX_NS; ns *= 10) {
            double gx = x(ns);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"32\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%s</text>%n",
                    gx, gx, y, gx, y + 12, ns >= 1e6 ? String.format(Locale.ROOT, "%.0f ms", ns / 1e6) : ns >= 1000 ? String.format(Locale.ROOT, "%.0f µs", ns / 1000)
                            : String.format(Locale.ROOT, "%.0f ns", ns)));
        }
        svg.append(body);
        int lx = 10;
        for (String[] way : Report.WAYS) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>%n", lx, y + 25, COLORS.get(way[0]), lx + 13, y + 34, way[1]));
            lx += 15 + way[1].length() * 6;
        }
        return svg.append("</svg>\n").toString();
    }

    private static double x(double ns) {
        double clamped = Math.max(MIN_NS, Math.min(MAX_NS, ns));
        return LEFT + (WIDTH - LEFT) * Math.log10(clamped / MIN_NS) / Math.log10(MAX_NS / MIN_NS);
    }

}
