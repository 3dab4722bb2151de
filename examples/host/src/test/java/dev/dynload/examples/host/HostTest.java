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
