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

    public interface ByValue {
        double length_squared(Point p);
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
    void aRecordByValueIsRefusedAtBindSayingWhatToUse() {
        try (IsolatedLibrary lib = IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED)) {
            BindingException e = assertThrows(BindingException.class, () -> lib.bind(ByValue.class));
            assertTrue(e.getMessage().contains("@ByReference") && e.getMessage().contains("Ref<Point>"), e.getMessage());
        }
    }
}
