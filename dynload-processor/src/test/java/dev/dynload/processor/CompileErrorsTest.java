package dev.dynload.processor;

import dev.dynload.BindingException;
import dev.dynload.Library;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compile test: each interface under {@code src/test/resources/bad} is compiled with the processor,
 * and must fail with exactly the errors its {@code //!} comments give, each on its own line (the
 * parameter or method at fault). Then the same source is compiled without the processor and bound to
 * the C library at run time: {@code bind} must refuse it with the same words, so the processor and
 * {@code bind} are seen to share their rules, not to copy them.
 */
class CompileErrorsTest {

    private static final Path BAD = Path.of("src/test/resources/bad/bad");

    @ParameterizedTest
    @ValueSource(strings = {"Types", "Marks", "Callbacks", "Sealed", "NotAnInterface"})
    void eachBadInterfaceFailsToCompileWithBindsOwnWords(String name, @TempDir Path out) throws Exception {
        Path source = BAD.resolve(name + ".java");
        Map<Long, String> expected = expected(source);
        assertFalse(expected.isEmpty(), "the source names its errors");

        Compilation withProcessor = compile(source, out.resolve("checked"), true);
        assertFalse(withProcessor.succeeded, "compiling " + name + " must fail");
        assertEquals(expected, withProcessor.errors, "errors by line");

        Compilation plain = compile(source, out.resolve("plain"), false);
        assertTrue(plain.succeeded, "without the processor, " + name + " compiles: " + plain.errors);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.resolve("plain").toUri().toURL()},
                getClass().getClassLoader()); Library libc = Library.open("libc.so.6")) {
            Class<?> type = loader.loadClass("bad." + name);
            List<String> atRunTime = new ArrayList<>();
            RuntimeException refused = assertThrows(RuntimeException.class, () -> libc.bind(type));
            if (refused instanceof BindingException b) {
                atRunTime.addAll(b.problems());
            } else {
                assertTrue(refused instanceof IllegalArgumentException, refused.toString());
                atRunTime.add(refused.getMessage());
            }
            assertEquals(List.copyOf(new java.util.TreeSet<>(expected.values())),
                    List.copyOf(new java.util.TreeSet<>(atRunTime)), "bind's problems are the compiler's errors");
        }
    }

    /** The errors a source expects: each {@code //!} comment's text, by its line. */
    private static Map<Long, String> expected(Path source) throws IOException {
        Map<Long, String> expected = new TreeMap<>();
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            int at = lines.get(i).indexOf("//! ");
            if (at >= 0) {
                expected.put(i + 1L, lines.get(i).substring(at + 4).trim());
            }
        }
        return expected;
    }

    private record Compilation(boolean succeeded, Map<Long, String> errors) {
    }

    private static Compilation compile(Path source, Path out, boolean processor) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            Files.createDirectories(out);
            List<String> options = List.of("-d", out.toString(), "-s", out.toString(),
                    "-cp", System.getProperty("java.class.path"), processor ? "-proc:full" : "-proc:none");
            JavaCompiler.CompilationTask task = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(source));
            if (processor) {
                task.setProcessors(List.of(new BindingProcessor()));
            }
            boolean ok = task.call();
            Map<Long, String> errors = new TreeMap<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    String previous = errors.put(d.getLineNumber(), d.getMessage(Locale.ROOT));
                    assertEquals(null, previous, "one error per line: " + d);
                }
            }
            return new Compilation(ok, errors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
