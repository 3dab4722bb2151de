package dev.dynload.bind;

import dev.dynload.Signatures;
import dev.dynload.Structs;
import dev.dynload.BindingException;
import dev.dynload.Library;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mappings beyond the first type table (struct out-parameters, arrays in structs, out-only arrays,
 * structs through callbacks) and the bad input the binder refuses, against src/test/c/mappings.c and libc.
 */
class MappingsTest {

    static final Path MAPPINGS = Path.of(System.getProperty("dynload.test.native", "target/native"))
            .resolve("libmappings.so").toAbsolutePath();

    record Stamp(long sec, long usec) {
    }

    record Point(int x, int y, double weight) {
    }

    record Sample(int id, @Length(4) double[] values, @Length(16) String name) {
    }
    interface PointMap {
        Point map(Point p);
    }
    interface PointMeasure {
        double measure(Point p);
    }
    interface Row {
        int row(MemorySegment ctx, int n, @Size(16) MemorySegment values);
    }
    interface RowStrings {
        int row(MemorySegment ctx, int n, @Count(1) String[] values);
    }
    interface RowSegment {
        int row(MemorySegment ctx, int n, @Count(1) MemorySegment values);
    }

    @Union
    record Number(int i, float f, double d) {
    }

    record Tagged(int tag, Number value) {
    }

    @LibraryInterface
    interface Unions {
        @Symbol("m_number_read") double read(Number n, int member);
        @Symbol("m_number_of_float") Number ofFloat(float f);
        @Symbol("m_tagged_read") double read(Tagged t);
    }

    @LibraryInterface
    interface UnsignedFixture {
        @Symbol("m_u8_max") @Unsigned(8) int u8Max();
        @Symbol("m_u16_max") @Unsigned(16) int u16Max();
        @Symbol("m_u32_max") @Unsigned(32) long u32Max();
        @Symbol("m_u32_half") @Unsigned(32) long u32Half(@Unsigned(32) long v);
        @Symbol("m_u8_next") @Unsigned(8) short u8Next(@Unsigned(8) short v);
    }

    @LibraryInterface
    interface PointerSource {
        MemorySegment get();
    }

    @LibraryInterface
    interface Edges {
        @Symbol("m_call_pointer") MemorySegment callPointer(PointerSource f);
        @Symbol("m_fill_u32") int fill(@Out int[] out, @Unsigned(32) long n);
        @Symbol("m_sum") long sum(@Heap long[] values, @SizeT long n);
        @Symbol("m_stamp_after") int stampAfter(@ByReference Stamp s, Runnable r);
    }

    @LibraryInterface
    interface CountedResults {
        @Symbol("m_squares") @Count(value = 0, elementSize = 8) MemorySegment squares(int n);
        @Symbol("m_words") @Count(0) String[] words(short n);
    }

    @LibraryInterface
    interface Calc {
        int add(int a, int b);

        default int twice(int a) {
            return 2 * a;
        }

        int mul(int a, int b);
    }

    @LibraryInterface
    interface CalcSource {
        @Symbol("m_calc") MemorySegment calc(int minor);
    }

    /** The table C hands out for {@code minor}: functions by name, as many as its size holds. */
    static FunctionTable calcTable(int minor) {
        MemorySegment table = lib.bind(CalcSource.class).calc(minor).reinterpret(8);
        int size = table.get(ValueLayout.JAVA_INT, 0);
        MemorySegment whole = table.reinterpret(size);
        List<String> order = List.of("add", "twice", "mul");
        return new FunctionTable() {
            @Override
            public java.util.Optional<MemorySegment> find(String function) {
                int i = order.indexOf(function);
                return i < 0 || 8 + 8L * (i + 1) > size ? java.util.Optional.empty()
                        : java.util.Optional.of(whole.get(ValueLayout.ADDRESS, 8 + 8L * i));
            }

            @Override
            public String absent(java.lang.reflect.Method method) {
                return method.getName() + " is not in calc/" + minor;
            }
        };
    }

