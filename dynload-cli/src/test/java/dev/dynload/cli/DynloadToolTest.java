package dev.dynload.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dynload command, run in-process: results, errors and their exit codes. */
class DynloadToolTest {

    static final Path NATIVE = Path.of(System.getProperty("dynload.test.native", "target/native")).toAbsolutePath();
    static final Path FIXTURE = NATIVE.resolve("libclifixture.so");
    static final Path RUST = Path.of(System.getProperty("dynload.rust.greeter",
            "../examples/rust-greeter/target/release/libtest.so")).toAbsolutePath();

    @TempDir
    Path dir;

    /** What one run printed and returned. */
    record Run(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(status, out.toString(), err.toString());
    }

    private static void assertResult(String expected, String... args) {
        Run r = run(args);
        assertEquals(0, r.status(), r.err());
        assertEquals(expected + System.lineSeparator(), r.out());
        assertEquals("", r.err());
    }

    private static Run assertFails(ExitCode code, String... args) {
        Run r = run(args);
        assertEquals(code.code(), r.status(), r.err());
        assertEquals(1, r.errLines().size(), "one line on stderr: " + r.err());
        assertEquals("", r.out());
        return r;
    }

    @Test
    void callPrintsTheGreetingOfTheRustCdylib() {
        assertResult("Hello from Rust!", "call", RUST.toString(), "greet", "--returns", "string");
    }

    @Test
    void callPrintsCosineFromTheSystemLibm() {
        assertResult("1.0", "call", "libm.so.6", "cos", "double:0", "--returns", "double");
        assertResult("8.0", "call", "m", "pow", "double:2", "double:3", "--returns", "double");
    }

    @Test
    void callPassesAndReturnsEveryType() {
        String lib = FIXTURE.toString();
        assertResult("42", "call", lib, "cli_add", "int:2", "int:40", "--returns", "int");
        assertResult("-4", "call", lib, "cli_add", "int32:-6", "i32:0x2", "-r", "i32");
        assertResult("6000000000", "call", lib, "cli_mul64", "long:3", "int64:2000000000", "--returns", "long");
        assertResult("1.25", "call", lib, "cli_half", "double:2.5", "--returns", "double");
        assertResult("3.0", "call", lib, "cli_twice", "float:1.5", "--returns", "float");
        assertResult("false", "call", lib, "cli_not", "bool:true", "--returns", "bool");
        assertResult("-5", "call", lib, "cli_neg8", "int8:5", "--returns", "int8");
        assertResult("4294967295", "call", lib, "cli_max_u32", "--returns", "uint32");
        assertResult("6", "call", lib, "cli_len", "string:h\u00e9llo", "--returns", "size_t");
        assertResult("echo me", "call", lib, "cli_echo", "string:echo me", "--returns", "string");
        assertResult("(null)", "call", lib, "cli_null", "--returns", "string");
        assertResult("0x0", "call", lib, "cli_null", "--returns", "pointer");
        Run nothing = run("call", lib, "cli_nothing");
        assertEquals(0, nothing.status());
        assertEquals("", nothing.out());
    }

    @Test
    void missingLibraryExitsNotFoundNamingIt() {
        Run r = assertFails(ExitCode.NOT_FOUND, "call", dir.resolve("libabsent.so").toString(), "f");
        assertTrue(r.err().startsWith("dynload: cannot load " + dir.resolve("libabsent.so")), r.err());
        Run byName = assertFails(ExitCode.NOT_FOUND, "call", "dynload_absent_lib", "f", "-L", dir.toString());
        assertTrue(byName.err().contains(dir.toString()), byName.err());
    }

    @Test
    void badLibraryExitsBadLibraryWithTheDiagnosis() throws IOException {
        Path text = Files.writeString(dir.resolve("libnotes.so"), "hello\n");
        Run r = assertFails(ExitCode.BAD_LIBRARY, "call", text.toString(), "f");
        assertTrue(r.err().contains("text file"), r.err());
        Run dep = assertFails(ExitCode.BAD_LIBRARY, "call", NATIVE.resolve("libcliuser.so").toString(), "cliuser_value");
        assertTrue(dep.err().contains("needs libclidep.so"), dep.err());
        assertFails(ExitCode.BAD_LIBRARY, "symbols", text.toString());
    }

