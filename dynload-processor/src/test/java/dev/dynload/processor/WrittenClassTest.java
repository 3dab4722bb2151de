package dev.dynload.processor;

import dev.dynload.Library;
import dev.dynload.bind.ErrnoException;
import dev.dynload.bind.Ref;

import good.Outer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A good interface ({@link Outer.LibC}, nested in a class): the class the processor writes for it
 * compiles without a warning under {@code -Xlint:all -Werror}, and {@code bind} uses it to call the C
 * library through strings, arrays, a callback, a struct out-parameter, an enum and {@code @Errno}.
 */
class WrittenClassTest {

    private static final Path SOURCE = Path.of("src/test/java/good/Outer.java");
    /** Legal interfaces whose written classes once did not compile (see the file). */
    private static final Path EDGES = Path.of("src/test/java/good/Edges.java");

    @Test
    void theWrittenClassCompilesWithoutAWarning(@TempDir Path out) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            JavaCompiler.CompilationTask task = javac.getTask(null, files, diagnostics, List.of("-d", out.toString(),
                    "-s", out.toString(), "-cp", libraries(), "-proc:full", "-Xlint:all",
                    "-Werror"), null, files.getJavaFileObjects(SOURCE, EDGES));
            task.setProcessors(List.of(new BindingProcessor()));
            ok = task.call();
        }
        List<String> said = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.NOTE) {
                said.add(d.getKind() + ": " + d.getMessage(Locale.ROOT));
            }
        }
        assertTrue(ok && said.isEmpty(), said.toString());
        assertTrue(Files.isRegularFile(out.resolve("good/Edges$Posix$Dynload.class")), "diamond methods written once");
        assertTrue(!Files.exists(out.resolve("good/Edges$Hidden$Dynload.java")), "a private record cannot be named");
        assertTrue(!Files.exists(out.resolve("good/Edges$Generic$Dynload.java")), "nor a type variable");
        assertTrue(Files.isRegularFile(out.resolve("good/Outer$LibC$Dynload.java")));
        assertTrue(Files.isRegularFile(out.resolve("good/Outer$LibC$Dynload.class")));

        // GraalVM Native Image's metadata: each downcall, each upcall, and the written class's constructor.
        String metadata = Files.readString(out.resolve(NativeImageMetadata.path("good.Outer$LibC")));
        for (String expected : List.of(
                "{\"returnType\": \"jint\", \"parameterTypes\": [\"jint\"]}",                          // abs
                "{\"returnType\": \"jlong\", \"parameterTypes\": [\"void*\"]}",                        // strlen, length
                "{\"returnType\": \"void\", \"parameterTypes\": [\"void*\", \"jlong\", \"jlong\", \"void*\"]}", // qsort
                "{\"returnType\": \"jint\", \"parameterTypes\": [\"void*\", \"void*\"]}",            // gettimeofday
                "{\"returnType\": \"jint\", \"parameterTypes\": [\"jint\"], \"options\": {\"captureCallState\": true}}",
                "{\"returnType\": \"jlong\", \"parameterTypes\": [\"jint\", \"jlong\", \"jint\"]}", // lseek
                "\"upcalls\": [\n      {\"returnType\": \"jint\", \"parameterTypes\": [\"void*\", \"void*\"]}\n    ]",
                "{\"type\": \"good.Outer$LibC$Dynload\", \"methods\": [{\"name\": \"<init>\"")) {
            assertTrue(metadata.contains(expected), expected + " in\n" + metadata);
        }
    }

    @Test
    void aStructIsSpelledWithItsPadding() {
        java.lang.foreign.MemoryLayout point = java.lang.foreign.MemoryLayout.structLayout(
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.MemoryLayout.paddingLayout(4),
                java.lang.foreign.ValueLayout.JAVA_DOUBLE, java.lang.foreign.MemoryLayout.sequenceLayout(3,
                        java.lang.foreign.ValueLayout.JAVA_BYTE));
        assertEquals("struct(jint, padding(4), jdouble, sequence(3, jbyte))", NativeImageMetadata.layout(point));
    }

    /** The class path less this module's test classes, where the class compiled by the build already is. */
    private static String libraries() {
        java.util.StringJoiner path = new java.util.StringJoiner(java.io.File.pathSeparator);
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!Path.of(entry).endsWith(Path.of("target", "test-classes"))) {
                path.add(entry);
            }
        }
        return path.toString();
    }

    @Test
    void bindUsesTheWrittenClassToCallTheCLibrary() {
        Library libc = Library.open("libc.so.6");
        try {
            Outer.LibC c = libc.bind(Outer.LibC.class);
            assertEquals("good.Outer$LibC$Dynload", c.getClass().getName(), "the first bind gets the written class");
            assertEquals(7, c.abs(-7));
            assertEquals(5L, c.strlen("hello"));
            assertEquals(3L, c.length(new byte[] {'a', 'b', 'c', 0}));
            assertNull(c.getenv("DYNLOAD_NO_SUCH_VARIABLE"));

            int[] values = {5, 3, 9, 1};
            c.qsort(values, 4, 4, (a, b) -> Integer.compare(a.reinterpret(4).get(ValueLayout.JAVA_INT, 0),
                    b.reinterpret(4).get(ValueLayout.JAVA_INT, 0)));
            assertArrayEquals(new int[] {1, 3, 5, 9}, values, "sorted by a Java callback");

            Ref<Outer.Timeval> now = new Ref<>();
            assertEquals(0, c.gettimeofday(now, MemorySegment.NULL));
            assertTrue(now.get().seconds() > 1_600_000_000L, "the struct C wrote: " + now.get());

            assertEquals(-1L, c.lseek(-1, 0, Outer.Whence.SET), "a bad descriptor");
            assertThrows(ErrnoException.class, () -> c.close(-1), "thrown as the call threw it, unwrapped");

            try (Library again = Library.open("libc.so.6")) {
                Outer.LibC other = again.bind(Outer.LibC.class);
                assertTrue(other.getClass().isHidden(), "a second bind gets a class written at run time: "
                        + other.getClass());
                assertEquals(4, other.abs(-4));
                assertEquals(4, c.abs(-4), "the first still calls its own library");
            }
            libc.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> c.abs(-1));
            assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
        } finally {
            libc.close(); // again, after a failure: a second close does nothing
        }
    }
}