    @LibraryInterface
    interface Mappings {
        @Symbol("m_rows") int rowsAsStrings(RowStrings f, MemorySegment ctx, int rows);
        @Symbol("m_rows") int rowsAsSegments(RowSegment f, MemorySegment ctx, int rows);
        @Symbol("m_stamp") int stamp(Ref<Stamp> out);
        @Symbol("m_stamp") int stampConst(@ByReference Stamp out);
        @Symbol("m_stamp_add") int add(Ref<Stamp> inOut, long usec);
        @Symbol("m_stamp_micros") long micros(@ByReference Stamp s);
        @Symbol("m_sample") Sample sample(int id);
        @Symbol("m_sample_sum") double sum(@ByReference Sample s);
        @Symbol("m_sample_name_length") int nameLength(Sample s);
        @Symbol("m_fill_squares") int fillOut(@Out int[] out, @SizeT long n);
        @Symbol("m_fill_squares") int fillBoth(int[] out, @SizeT long n);
        @Symbol("m_map_point") Point map(PointMap f, Point p);
        @Symbol("m_measure") double measure(PointMeasure f, int x);
        @Symbol("m_run") void run(Runnable r);
        @Symbol("m_rows") int rows(Row f, MemorySegment ctx, int rows);
        @Symbol("m_strlen") @SizeT long strlen(String s);
        @Symbol("m_strlen") @SizeT long strlen(MemorySegment s);
    }

    static Library lib;
    static Mappings m;

    @BeforeAll
    static void bind() {
        lib = Library.open(MAPPINGS);
        m = lib.bind(Mappings.class);
    }

    @AfterAll
    static void close() {
        lib.close();
    }

    @Test
    void aRefReceivesTheStructTheFunctionWrote() {
        Ref<Stamp> out = new Ref<>();
        assertEquals(0, m.stamp(out));
        assertEquals(new Stamp(1700000000, 123456), out.get());
    }

    @Test
    void aRefHoldingARecordIsAnInOutParameter() {
        Ref<Stamp> s = new Ref<>(new Stamp(10, 900000));
        m.add(s, 200000);
        assertEquals(new Stamp(11, 100000), s.get());
        assertEquals(-1, m.stamp((Ref<Stamp>) null), "a null Ref is NULL");
    }

    @Test
    void aConstStructPointerIsReadButAWriteToItFailsLoudly() {
        assertEquals(2_000_003L, m.micros(new Stamp(2, 3)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.stampConst(new Stamp(0, 0)));
        assertTrue(e.getMessage().contains("m_stamp, parameter 0") && e.getMessage().contains("Ref<Stamp>"),
                e.getMessage());
    }

    @Test
    void realGettimeofdayAndUnameFillTheirStructs() {
        record Timeval(long seconds, long micros) {
        }
        record Utsname(@Length(65) String sysname, @Length(65) String nodename, @Length(65) String release,
                       @Length(65) String version, @Length(65) String machine, @Length(65) String domainname) {
        }
        @LibraryInterface
        interface LibC {
            int gettimeofday(Ref<Timeval> tv, MemorySegment tz);
            int uname(Ref<Utsname> name);
        }
        LibC c = Library.process().bind(LibC.class);
        Ref<Timeval> tv = new Ref<>();
        assertEquals(0, c.gettimeofday(tv, MemorySegment.NULL));
        // What C wrote reached the record: a time after 2020 (1.6e9 s), micros within a second.
        assertTrue(tv.get().seconds() > 1_600_000_000L, tv.toString());
        assertTrue(tv.get().micros() >= 0 && tv.get().micros() < 1_000_000, tv.toString());
        Ref<Utsname> name = new Ref<>();
        assertEquals(0, c.uname(name));
        assertEquals("Linux", name.get().sysname());
        assertEquals(System.getProperty("os.version"), name.get().release());
    }

    @Test
    void arraysInsideStructsAreReadAndWritten() {
        Sample s = m.sample(7);
        assertEquals(7, s.id());
        assertArrayEquals(new double[] {3.5, 1.5, 2.5, 3.5}, s.values());
        assertEquals("sample-7", s.name());
        assertEquals(7 + 3.5 + 1.5 + 2.5 + 3.5, m.sum(s));
        assertEquals("sample-7".length(), m.nameLength(s));
        assertEquals(0, m.nameLength(new Sample(1, new double[4], null)), "a null char[n] is zeros");
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> m.nameLength(new Sample(1, new double[4], "a name of more than sixteen bytes")));
        assertTrue(tooLong.getMessage().contains("does not fit char[16]"), tooLong.getMessage());
        IllegalArgumentException wrongLength = assertThrows(IllegalArgumentException.class,
                () -> m.sum(new Sample(1, new double[3], "x")));
        assertTrue(wrongLength.getMessage().contains("give exactly 4"), wrongLength.getMessage());
    }

