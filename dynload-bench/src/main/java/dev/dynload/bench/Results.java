package dev.dynload.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One JMH run's scores, read from its CSV: for each case, each way's score and error. */
record Results(Map<String, Map<String, Score>> cases) {

    /** A score and its error bar (99.9%), in the run's unit. */
    record Score(double value, double error) {
    }

    static Results read(Path csv) throws IOException {
        Map<String, Map<String, Score>> cases = new LinkedHashMap<>();
        for (String line : Files.readAllLines(csv)) {
            List<String> f = fields(line);
            if (f.size() < 7 || f.get(0).startsWith("Benchmark")) {
                continue;
            }
            String name = f.get(0).substring(f.get(0).lastIndexOf('.') + 1);
            int underscore = name.indexOf('_');
            if (underscore < 0) {
                continue;
            }
            double error = f.get(5).isEmpty() || f.get(5).equals("NaN") ? 0 : Double.parseDouble(f.get(5));
            cases.computeIfAbsent(name.substring(0, underscore), k -> new LinkedHashMap<>())
                    .put(name.substring(underscore + 1), new Score(Double.parseDouble(f.get(4)), error));
        }
        return new Results(cases);
    }

    Optional<Score> score(String name, String way) {
        return Optional.ofNullable(cases.getOrDefault(name, Map.of()).get(way));
    }

    /** {@code a}'s score over {@code b}'s, when both were measured. */
    Optional<Double> ratio(String name, String a, String b) {
        return score(name, a).flatMap(x -> score(name, b).map(y -> x.value() / y.value()));
    }

    private static List<String> fields(String line) {
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
