package dev.dynload;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Picks the exported names closest to a missing one, for "did you mean" hints. */
final class Suggestions {

    private static final int MAX = 5;

    private Suggestions() {
    }

    static List<String> closest(String wanted, Collection<String> names) {
        String w = wanted.toLowerCase(Locale.ROOT);
        int limit = Math.max(2, wanted.length() / 3);
        record Scored(String name, int score) {
        }
        return names.stream()
                .distinct()
                .map(n -> new Scored(n, score(w, n.toLowerCase(Locale.ROOT), limit)))
                .filter(s -> s.score <= limit)
                .sorted(Comparator.comparingInt(Scored::score).thenComparing(Scored::name))
                .limit(MAX)
                .map(Scored::name)
                .toList();
    }

    /** Edit distance, but a name that contains the wanted one (or the other way) counts as close. */
    private static int score(String wanted, String name, int limit) {
        if (Math.abs(wanted.length() - name.length()) > limit
                && (wanted.length() < 3 || !(name.contains(wanted) || wanted.contains(name)))) {
            return Integer.MAX_VALUE;
        }
        int distance = distance(wanted, name);
        if (distance > limit && wanted.length() >= 3 && (name.contains(wanted) || wanted.contains(name))) {
            return limit;
        }
        return distance;
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
