package dev.dynload.examples.host;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's example: the host prints each greeter's greeting, and the README shows what it prints. */
class HostTest {

    static final String RUST = "rust-greeter";
    static final String C = "c-greeter";
    static final Path README = Path.of(System.getProperty("dynload.readme"));

    private static String hostOutput(String bundle) throws Throwable {
        return output(() -> Host.main(new String[] {bundle}));
    }

    /** Something that prints. */
    interface Printing {
        void run() throws Throwable;
    }

    private static String output(Printing program) throws Throwable {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            program.run();
        } finally {
            System.setOut(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /**
     * The application AOT cache recipe of docs/benchmarks.md, in fresh JVMs: one training run writes the
     * cache, and a run with {@code -XX:AOTMode=on} (which fails when the cache cannot be used) uses it.
     */
    @Test
    void anAotCacheTrainedOnTheHostServesAFreshJvm(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path library = Path.of(System.getProperty("dynload.rust.library"));
        Path core = jar(codeOf(dev.dynload.Library.class), dir.resolve("dynload-core.jar"));
        Path host = jar(codeOf(Host.class), dir.resolve("host.jar"));
        Path cache = dir.resolve("host.aot");
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> app = List.of("--enable-native-access=dev.dynload", "-p", core + java.io.File.pathSeparator + host,
                "-m", "dev.dynload.examples.host/dev.dynload.examples.host.Host", library.toString());
        String trained = run(dir, launcher, List.of("-XX:AOTCacheOutput=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"), app);
        assertTrue(trained.startsWith("Hello from Rust!"), trained);
        assertTrue(Files.size(cache) > 0, "the training run wrote the cache");
        String used = run(dir, launcher, List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on", "-Xlog:aot=off",
                "-Xlog:cds=off"), app);
        assertEquals("Hello from Rust!" + System.lineSeparator(), used);
    }

    private static Path codeOf(Class<?> type) throws java.net.URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** A jar of {@code classes} (an AOT cache takes jars, not folders), or the jar itself. */
    private static Path jar(Path classes, Path jar) {
        if (!Files.isDirectory(classes)) {
            return classes;
        }
        java.util.spi.ToolProvider tool = java.util.spi.ToolProvider.findFirst("jar").orElseThrow();
        int status = tool.run(System.out, System.err, "--create", "--file", jar.toString(), "-C", classes.toString(),
                ".");
        assertEquals(0, status, "jar " + classes);
        return jar;
    }

    private static String run(Path dir, String java, List<String> options, List<String> app) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(options);
        command.addAll(app);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + " printed " + out);
        return out;
    }

    @Test
    void hostPrintsTheGreetingOfTheRustCdylibFromItsJar() throws Throwable {
        assertEquals("Hello from Rust!" + System.lineSeparator(), hostOutput(RUST));
    }

    @Test
    void hostPrintsTheGreetingOfTheCLibraryFromItsJar() throws Throwable {
        assertEquals("Hello from C!" + System.lineSeparator(), hostOutput(C));
    }

    @Test
    void boundHostPrintsBothGreetingsThroughAnInterface() throws Throwable {
        assertEquals("Hello from Rust!" + System.lineSeparator(), output(() -> BoundHost.main(new String[] {RUST})));
        assertEquals("Hello from C!" + System.lineSeparator(), output(() -> BoundHost.main(new String[] {C})));
        // The example's build runs dynload's annotation processor, which wrote the Greeter's class.
        Class<?> written = Class.forName(BoundHost.class.getName() + "$Greeter$Dynload");
        assertTrue(Class.forName(BoundHost.class.getName() + "$Greeter").isAssignableFrom(written), written.getName());
    }

    @Test
    void readmeQuickStartShowsWhatTheDemoPrints() throws Throwable {
        String readme = Files.readString(README);
        // The quick start's first block: the demo command, then its output.
        Matcher block = Pattern.compile("```(?:console|shell|sh)\\n\\$ scripts/demo\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(block.find(), "README has no quick-start block running scripts/demo");
        List<String> shown = block.group(1).lines().toList();
        assertEquals(hostOutput(RUST).strip(), shown.getLast());
        assertTrue(readme.contains("$ scripts/test"), "README gives the test command");
    }
}