    @Test
    void anOutArrayIsCopiedBackButNotIn() {
        int[] values = {5, 5, 5, 5};
        assertEquals(0, m.fillOut(values, 4), "C found zeros, not the array's elements");
        assertArrayEquals(new int[] {0, 1, 4, 9}, values);
        int[] both = {5, 5, 5, 5};
        assertEquals(20, m.fillBoth(both, 4), "without @Out the elements go in");
        assertArrayEquals(new int[] {0, 1, 4, 9}, both);
    }

    @Test
    void callbacksTakeAndReturnStructsByValue() {
        assertEquals(new Point(2, 3, 1.5), m.map(p -> new Point(p.y(), p.x(), p.weight() * 3), new Point(3, 2, 0.5)));
        assertEquals(5 + 10 + 0.25, m.measure(p -> p.x() + p.y() + p.weight(), 5));
    }

    @Test
    void aFailedStructCallbackGivesCZerosAndTheCallerItsException() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> m.map(p -> { throw new IllegalStateException("no point"); }, new Point(1, 1, 1)));
        assertEquals("no point", e.getMessage());
    }

    @Test
    void aRunnableIsACallback() {
        int[] ran = {0};
        m.run(() -> ran[0]++);
        assertEquals(1, ran[0]);
    }

    @Test
    void aCallbackThatThrewIsSkippedForTheRestOfTheCall() {
        List<String> seen = new ArrayList<>();
        Row row = (ctx, n, values) -> {
            String first = values.get(ValueLayout.ADDRESS, 0).reinterpret(8).getString(0);
            seen.add(first);
            if (first.equals("2")) {
                throw new IllegalArgumentException("row 2 is bad");
            }
            return 0;
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.rows(row, MemorySegment.NULL, 3));
        assertEquals("row 2 is bad", e.getMessage());
        assertEquals(List.of("1", "2"), seen, "row 3 was not handed to the callback that threw");
        seen.clear();
        assertEquals(0, m.rows((ctx, n, v) -> {
            seen.add("again");
            return 0;
        }, MemorySegment.NULL, 3));
        assertEquals(3, seen.size(), "the next call runs its callback again");
    }

    @Test
    void aCallbacksPointerSizedByAnotherArgumentIsReadWhole() {
        List<List<String>> rows = new ArrayList<>();
        assertEquals(0, m.rowsAsStrings((ctx, n, values) -> {
            rows.add(List.of(values));
            return 0;
        }, MemorySegment.NULL, 3));
        assertEquals(List.of(List.of("1", "one"), List.of("2", "two"), List.of("3", "three")), rows);
        List<Long> sizes = new ArrayList<>();
        assertEquals(4, m.rowsAsSegments((ctx, n, values) -> {
            sizes.add(values.byteSize());
            return sizes.size() == 2 ? 1 : 0; // non-zero: C stops, as sqlite3_exec does with SQLITE_ABORT
        }, MemorySegment.NULL, 3));
        assertEquals(List.of(16L, 16L), sizes);
    }

    @Test
    void aResultSizedByAnArgumentIsReadWhole() {
        CountedResults c = lib.bind(CountedResults.class);
        MemorySegment squares = c.squares(5);
        assertEquals(40, squares.byteSize());
        assertEquals(16, squares.getAtIndex(ValueLayout.JAVA_LONG, 4));
        assertArrayEquals(new String[] {"alpha", "beta"}, c.words((short) 2));
        assertEquals(MemorySegment.NULL, c.squares(9), "NULL stays NULL");
        assertEquals(null, c.words((short) 4));
    }

    @Test
    void anInterfaceBindsToATableOfFunctionPointers() {
        Calc v2 = lib.bind(Calc.class, calcTable(2));
        assertEquals(5, v2.add(2, 3));
        assertEquals(12, v2.twice(4), "a default method the table has calls C");
        assertEquals(6, v2.mul(2, 3));
        Calc v1 = lib.bind(Calc.class, calcTable(1));
        assertEquals(5, v1.add(2, 3));
        assertEquals(8, v1.twice(4), "a default method the table lacks stays Java");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> v1.mul(2, 3));
        assertEquals("mul is not in calc/1", e.getMessage());
        assertEquals(java.lang.foreign.FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT), Signatures.of(method(Calc.class, "add")));
    }

    @Test
    void aMethodFirstCalledAfterUnbindThrowsWithoutAskingTheTableAndRelinkUndoesUnbind() {
        try (Library own = Library.open(MAPPINGS)) {
            FunctionTable table = calcTable(2);
            List<String> asked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Calc calc = own.bind(Calc.class, new FunctionTable() {
                @Override
                public java.util.Optional<MemorySegment> find(String function) {
                    asked.add(function);
                    return table.find(function);
                }

                @Override
                public String absent(java.lang.reflect.Method method) {
                    return table.absent(method);
                }
            });
            assertEquals(5, calc.add(2, 3));
            own.unbind().toCompletableFuture().join();
            int before = asked.size();
            assertThrows(IllegalStateException.class, () -> calc.mul(2, 3));
            assertEquals(before, asked.size(), "a table may point into unloaded memory by now: " + asked);
            // Relinked: the object bound before calls again, a method linked before and one never called alike.
            own.relink();
            assertEquals(5, calc.add(2, 3));
            assertEquals(6, calc.mul(2, 3));
            assertEquals(5, own.bind(Calc.class, table).add(2, 3), "binds again");
            own.unbind().toCompletableFuture().join();
            assertThrows(IllegalStateException.class, () -> calc.add(2, 3));
        }
        Library closed = Library.open(MAPPINGS);
        Calc gone = closed.bind(Calc.class, calcTable(2));
        closed.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, closed::relink);
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> gone.add(2, 3));
    }

    private static java.lang.reflect.Method method(Class<?> type, String name) {
        for (java.lang.reflect.Method m : type.getMethods()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void sqliteRowsReachACallbackAsStrings() {
        java.util.Optional<Path> sqlite = java.util.Optional.empty();
        try {
            Library probe = Library.open("sqlite3");
            sqlite = probe.path();
            probe.close();
        } catch (dev.dynload.LibraryLoadException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no libsqlite3 on this machine: " + e.getMessage());
        }
        @LibraryInterface
        interface Exec {
            int exec(MemorySegment ctx, int n, @Count(1) String[] values, @Count(1) String[] names);
        }
        @LibraryInterface
        interface Sqlite {
            int sqlite3_open(String name, MemorySegment[] db);
            int sqlite3_exec(MemorySegment db, String sql, Exec callback, MemorySegment ctx, MemorySegment[] error);
            int sqlite3_close(MemorySegment db);
        }
        try (Library lib = Library.open(sqlite.orElseThrow())) {
            Sqlite s = lib.bind(Sqlite.class);
            MemorySegment[] db = new MemorySegment[1];
            assertEquals(0, s.sqlite3_open(":memory:", db));
            List<String> seen = new ArrayList<>();
            assertEquals(0, s.sqlite3_exec(db[0], "select 1 as a, 'x' as b, null as c union all select 2, 'y', 'z'",
                    (ctx, n, values, names) -> {
                        seen.add(String.join(",", names) + "=" + java.util.Arrays.toString(values));
                        return 0;
                    }, MemorySegment.NULL, new MemorySegment[1]));
            assertEquals(List.of("a,b,c=[1, x, null]", "a,b,c=[2, y, z]"), seen);
            assertEquals(0, s.sqlite3_close(db[0]));
        }
    }

    @Test
    void unionsAreReadAsEveryMemberAndWrittenFromTheOneSet() {
        Unions u = lib.bind(Unions.class);
        assertEquals(8, Structs.layout(Number.class).byteSize());
        assertEquals(16, Structs.layout(Tagged.class).byteSize());
        assertEquals(7.0, u.read(new Number(7, 0, 0), 0));
        assertEquals(1.5, u.read(new Number(0, 1.5f, 0), 1));
        assertEquals(2.25, u.read(new Number(0, 0, 2.25), 2));
        Number fromC = u.ofFloat(2.5f);
        assertEquals(2.5f, fromC.f());
        assertEquals(Float.floatToRawIntBits(2.5f), fromC.i(), "every member views the same bytes");
        assertEquals(2.5, u.read(fromC, 1), "a union read from C goes back as it came");
        assertEquals(2.5, u.read(new Tagged(1, fromC)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> u.read(new Number(1, 2f, 0), 0));
        assertTrue(e.getMessage().contains("union Number: i and f are both set"), e.getMessage());
    }

    @Test
    void unsignedValuesUseTheWholeRangeAndAreCheckedOnTheWayIn() {
        UnsignedFixture u = lib.bind(UnsignedFixture.class);
        assertEquals(255, u.u8Max());
        assertEquals(65535, u.u16Max());
        assertEquals(4294967295L, u.u32Max());
        assertEquals(2147483647L, u.u32Half(4294967295L));
        assertEquals((short) 0, u.u8Next((short) 255), "uint8_t wraps in C");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> u.u32Half(1L << 32));
        assertTrue(e.getMessage().contains("0 to 4294967295"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> u.u32Half(-1));
    }

    @Test
    void errnoSeesMapFailedAsAFailedPointer() {
        @LibraryInterface
        interface Mman {
            @Errno MemorySegment mmap(MemorySegment addr, @SizeT long length, int prot, int flags, int fd,
                                      @SizeT long offset);
            int munmap(MemorySegment addr, @SizeT long length);
        }
        Mman mman = Library.process().bind(Mman.class);
        int protRead = 1;
        int mapPrivate = 2;
        int mapAnonymous = 0x20;
        MemorySegment mapped = mman.mmap(MemorySegment.NULL, 4096, protRead, mapPrivate | mapAnonymous, -1, 0);
        assertTrue(mapped.address() != 0 && mapped.address() != -1);
        assertEquals(0, mman.munmap(mapped, 4096));
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> mman.mmap(MemorySegment.NULL, 4096, protRead, mapPrivate, -1, 0)); // MAP_FAILED, EBADF
        assertEquals(9, e.errno(), e.getMessage());
    }

    @Test
    void aCallbackReturningANullOrHeapPointerNeverReachesC() {
        Edges e = lib.bind(Edges.class);
        assertEquals(MemorySegment.NULL, e.callPointer(() -> null), "null is NULL");
        IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                () -> e.callPointer(() -> MemorySegment.ofArray(new byte[8])));
        assertTrue(heap.getMessage().contains("on the Java heap"), heap.getMessage());
    }

    @Test
    void aCallThatFailsBeforeCRunsCopiesNothingBack() {
        Edges e = lib.bind(Edges.class);
        int[] values = {5, 5, 5, 5};
        assertThrows(IllegalArgumentException.class, () -> e.fill(values, -1));
        assertArrayEquals(new int[] {5, 5, 5, 5}, values, "the @Out array keeps what it held");
        assertEquals(4, e.fill(values, 4));
        assertArrayEquals(new int[] {0, 1, 4, 9}, values);
        assertEquals(0, e.sum(null, 0), "a null @Heap array is NULL");
    }

    @Test
    void aCallbacksExceptionComesBeforeWhatWentWrongAfterIt() {
        Edges e = lib.bind(Edges.class);
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> e.stampAfter(new Stamp(0, 0), () -> { throw new IllegalStateException("from the callback"); }));
        assertEquals("from the callback", thrown.getMessage());
        assertEquals(1, thrown.getSuppressed().length, "the write to the const struct is reported beside it");
        assertTrue(thrown.getSuppressed()[0].getMessage().contains("Ref<Stamp>"), thrown.getSuppressed()[0].getMessage());
    }

    @Test
    void aNulInsideAStringIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.strlen("abc\0def"));
        assertTrue(e.getMessage().contains("holds a NUL at index 3"), e.getMessage());
        assertEquals(3, m.strlen("abc"));
        String wide = "\u00e9t\u00e9\0";
        assertThrows(IllegalArgumentException.class, () -> m.strlen(wide), "non-ASCII text is checked too");
    }

    @Test
    void nullWhereCCannotTakeItNamesTheParameter() {
        NullPointerException pointer = assertThrows(NullPointerException.class, () -> m.strlen((MemorySegment) null));
        assertTrue(pointer.getMessage().contains("parameter 0 (MemorySegment) of Mappings.strlen is null")
                && pointer.getMessage().contains("MemorySegment.NULL"), pointer.getMessage());
        NullPointerException struct = assertThrows(NullPointerException.class, () -> m.nameLength(null));
        assertTrue(struct.getMessage().contains("parameter 0 (Sample) of Mappings.nameLength is null")
                && struct.getMessage().contains("@ByReference"), struct.getMessage());
    }

    record Node(int value, Node next) {
    }

    record Empty() {
    }

    record Outer(int a, Inner inner) {
    }

    record Inner(int b, Outer back) {
    }

    enum Throwing implements CEnum {
        A;

        @Override
        public int value() {
            throw new UnsupportedOperationException("no value");
        }
    }

    enum Twice implements CEnum {
        B(1), C(1);

        private final int value;

        Twice(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }
    interface BadInput {
        @Symbol("m_sum_ints") int sum(int n, int... values);
        @Symbol("m_strlen") long node(Node n);
        @Symbol("m_strlen") long empty(Empty e);
        @Symbol("m_strlen") long cycle(Outer o);
        @Symbol("m_strlen") long throwing(Throwing t);
        @Symbol("m_strlen") long twice(Twice t);
        @Symbol("m_strlen") long ref(Ref<Integer> count);
        @Symbol("m_strlen") long inOut(@In @Out int[] values);
        @Symbol("m_rows") int badCount(BadCount f, MemorySegment ctx, int rows);
        @Symbol("m_rows") int negativeCount(NegativeCount f, MemorySegment ctx, int rows);
    }
    interface NegativeCount {
        int row(MemorySegment ctx, int n, @Count(-1) String[] values);
    }
    interface BadCount {
        int row(MemorySegment ctx, int n, @Count(2) String[] values);
    }

    @Test
    void badDeclarationsAreRefusedAtBindTimeSayingWhatToWrite() {
        BindingException e = assertThrows(BindingException.class, () -> lib.bind(BadInput.class));
        List<String> problems = e.problems();
        assertEquals(10, problems.size(), String.join("\n", problems));
        assertProblem(problems, "sum(int, int[])", "Java varargs method", "@Variadic(fixed = n)");
        assertProblem(problems, "node(Node)", "record Node contains itself (Node -> Node)", "MemorySegment");
        assertProblem(problems, "empty(Empty)", "has no components", "C has no empty struct");
        assertProblem(problems, "cycle(Outer)", "contains itself (Outer -> Inner -> Outer)", "pointer");
        assertProblem(problems, "throwing(Throwing)", "value() of A threw", "no value");
        assertProblem(problems, "twice(Twice)", "B and C both have the C value 1", "its own value");
        assertProblem(problems, "ref(Ref)", "a Ref holds a record", "int[1]");
        assertProblem(problems, "inOut(int[])", "@In and @Out exclude each other", "@Heap");
        assertProblem(problems, "badCount(BadCount, MemorySegment, int)", "@Count(2) must name another parameter");
        assertProblem(problems, "negativeCount(NegativeCount, MemorySegment, int)", "@Count(-1) must name another");
    }

    private static void assertProblem(List<String> problems, String method, String... parts) {
        for (String p : problems) {
            if (p.startsWith(method + ":")) {
                for (String part : parts) {
                    assertTrue(p.contains(part), "\"" + part + "\" not in: " + p);
                }
                return;
            }
        }
        throw new AssertionError("no problem for " + method + " in " + problems);
    }
    sealed interface Sealed permits Unsealed {
        @Symbol("m_strlen") long strlen(String s);
    }

    @LibraryInterface
    non-sealed interface Unsealed extends Sealed {
    }

    @Test
    void aSealedInterfaceIsRefusedAndItsNonSealedChildBinds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lib.bind(Sealed.class));
        assertTrue(e.getMessage().contains("is sealed"), e.getMessage());
        assertEquals(2, lib.bind(Unsealed.class).strlen("ab"));
    }
}
