package dev.dynload.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verdicts the report gives, on made-up scores: the report must say when a target is missed, and why. */
class ReportTest {

    private static Results results(String name, Object... wayScoreError) {
        Map<String, Results.Score> ways = new LinkedHashMap<>();
        for (int i = 0; i < wayScoreError.length; i += 3) {
            ways.put((String) wayScoreError[i], new Results.Score((Double) wayScoreError[i + 1], (Double) wayScoreError[i + 2]));
        }
        return new Results(Map.of(name, ways));
    }

    @Test
    void aCaseWellUnderItsTargetsIsMet() {
        Results r = results("add", "dynload", 4.0, 0.1, "ffm", 4.0, 0.1, "jnaInterface", 250.0, 5.0, "jnaDirect", 80.0, 2.0);
        assertEquals("met", Report.verdict(r, "add", 1.1));
    }

    @Test
    void aCaseOverTheRawFfmTargetBeyondItsErrorIsMissedByHowMuch() {
        Results r = results("dot", "dynload", 10.0, 0.5, "ffm", 6.0, 0.2, "jnaInterface", 4000.0, 10.0, "jnaDirect", 4000.0, 10.0);
        assertEquals("MISSED: 52% over the raw FFM target", Report.verdict(r, "dot", 1.1));
    }

    @Test
    void aCaseWhoseErrorBarsReachTheTargetIsWithinError() {
        Results r = results("noop", "dynload", 4.4, 0.5, "ffm", 3.8, 0.2, "jnaInterface", 57.0, 1.0, "jnaDirect", 58.0, 1.0);
        assertTrue(Report.verdict(r, "noop", 1.1).startsWith("within error of the target: "), Report.verdict(r, "noop", 1.1));
    }

    @Test
    void tooCloseToJnaIsMissedEvenUnderTheRawFfmTarget() {
        Results r = results("sum", "dynload", 500.0, 5.0, "ffm", 600.0, 5.0, "jnaInterface", 1400.0, 10.0, "jnaDirect", 830.0, 10.0);
        assertEquals("MISSED: only 2.8x cheaper than jnaInterface, only 1.7x cheaper than jnaDirect",
                Report.verdict(r, "sum", 1.0));
    }

    @Test
    void missedTargetsSayWhyAndMetOnesDoNot() {
        Results missed = results("sum", "dynload", 500.0, 5.0, "ffm", 600.0, 5.0, "jnaInterface", 1400.0, 10.0, "jnaDirect", 830.0, 10.0);
        assertTrue(Report.calls(missed).contains("Why: sum:"), Report.calls(missed));
        Results met = results("sum", "dynload", 250.0, 5.0, "ffm", 600.0, 5.0, "jnaInterface", 1400.0, 10.0, "jnaDirect", 830.0, 10.0);
        assertFalse(Report.calls(met).contains("Why:"), Report.calls(met));
        Results slowCold = results("one", "dynload", 80.0, 5.0, "ffm", 50.0, 5.0, "jna", 50.0, 5.0);
        assertTrue(Report.cold(slowCold).contains("MISSED: 60% slower than raw FFM"), Report.cold(slowCold));
        assertTrue(Report.cold(slowCold).contains("Why: cold start:"), Report.cold(slowCold));
    }

    @Test
    void bundleVerdictsCompareEachWayWithAPlainFileAndJna() {
        Results r = results("open", "memory", 110.0, 5.0, "cacheFirst", 150.0, 5.0, "cacheLater", 90.0, 5.0,
                "file", 100.0, 5.0, "jna", 95.0, 5.0);
        String md = Report.bundles(r);
        assertTrue(md.contains("| Library.openBundled, from sealed memory | 110 ± 5 | 1.10x | 1.16x | at most 1.2x a plain file; "
                + "below JNA | MISSED: slower than JNA |"), md);
        assertTrue(md.contains("| Library.openBundled, the cache's later run | 90 ± 5 | 0.90x | 0.95x | below JNA | met |"), md);
        Results wide = results("open", "memory", 130.0, 5.0, "file", 100.0, 5.0, "jna", 200.0, 5.0);
        assertTrue(Report.bundles(wide).contains("MISSED: above 1.2x a plain file |"), Report.bundles(wide));
    }
}
