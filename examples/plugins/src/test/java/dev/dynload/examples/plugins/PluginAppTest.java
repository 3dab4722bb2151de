package dev.dynload.examples.plugins;

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

/** The plugin example, run against the four plugins the build made; the README shows what it prints. */
class PluginAppTest {

    static final Path PLUGINS = Path.of(System.getProperty("dynload.plugins", "target/plugins"));
    static final Path README = Path.of(System.getProperty("dynload.readme", "../../README.md"));

    static String run() throws java.io.IOException {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            PluginApp.main(new String[] {PLUGINS.toString()});
        } finally {
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyGreeterGreetsInStartOrderThenTheCGreeterIsReloadedWithItsCount() throws Exception {
        assertEquals(List.of(
                "com.example.greeter.classic 1.0.0: Good day, World. | Goodbye, World (the host's farewell: this "
                        + "plugin predates it) | 2 + 3 = 5",
                "com.example.greeter.c 1.2.0: Hello from C, World! | Goodbye from C, World. | 2 + 3 = 5",
                "com.example.greeter.rust 1.2.0 [out of process]: Hello from Rust, World! | Goodbye from Rust, World. | 2 + 3 = 5",
                "com.example.greeter.polite 1.0.0: Hello from C, World! How are you? | Goodbye from C, World. Take "
                        + "care. | 2 + 3 = 5",
                // The count of greetings crossed the reload: two before it (its own, and the polite one's).
                "reloaded com.example.greeter.c 1.3.0: Hello again from C, World! (greeting 3)",
                "and com.example.greeter.polite, which requires it: Hello again from C, World! (greeting 4) How are "
                        + "you?"), run().lines().toList());
    }

    @Test
    void readmeShowsWhatTheExamplePrints() throws Exception {
        String readme = Files.readString(README);
        Matcher block = Pattern.compile("```console\\n\\$ scripts/plugins\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README has no block running scripts/plugins");
        assertEquals(run().strip(), block.group(1).strip());
    }
}
