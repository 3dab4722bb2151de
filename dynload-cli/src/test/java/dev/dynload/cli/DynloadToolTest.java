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
    @ValueSource(strings = {"", "call", "symbols", "info", "verify"})
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
        assertTrue(r.out().contains("loads:     no: needs libclidep.so, which the loader cannot find"), r.out());
        // -L finds LIB itself, not what it needs: the system loader searches for that, so info says what call gets.
        Run withFolder = run("info", "-L", NATIVE.resolve("deps").toString(), NATIVE.resolve("libcliuser.so").toString());
        assertTrue(withFolder.out().contains("loads:     no: needs libclidep.so"), withFolder.out());
        assertFails(ExitCode.BAD_LIBRARY, "call", "-L", NATIVE.resolve("deps").toString(),
                NATIVE.resolve("libcliuser.so").toString(), "cliuser_value", "-r", "int");
    }

    // ---- read-only commands run no library code -------------------------------------------------

    @Test
    void readOnlyCommandsNeverRunALibrarysInitializers() {
        // libclictor.so's initializer calls _exit(42): had any of these loaded it, the test JVM would be gone.
        String lib = NATIVE.resolve("libclictor.so").toString();
        Run info = run("info", lib);
        assertEquals(0, info.status(), info.err());
        assertTrue(info.out().contains("loads:     yes (found by reading the files; its initializers were not run)"),
                info.out());
        Run symbols = run("symbols", lib);
        assertEquals("function clictor_answer" + System.lineSeparator(), symbols.out());
        Run byName = run("symbols", "-L", NATIVE.toString(), "clictor");
        assertEquals(symbols.out(), byName.out(), byName.err());
        assertEquals(0, run("verify", lib).status());
        assertEquals(0, run("info", "-L", NATIVE.toString(), "clictor").status());
    }

    @Test
    void callIsolatedReportsAnInitializerThatExitsWithoutLoadingItHere() {
        Run r = assertFails(ExitCode.BAD_LIBRARY, "call", "--isolated=5", NATIVE.resolve("libclictor.so").toString(),
                "clictor_answer", "-r", "int");
        assertTrue(r.err().contains("exit status 42"), r.err());
        assertTrue(r.err().contains("not loaded into this process"), r.err());
        assertResult("42", "call", FIXTURE.toString(), "cli_add", "int:40", "int:2", "-r", "int", "--isolated");
        // Before LIB, --isolated without '=' takes no value: LIB is the library, not the time limit.
        assertResult("42", "call", "--isolated", FIXTURE.toString(), "cli_add", "int:40", "int:2", "-r", "int");
        assertResult("42", "call", "--isolated=3", FIXTURE.toString(), "cli_add", "int:40", "int:2", "-r", "int");
    }

    @Test
    void callIsolatedWithASandboxRefusesTheNetworkAndSaysSo() {
        String untrusted = Path.of(System.getProperty("dynload.test.untrusted", "../dynload-core/target/native/libuntrusted.so"))
                .toAbsolutePath().toString();
        Run r = run("call", "--isolated", "--sandbox", "no-network", untrusted, "open_inet_socket", "-r", "int");
        assertEquals(0, r.status(), r.err());
        assertEquals("-1", r.out().strip(), "-EPERM: the socket was refused in the child");
        assertTrue(r.err().contains("the sandbox denied socket"), r.err());
        assertResult("0", "call", "--isolated", untrusted, "open_inet_socket", "-r", "int");
        assertEquals(ExitCode.USAGE.code(), run("call", "--sandbox", "no-network", untrusted, "add", "int:1", "int:2")
                .status(), "--sandbox without --isolated");
    }

    @Test
    void callIsolatedMakesTheCallItselfInTheChildAndReportsACrashThere() {
        String lib = FIXTURE.toString();
        assertResult("hello", "call", "--isolated", lib, "cli_echo", "string:hello", "-r", "string");
        assertResult("6", "call", "--isolated", lib, "cli_len", "string:héllo", "-r", "size_t"); // UTF-8 bytes
        assertResult("(null)", "call", "--isolated", lib, "cli_null", "-r", "string");
        assertResult("2.5", "call", "--isolated", lib, "cli_half", "double:5", "-r", "double");
        assertResult("-7", "call", "--isolated", lib, "cli_neg8", "int8:7", "-r", "int8");
        assertResult("4294967295", "call", "--isolated", lib, "cli_max_u32", "-r", "uint32");
        // In process this would end the JVM; here the child ends, and the command says how.
        Run crash = assertFails(ExitCode.CRASHED, "call", "--isolated", lib, "cli_crash");
        assertTrue(crash.err().contains("cli_crash() got no answer") && crash.err().contains("SIGSEGV"), crash.err());
        Run pointer = assertFails(ExitCode.USAGE, "call", "--isolated", lib, "cli_echo", "pointer:0x10", "-r", "string");
        assertTrue(pointer.err().contains("a pointer argument cannot cross"), pointer.err());
        assertFails(ExitCode.MISSING_SYMBOL, "call", "--isolated", lib, "no_such_function");
        Run variable = assertFails(ExitCode.MISSING_SYMBOL, "call", "--isolated", lib, "cli_counter", "-r", "int");
        assertTrue(variable.err().contains("variable"), "a variable is refused, not jumped into: " + variable.err());
    }

    // ---- verify -----------------------------------------------------------------------------------

    @Test
    void verifyOfAMissingFileSaysNoSuchFileNotCannotLoad() {
        Run r = run("verify", "/nonexistent/libnothing.so");
        assertEquals(ExitCode.NOT_FOUND.code(), r.status());
        assertEquals("dynload: /nonexistent/libnothing.so: no such file; check the path, or open the library by name "
                + "to search for it", r.err().strip());
    }

    @Test
    void verifyOfAnIntactLibrarySaysSoAndExitsZero() throws Exception {
        Run r = run("verify", FIXTURE.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(FIXTURE + ": no problems found" + System.lineSeparator(), r.out());
        assertEquals(0, run("verify", "z").status());
        Run pinned = run("verify", "--sha256", FIXTURE.toString());
        assertEquals(0, pinned.status(), pinned.err());
        assertTrue(pinned.out().startsWith(FIXTURE + ": SHA-256 " + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(FIXTURE)))),
                pinned.out());
    }

    @Test
    void verifyListsEveryProblemAndExitsBadLibrary() throws IOException {
        Path damaged = Elf.withDynamic(FIXTURE, dir.resolve("libdamaged.so"), 9, 25); // DT_RELAENT
        Run r = run("verify", damaged.toString());
        assertEquals(ExitCode.BAD_LIBRARY.code(), r.status(), r.out());
        assertTrue(r.out().contains(damaged + ": dynamic section: DT_RELAENT is 25, not 24"), r.out());
        assertTrue(r.err().startsWith("dynload: " + damaged + " has "), r.err());
        Run call = assertFails(ExitCode.BAD_LIBRARY, "call", damaged.toString(), "cli_add", "int:1", "int:2", "-r", "int");
        assertTrue(call.err().contains("is damaged: dynamic section: DT_RELAENT is 25"), call.err());
        Run info = run("info", damaged.toString());
        assertTrue(info.out().contains("loads:     no: is damaged: dynamic section: DT_RELAENT is 25"), info.out());
    }

    // ---- what a file holds is printed so that it cannot forge output -------------------------------

    @Test
    void namesHoldingControlCharactersArePrintedEscaped() throws IOException {
        Path evil = Elf.replaceString(FIXTURE, dir.resolve("libevil.so"), "cli_add", "cli\nadd");
        evil = Elf.replaceString(evil, evil, "libclifixture.so", "libcli\u001b[2Jxxx.so");
        Run symbols = run("symbols", evil.toString());
        assertEquals(0, symbols.status(), symbols.err());
        assertTrue(symbols.out().lines().anyMatch(l -> l.equals("function cli\\nadd")), symbols.out());
        assertTrue(symbols.out().chars().noneMatch(c -> c == 0x1b));
        Run info = run("info", evil.toString());
        assertTrue(info.out().contains("soname:    libcli\\x1b[2Jxxx.so"), info.out());
        assertTrue(info.out().chars().noneMatch(c -> c == 0x1b), info.out());
    }

    @Test
    void anEmptyNeededEntryIsReportedNotAUsageError() throws IOException {
        Path empty = Elf.withDynamic(NATIVE.resolve("libcliuser.so"), dir.resolve("libempty.so"), 1, 0); // DT_NEEDED -> ""
        Run r = run("info", empty.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("(an empty name)  NOT FOUND"), r.out());
        assertTrue(r.out().contains("loads:     no: is damaged: dynamic section: a DT_NEEDED entry names no library"),
                r.out());
    }

    @Test
    void aLibraryWithoutSectionHeadersIsListedAndCalled() throws IOException {
        byte[] bytes = Files.readAllBytes(FIXTURE);
        long shoff = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(40);
        Path cut = Files.write(dir.resolve("libcut.so"), java.util.Arrays.copyOf(bytes, (int) shoff));
        Run symbols = run("symbols", cut.toString());
        assertEquals(0, symbols.status(), symbols.err());
        assertTrue(symbols.out().contains("function cli_add"), symbols.out());
        assertResult("3", "call", cut.toString(), "cli_add", "int:1", "int:2", "-r", "int");
        Run missing = assertFails(ExitCode.MISSING_SYMBOL, "call", cut.toString(), "cli_ad");
        assertTrue(missing.err().contains("did you mean: cli_add"), missing.err());
    }

    // ---- call ------------------------------------------------------------------------------------

    @Test
    void callRefusesADataSymbolInsteadOfJumpingIntoIt() {
        Run r = assertFails(ExitCode.MISSING_SYMBOL, "call", FIXTURE.toString(), "cli_counter", "--returns", "int");
        assertTrue(r.err().contains("cli_counter in " + FIXTURE + " is a variable, not a function"), r.err());
        assertTrue(r.err().contains("--functions"), r.err());
    }

    @Test
    void integersParseExactlyOverTheirWholeRange() {
        String lib = FIXTURE.toString();
        assertResult("-9223372036854775808", "call", lib, "cli_mul64", "long:-9223372036854775808", "long:1", "-r", "long");
        assertResult("9223372036854775807", "call", lib, "cli_mul64", "long:0x7fffffffffffffff", "long:1", "-r", "long");
        assertResult("-128", "call", lib, "cli_neg8", "int8:-0x80", "-r", "int8");
        for (String bad : new String[] {"long:--5", "long:-0x-5", "long:+-5", "long:0x", "long:9223372036854775808",
                "long: 5", "long:5 ", "long:１２", "long:0x1g"}) {
            Run r = assertFails(ExitCode.USAGE, "call", lib, "cli_mul64", bad, "long:1", "-r", "long");
            assertTrue(r.err().contains("is not a valid int64"), bad + ": " + r.err());
        }
        assertFails(ExitCode.USAGE, "call", lib, "cli_null", "pointer:-1");
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
