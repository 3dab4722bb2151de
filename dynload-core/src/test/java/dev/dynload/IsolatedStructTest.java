package dev.dynload;

import dev.dynload.bind.ByReference;
import dev.dynload.bind.Errno;
import dev.dynload.bind.ErrnoException;
import dev.dynload.bind.Ref;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Structs through Ref and @ByReference, and @Errno, in an isolated call, against the same call in process. */
class IsolatedStructTest {

    public record Stamp(long seconds, int micros) {
    }

    public record Point(double x, double y) {
    }

    public record Named(@dev.dynload.bind.Length(16) String name, int n) {
    }

    public interface Api {
        int fill_stamp(Ref<Stamp> s, long seconds);

        double length_squared(@ByReference Point p);

        @Errno
        int open_missing(String path);

        int name_length(@ByReference Named p);
    }

    public record Pair(int a, int b) {
    }

    public record Wide(long a, long b) {
    }

    public record Floats3(float a, float b, float c) {
    }

    public record Tagged(long n, double d) {
    }

    public record Weighted(double d, int n) {
    }

    public record Triple(long a, long b, long c) {
    }

    @dev.dynload.bind.Union
    public record Number(long i, double d) {
    }

    public record NamedValue(@dev.dynload.bind.Length(16) String name, int n) {
    }

    public record Nested(Pair p, float f) {
    }

    public record Huge(@dev.dynload.bind.Length(300) String text) {
    }

    public record Enormous(@dev.dynload.bind.Length(4000) String text) {
    }

    public interface IntFunction {
        int apply(int x);
    }

    /** untrusted.c's structs and unions by value: each way x86-64 passes and returns one. */
    public interface ByValue {
        Pair swap_pair(Pair p);

        Wide add_wide(Wide x, Wide y);

        Floats3 scale3(Floats3 v, float k);

        Tagged retag(Tagged t, long add);

        Weighted reweigh(Weighted w);

        Triple rotate3(Triple t);

        long sum3(Triple t, int k);

        Number as_number(long bits);

        long number_bits(Number n);

        int name_value_length(NamedValue v);

        NamedValue make_name(int n);

        Nested nest(Nested n);

        long spill(long a, long b, long c, long d, long e, Wide w, long f);

        Triple triple_with(String s, IntFunction f);
    }

    public interface TooMuch {
        Enormous make_name(int n);

        int name_value_length(Huge h);

        long number_bits(Holder h);
    }

    public record Holder(java.lang.foreign.MemorySegment where, int n) {
    }

    public interface Refused {
        int fill_stamp(Ref<Holder> s, long seconds);

        @Errno
        void noop();

        String shout(Ref<Stamp> s);
    }

    @Test
    void structsAndErrnoCrossAsTheyDoInProcess() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED);
             Library local = Library.open(IsolatedLibraryTest.UNTRUSTED)) {
            for (Api api : java.util.List.of(lib.bind(Api.class), local.bind(Api.class, java.lang.invoke.MethodHandles.lookup()))) {
                Ref<Stamp> stamp = new Ref<>(new Stamp(1, 0));
                assertEquals(0, api.fill_stamp(stamp, 41));
                assertEquals(new Stamp(42, 250), stamp.get(), "the struct the function wrote, back in the Ref");
                Ref<Stamp> empty = new Ref<>();
                api.fill_stamp(empty, 7);
                assertEquals(new Stamp(7, 250), empty.get(), "an empty Ref goes in as zeros");
                assertEquals(-1, api.fill_stamp(null, 0), "a null Ref is NULL");
                assertEquals(25.0, api.length_squared(new Point(3, 4)));
                assertEquals(8, api.name_length(new Named("dynload", 1)), "an inline char[16] is a value: it crosses");
                ErrnoException e = assertThrows(ErrnoException.class, () -> api.open_missing("/nonexistent/dynload"));
                assertEquals(2, e.errno(), "ENOENT, as the call left it");
                assertTrue(e.getMessage().contains("No such file"), e.getMessage());
            }
        }
    }

    @Test
    void pointerFieldsErrnoWithoutAFailureAndAStringBesideARefAreRefusedAtBind() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED)) {
            BindingException e = assertThrows(BindingException.class, () -> lib.bind(Refused.class));
            assertTrue(e.getMessage().contains("has a pointer field (where)"), e.getMessage());
            assertTrue(e.getMessage().contains("@Errno needs a result"), e.getMessage());
            assertTrue(e.getMessage().contains("returns a String and takes a Ref or a callback"), e.getMessage());
        }
    }

    @Test
    void recordsAndUnionsByValueCrossAsTheyDoInProcess() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.dynload.internal.Host.arch().equals("amd64"),
                "records by value cross on x86-64 only");
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED);
             Library local = Library.open(IsolatedLibraryTest.UNTRUSTED)) {
            ByValue isolated = lib.bind(ByValue.class);
            ByValue inProcess = local.bind(ByValue.class, java.lang.invoke.MethodHandles.lookup());
            for (ByValue api : java.util.List.of(isolated, inProcess)) {
                assertEquals(new Pair(2, 1), api.swap_pair(new Pair(1, 2)), "one integer eightbyte");
                assertEquals(new Wide(11, 22), api.add_wide(new Wide(1, 2), new Wide(10, 20)), "two, twice");
                assertEquals(new Floats3(2f, 4f, 6f), api.scale3(new Floats3(1f, 2f, 3f), 2f), "two SSE eightbytes");
                assertEquals(new Tagged(8, 3.0), api.retag(new Tagged(5, 1.5), 3), "integer then SSE");
                assertEquals(new Weighted(2.0, 21), api.reweigh(new Weighted(1.5, 7)), "SSE then integer");
                assertEquals(new Triple(3, 1, 2), api.rotate3(new Triple(1, 2, 3)), "in memory both ways");
                assertEquals(60, api.sum3(new Triple(10, 20, 30), 1), "on the stack, an int after it in a register");
                assertEquals(Double.doubleToRawLongBits(2.5), api.number_bits(new Number(0, 2.5)), "a union");
                Number n = api.as_number(Double.doubleToRawLongBits(-1.25));
                assertEquals(-1.25, n.d(), "a union returned: every member views the same bytes");
                assertEquals(8, api.name_value_length(new NamedValue("dynload", 1)), "an inline string, 20 bytes");
                assertEquals(new NamedValue("value", 4), api.make_name(4));
                assertEquals(new Nested(new Pair(2, 3), 5f), api.nest(new Nested(new Pair(1, 2), 2.5f)), "nested");
                assertEquals(1 + 2 + 3 + 4 + 5 + 6 * 100 + 7 * 1000 + 8 * 10000,
                        api.spill(1, 2, 3, 4, 5, new Wide(6, 7), 8), "a struct spilled to the stack, f in a register");
                assertEquals(new Triple(7, 42, 9), api.triple_with("dynload", x -> x * 21),
                        "returned in memory beside a string and a callback");
            }
            assertThrows(NullPointerException.class, () -> isolated.swap_pair(null));
        }
    }

    @Test
    void recordsTooLargeForTheStackOrHoldingPointersAreRefusedByValue() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.dynload.internal.Host.arch().equals("amd64"),
                "records by value cross on x86-64 only");
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED)) {
            BindingException e = assertThrows(BindingException.class, () -> lib.bind(TooMuch.class));
            assertTrue(e.getMessage().contains("passes 304 bytes of records on the stack"), e.getMessage());
            assertTrue(e.getMessage().contains("make_name: the result: a struct of 4000 bytes by value"), e.getMessage());
            assertTrue(e.getMessage().contains("has a pointer field (where)"), e.getMessage());
        }
    }
}
