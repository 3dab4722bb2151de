package dev.dynload;

import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every mapping that crosses to an isolated library gives what the same call gives in process: the same
 * interface bound both ways to src/test/c/untrusted.c, the same arguments, compared result by result
 * (and array by array, for what the functions write).
 */
class IsolatedEquivalenceTest {

    public interface Api {
        int add(int a, int b);

        long add6(long a, long b, long c, long d, long e, long f);

        double mul(double a, double b);

        float addf(float a, float b);

        double mixed(int i, double d, long l, float f, byte b);

        boolean is_even(int v);

        short neg16(short v);

        byte neg8(byte v);

        char next_char(char c);

        double sum6(double a, double b, double c, double d, double e, double f);

        String shout(String s);

        int length_of(String s, int extra);

        String nothing();

        String same(String s);

        void fill_squares(int[] out, int n);

        double sum_doubles(double[] v, int n);

        int reverse_bytes(byte[] b, int n, String tag);
    }

    /** One call, made on an interface; its result as a comparable value. */
    private record Case(String name, Function<Api, Object> call) {
    }

    private static final List<Case> CASES = List.of(
            new Case("add", a -> a.add(Integer.MAX_VALUE, 1)),
            new Case("add6", a -> a.add6(1, -2, 3, Long.MIN_VALUE, 5, 6)),
            new Case("mul", a -> a.mul(-1.5, Math.PI)),
            new Case("addf", a -> a.addf(0.1f, Float.MAX_VALUE)),
            new Case("mixed", a -> a.mixed(-7, 2.25, 1L << 40, 0.5f, (byte) -3)),
            new Case("is_even", a -> List.of(a.is_even(4), a.is_even(-3))),
            new Case("neg16", a -> a.neg16(Short.MIN_VALUE)),
            new Case("neg8", a -> a.neg8((byte) 100)),
            new Case("next_char", a -> a.next_char('\uffff')),
            new Case("sum6", a -> a.sum6(1e300, -1e300, 1, 2, 3, Double.MIN_VALUE)),
            new Case("shout", a -> a.shout("héllo, wörld")),
            new Case("length_of", a -> List.of(a.length_of("日本", 1), a.length_of(null, 0))),
            new Case("nothing", a -> String.valueOf(a.nothing())),
            new Case("same", a -> a.same("itself")),
            new Case("fill_squares", a -> {
                int[] out = new int[50_000]; // past the slot: through the bulk area
                a.fill_squares(out, out.length);
                return Arrays.toString(Arrays.copyOfRange(out, out.length - 3, out.length)) + Arrays.hashCode(out);
            }),
            new Case("sum_doubles", a -> a.sum_doubles(new double[] {1e-3, 2.5, -7}, 3)),
            new Case("reverse_bytes", a -> {
                byte[] b = {1, 2, 3, -4};
                int r = a.reverse_bytes(b, b.length, "tag");
                return r + Arrays.toString(b);
            }));

    @Test
    void eachCallGivesInAnotherProcessWhatItGivesInThisOne() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED);
             Library local = Library.open(IsolatedLibraryTest.UNTRUSTED)) {
            Api isolated = lib.bind(Api.class);
            Api inProcess = local.bind(Api.class, MethodHandles.lookup());
            for (Case c : CASES) {
                Object here = c.call().apply(inProcess);
                Object there = c.call().apply(isolated);
                if (here instanceof double[] d) {
                    assertArrayEquals(d, (double[]) there, c.name());
                } else {
                    assertEquals(here, there, c.name());
                }
            }
        }
    }
}