    @Test
    void missingSymbolExitsMissingSymbolWithSuggestions() {
        Run r = assertFails(ExitCode.MISSING_SYMBOL, "call", FIXTURE.toString(), "cli_ad", "--returns", "int");
        assertTrue(r.err().contains("did you mean: cli_add"), r.err());
    }

    @Test
    void usageErrorsExitUsageWithAPointerToHelp() {
        assertTrue(assertFails(ExitCode.USAGE, "call", FIXTURE.toString()).err().contains("SYMBOL"));
        assertTrue(assertFails(ExitCode.USAGE, "call", FIXTURE.toString(), "cli_add", "--returns", "quaternion")
                .err().contains("unknown type 'quaternion'"));
        assertTrue(assertFails(ExitCode.USAGE, "call", FIXTURE.toString(), "cli_add", "int:abc", "int:1", "-r", "int")
                .err().contains("'abc' is not a valid int32"));
        assertTrue(assertFails(ExitCode.USAGE, "call", FIXTURE.toString(), "cli_add", "42", "-r", "int")
                .err().contains("needs its type"));
        assertTrue(assertFails(ExitCode.USAGE, "call", FIXTURE.toString(), "cli_neg8", "int8:300", "-r", "int8")
                .err().contains("not a valid int8"));
        assertTrue(assertFails(ExitCode.USAGE, "frobnicate").err().contains("--help"));
        assertFails(ExitCode.USAGE);
        assertFails(ExitCode.USAGE, "call", "--no-such-option");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "call", "symbols", "info"})
    void everyCommandHasHelp(String command) {
        Run r = command.isEmpty() ? run("--help") : run(command, "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("Usage: dynload"), r.out());
    }

    @Test
    void symbolsListsFunctionsAndData() {
        Run r = run("symbols", FIXTURE.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("function cli_add"), r.out());
        assertTrue(lines.contains("data     cli_counter"), r.out());
        assertEquals(lines.stream().sorted(java.util.Comparator.comparing(l -> l.substring(9))).toList(), lines);
        Run functions = run("symbols", "--functions", FIXTURE.toString());
        assertFalse(functions.out().contains("cli_counter"));
        Run data = run("symbols", "-d", FIXTURE.toString());
        assertEquals("data     cli_counter" + System.lineSeparator(), data.out());
    }

    @Test
    void symbolsOfASystemLibraryByName() {
        Run r = run("symbols", "z");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().lines().toList().contains("function crc32"), r.out());
    }

    @Test
    void infoShowsFormatSonameAndResolvedDependencies() {
        Run r = run("info", "libz.so.1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("format:    ELF 64-bit, little-endian, shared object"), r.out());
        assertTrue(r.out().contains("cpu:       x86-64"), r.out());
        assertTrue(r.out().contains("soname:    libz.so.1"), r.out());
        assertTrue(r.out().matches("(?s).*libc\\.so\\.6 +=> /.*libc\\.so\\.6.*"), r.out());
        assertTrue(r.out().contains("loads:     yes"), r.out());
    }

    @Test
    void infoNamesTheDependencyThatDoesNotResolve() {
        Run r = run("info", NATIVE.resolve("libcliuser.so").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s).*libclidep\\.so +NOT FOUND.*"), r.out());
        assertTrue(r.out().contains("loads:     no: needs libclidep.so"), r.out());
        Run found = run("info", "-L", NATIVE.resolve("deps").toString(), NATIVE.resolve("libcliuser.so").toString());
        assertTrue(found.out().matches("(?s).*libclidep\\.so +=> .*deps/libclidep\\.so.*"), found.out());
    }

    @Test
    void toolProviderFindsTheCommand() {
        ToolProvider tool = ToolProvider.findFirst("dynload").orElseThrow();
        StringWriter out = new StringWriter();
        int status = tool.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
                "call", FIXTURE.toString(), "cli_add", "int:1", "int:1", "-r", "int");
        assertEquals(0, status);
        assertEquals("2", out.toString().strip());
    }
}
