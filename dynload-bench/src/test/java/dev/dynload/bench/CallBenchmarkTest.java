package dev.dynload.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way of calling a case computes the same result, so the suite compares like with like. */
class CallBenchmarkTest {

    @Test
    void everyWayOfEachCaseAgrees() throws Exception {
        CallBenchmark bench = new CallBenchmark();
        Map<String, Map<String, Object>> cases = new TreeMap<>();
        for (Method m : CallBenchmark.class.getMethods()) {
            if (m.isAnnotationPresent(Benchmark.class)) {
                String[] name = m.getName().split("_", 2);
                cases.computeIfAbsent(name[0], k -> new LinkedHashMap<>()).put(name[1], m.invoke(bench));
            }
        }
        assertEquals(List.of("add", "dot", "greet", "mul", "noop", "qsort1000", "qsort16", "strlen", "sum"),
                List.copyOf(cases.keySet()));
        cases.forEach((name, ways) -> {
            assertTrue(ways.containsKey("dynload") && ways.containsKey("ffm"), name);
            Object expected = ways.get("ffm");
            ways.forEach((way, result) -> assertTrue(same(expected, result),
                    name + "_" + way + " gave " + show(result) + ", raw FFM " + show(expected)));
        });
        int[] sorted = BenchLibrary.INTS_1000.clone();
        Arrays.sort(sorted);
        assertTrue(Arrays.equals(sorted, (int[]) cases.get("qsort1000").get("dynload")));
    }

    private static boolean same(Object a, Object b) {
        return a instanceof int[] x && b instanceof int[] y ? Arrays.equals(x, y) : a.equals(b);
    }

    private static String show(Object o) {
        return o instanceof int[] x ? Arrays.toString(x) : String.valueOf(o);
    }
}
