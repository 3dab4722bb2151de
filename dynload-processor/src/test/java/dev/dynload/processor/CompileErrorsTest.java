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
 * parameter or method at fault). Then a library interface is compiled without the processor and bound
 * to the C library at run time: {@code bind} must refuse it with the same words, so the processor and
 * {@code bind} are seen to share their rules, not to copy them.
 */
class CompileErrorsTest {

    private static final Path BAD = Path.of("src/test/resources/bad/bad");

    @ParameterizedTest
    @ValueSource(strings = {"Types", "Marks", "Callbacks", "Sealed", "NotAnInterface", "PluginApi"})
    void eachBadInterfaceFailsToCompileWithBindsOwnWords(String name, @TempDir Path out) throws Exception {
        Path source = BAD.resolve(name + ".java");
        Map<Long, List<String>> expected = expected(source);
        assertFalse(expected.isEmpty(), "the source names its errors");

        Compilation withProcessor = compile(source, out.resolve("checked"), true);
        assertFalse(withProcessor.succeeded, "compiling " + name + " must fail");
        assertEquals(expected, withProcessor.errors, "errors by line");

        if (Files.readString(source).contains("@PluginInterface")) {
            return; // bound to a plugin only, which the plugin module's tests load; the rules are PluginRules either way
        }
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
            List<String> compiled = new ArrayList<>();
            for (List<String> line : expected.values()) {
                compiled.addAll(line);
            }
            assertEquals(List.copyOf(new java.util.TreeSet<>(compiled)), List.copyOf(new java.util.TreeSet<>(atRunTime)),
                    "bind's problems are the compiler's errors");
        }
    }

    /** The errors a source expects, by line: the text of each {@code //!} comment on it, sorted. */
    private static Map<Long, List<String>> expected(Path source) throws IOException {
        Map<Long, List<String>> expected = new TreeMap<>();
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            String[] parts = lines.get(i).split("//! ");
            for (int p = 1; p < parts.length; p++) {
                expected.computeIfAbsent(i + 1L, k -> new ArrayList<>()).add(parts[p].trim());
            }
        }
        expected.values().forEach(java.util.Collections::sort);
        return expected;
    }

    private record Compilation(boolean succeeded, Map<Long, List<String>> errors) {
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
            Map<Long, List<String>> errors = new TreeMap<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    errors.computeIfAbsent(d.getLineNumber(), k -> new ArrayList<>()).add(d.getMessage(Locale.ROOT));
                }
            }
            errors.values().forEach(java.util.Collections::sort);
            return new Compilation(ok, errors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
