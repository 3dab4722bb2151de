package dev.dynload.plugin;

import dev.dynload.BindingException;
import dev.dynload.LibraryCrashedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plugins run out of the host's process (src/test/c/hostile.c and plugin.c), called through the same
 * interfaces: segfaults, aborts, exits, endless loops and stack overflows in them end their process, never
 * this JVM, and the host reports, restarts and quarantines them.
 */
@Timeout(120)
class IsolatedPluginTest {

    @PluginInterface(id = "com.example.hostile", major = 1, minor = 0)
    interface Hostile {
        int add(int a, int b);

        void noop();

        String greet(String who);

        int crash();

        @dev.dynload.bind.Symbol("abort_now")
        void abortNow();

        @dev.dynload.bind.Symbol("exit_now")
        void exitNow(int status);

        void spin();

        int overflow(int n);

        void print(String text);

        int count();

        long pid();

        double scale(double x, float by);

        @dev.dynload.bind.Symbol("fork_sleeper")
        int forkSleeper();

        default String shout(String who) {
            return greet(who).toUpperCase(java.util.Locale.ROOT);
        }
    }

    @PluginInterface(id = "com.example.hostile", major = 1, minor = 1)
    interface Newer {
        /** In the plugin's table: the plugin's function runs, not this body. */
        default int add(int a, int b) {
            return -1;
        }

        /** A newer minor's function, absent from the plugin's table: this body runs. */
        default int subtract(int a, int b) {
            return a - b;
        }

        int multiply(int a, int b);
    }

    @PluginInterface(id = "com.example.hostile", major = 1, minor = 0)
    interface WithAddress {
        MemorySegment address();
    }

    @PluginInterface(id = "com.example.greeter", major = 1, minor = 2)
    interface Greeter {
        int add(int a, int b);

        @dev.dynload.bind.Symbol("base_now")
        long baseNow();
    }

    /** Everything logged, as "id LEVEL message"; a test waits for a line with {@link #awaitLog}. */
    private final List<String> log = new ArrayList<>();

    private void logged(String id, PluginLogger.Level level, String message) {
        synchronized (log) {
            log.add(id + " " + level + " " + message);
            log.notifyAll();
        }
    }

    @Test
    void aPluginThreadUsingTheHostServicesAfterDestroyIsRefusedInItsProcess(@TempDir Path dir) throws Exception {
        try (PluginHost host = builder(dir, "late-destroy", "late-witness", "base")
                .config("com.example.latedestroy", "greeting", "Hi")
                .isolate("com.example.latedestroy", Isolation.group("late"))
                .isolate("com.example.latewitness", Isolation.group("late")).build()) {
            host.start();
            Plugin late = started(host, "com.example.latedestroy");
            assertTrue(late.processId().isPresent(), "it runs out of process");
            host.stop();
            // Once its destroy returned, its own thread called config, log and dependency and printed what they
            // gave: 1 and 2, config and dependency answered before; 4 and 8, both refused (NULL) after.
            awaitLog("late services after destroy: 15");
            assertEquals(PluginState.STOPPED, late.state(), () -> late.failure().orElse(""));
            assertTrue(logText().contains("called the host's config after its destroy (from a thread it did not "
                    + "join); refused, and said once"), logText());
            assertFalse(logText().contains("a message after destroy"), "a log after destroy is dropped");
        }
    }

    @Test
    void aPluginInAJarRunsOutOfProcessFromTheJarsCheckedBytes(@TempDir Path dir) throws Exception {
        Path jar = PluginRuntimeTest.greeterJar(dir);
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, null);
             PluginHost host = builder(dir.resolve("plugins"), "base").bundle("greeter-plugin", loader)
                     .config("com.example.greeter.c", "greeting", "Hi")
                     .isolate("com.example.greeter.c", Isolation.process()).build()) {
            host.start();
            Plugin greeter = started(host, "com.example.greeter.c");
            assertEquals(java.util.Optional.of("greeter-plugin"), greeter.descriptor().bundle());
            PluginRuntimeTest.Greeter g = greeter.bind(PluginRuntimeTest.Greeter.class, PluginRuntimeTest.LOOKUP);
            assertEquals(5, g.add(2, 3));
            assertEquals("Hi, Ann!", g.greet("Ann"));
            long pid = greeter.processId().orElseThrow();
            String maps = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/maps"));
            assertTrue(maps.lines().anyMatch(l -> l.contains("memfd:") && l.contains("libgreeter.so")),
                    "its process loaded the jar's bytes from a sealed memory file, checked against the bundle's hash");
            assertFalse(java.nio.file.Files.readString(Path.of("/proc/self/maps")).contains("libgreeter.so"),
                    "and nothing of it is mapped in the JVM");
        }
    }

    /** Waits until a logged line contains {@code text} (the test's timeout bounds it). */
    private void awaitLog(String text) throws InterruptedException {
        synchronized (log) {
            while (log.stream().noneMatch(l -> l.contains(text))) {
                log.wait();
            }
        }
    }

    private String logText() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    private PluginHost.Builder builder(Path dir, String... plugins) throws IOException {
        return PluginHost.builder().folder(PluginHostTest.folder(dir, plugins)).hostVersion("1.4.0")
                .config("com.example.hostile", "greeting", "Hi").logger(this::logged);
    }

    private static Plugin started(PluginHost host, String id) {
        Plugin p = host.plugin(id).orElseThrow();
        assertEquals(PluginState.STARTED, p.state(), () -> p.failure().orElse(""));
        return p;
    }

    @Test
    void anIsolatedPluginIsCalledThroughTheSameInterfaceInAProcessOfItsOwn(@TempDir Path dir) throws Exception {
        PluginHost host = builder(dir, "hostile").isolate("com.example.hostile", Isolation.process()).build();
        host.start();
        Plugin p = started(host, "com.example.hostile");
        assertEquals(Isolation.process(), p.isolation());
        Hostile h = p.bind(Hostile.class);
        assertEquals(5, h.add(2, 3));
        assertEquals("Hi, Ann!", h.greet("Ann"), "its config came through the host services, in its process");
        assertEquals("HI, ANN!", h.shout("Ann"), "a default method runs in Java");
        assertEquals(3.0, h.scale(1.5, 2f));
        h.noop();
        Newer n = p.bind(Newer.class);
        assertEquals(5, n.add(2, 3), "a default method stands for the plugin's function where the table has it");
        assertEquals(1, n.subtract(3, 2), "and keeps its body where the table lacks it");
        UnsupportedOperationException absent = assertThrows(UnsupportedOperationException.class, () -> n.multiply(2, 3));
        assertTrue(absent.getMessage().contains("which has no multiply"), absent.getMessage());
        long pid = h.pid();
        assertNotEquals(ProcessHandle.current().pid(), pid, "it runs in a process of its own");
        assertTrue(ProcessHandle.of(pid).isPresent());
        awaitLog("com.example.hostile INFO init in its own process");
        h.print("a stray printf");
        awaitLog("com.example.hostile INFO a stray printf");
        host.stop();
        assertEquals(PluginState.STOPPED, p.state());
        assertTrue(ProcessHandle.of(pid).isEmpty(), "stop ended and reaped its process");
        assertThrows(IllegalStateException.class, () -> h.add(1, 2), "a stopped plugin's interface throws");
    }

    @Test
    void callsFromManyThreadsRunAtOnce(@TempDir Path dir) throws Exception {
        PluginHost host = builder(dir, "hostile").defaultIsolation(Isolation.process()).build();
        host.start();
        Hostile h = started(host, "com.example.hostile").bind(Hostile.class);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> sums = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = t * 1000;
                sums.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int i = 0; i < 2000; i++) {
                        wrong += h.add(base, i) == base + i ? 0 : 1;
                    }
                    return wrong;
                }));
            }
            for (Future<Integer> f : sums) {
                assertEquals(0, f.get());
            }
        } finally {
            pool.shutdown();
            host.close();
        }
    }

    @Test
    void aPointerCannotCrossAndIsRefusedAtBind(@TempDir Path dir) throws Exception {
        PluginHost host = builder(dir, "hostile").isolate("com.example.hostile", Isolation.process()).build();
        host.start();
        try {
            BindingException e = assertThrows(BindingException.class,
                    () -> started(host, "com.example.hostile").bind(WithAddress.class));
            assertTrue(e.getMessage().contains("address") && e.getMessage().contains("run the plugin in process"),
                    e.getMessage());
        } finally {
            host.close();
        }
    }

    /** One fault: the call that meets it throws, the plugin is CRASHED, the JVM and the host go on. */
    private void faultEndsOnlyItsProcess(Path dir, Consumer<Hostile> fault, LibraryCrashedException.Reason reason,
                                         int signalOrStatus, Duration deadline) throws Exception {
        PluginHost host = builder(dir, "hostile", "base").isolate("com.example.hostile", Isolation.process())
                .callDeadline(deadline).build();
        host.start();
        try {
            Plugin p = started(host, "com.example.hostile");
            Hostile h = p.bind(Hostile.class);
            long pid = h.pid();
            PluginCrashedException e = assertThrows(PluginCrashedException.class, () -> fault.accept(h));
            assertEquals("com.example.hostile", e.pluginId());
            assertEquals(reason, e.reason(), e.getMessage());
            if (reason == LibraryCrashedException.Reason.SIGNAL) {
                assertEquals(signalOrStatus, e.signal().orElseThrow(), e.getMessage());
            } else if (reason == LibraryCrashedException.Reason.EXIT) {
                assertEquals(signalOrStatus, e.exitStatus().orElseThrow(), e.getMessage());
            }
            assertEquals(PluginState.CRASHED, p.state());
            assertTrue(p.failure().orElseThrow().length() > 0);
            assertTrue(ProcessHandle.of(pid).isEmpty(), "its process was reaped");
            PluginCrashedException again = assertThrows(PluginCrashedException.class, () -> h.add(1, 2));
            assertTrue(again.getMessage().contains("was not called"), again.getMessage());
            assertEquals(PluginState.STARTED, started(host, "com.example.base").state(), "the in-process plugin runs on");
            awaitLog("com.example.hostile ERROR its process (plugin com.example.hostile) ended");
            host.stop();
            assertEquals(PluginState.STOPPED, p.state());
        } finally {
            host.close();
        }
    }

    @Test
    void aSegfaultEndsOnlyThePluginsProcess(@TempDir Path dir) throws Exception {
        faultEndsOnlyItsProcess(dir, Hostile::crash, LibraryCrashedException.Reason.SIGNAL, 11, Duration.ofSeconds(30));
    }

    @Test
    void anAbortEndsOnlyThePluginsProcess(@TempDir Path dir) throws Exception {
        faultEndsOnlyItsProcess(dir, Hostile::abortNow, LibraryCrashedException.Reason.SIGNAL, 6, Duration.ofSeconds(30));
    }

    @Test
    void anExitEndsOnlyThePluginsProcess(@TempDir Path dir) throws Exception {
        faultEndsOnlyItsProcess(dir, h -> h.exitNow(0), LibraryCrashedException.Reason.EXIT, 0, Duration.ofSeconds(30));
    }

    @Test
    void aStackOverflowEndsOnlyThePluginsProcess(@TempDir Path dir) throws Exception {
        faultEndsOnlyItsProcess(dir, h -> h.overflow(0), LibraryCrashedException.Reason.SIGNAL, 11,
                Duration.ofSeconds(30));
    }

    @Test
    void anEndlessLoopIsEndedAtTheDeadline(@TempDir Path dir) throws Exception {
        faultEndsOnlyItsProcess(dir, Hostile::spin, LibraryCrashedException.Reason.DEADLINE, 0, Duration.ofMillis(300));
    }

    @Test
    void initThatCrashesExitsOrHangsFailsThatPluginOnly(@TempDir Path dir) throws Exception {
        PluginHost host = builder(dir, "crash-init", "exit-init", "hang-init", "hostile")
                .defaultIsolation(Isolation.process()).callDeadline(Duration.ofMillis(500)).build();
        host.start();
        try {
            assertFailed(host, "com.example.crashinit", "signal 11");
            assertFailed(host, "com.example.exitinit", "exit status 42");
            assertFailed(host, "com.example.hanginit", "deadline");
            assertEquals(5, started(host, "com.example.hostile").bind(Hostile.class).add(2, 3));
        } finally {
            host.close();
        }
    }

    private static void assertFailed(PluginHost host, String id, String cause) {
        Plugin p = host.plugin(id).orElseThrow();
        assertEquals(PluginState.FAILED, p.state());
        assertTrue(p.failure().orElseThrow().contains(cause), p.failure().orElseThrow());
    }

    @Test
    void aGroupSharesOneProcessAndItsDependencies(@TempDir Path dir) throws Exception {
        PluginHost host = builder(dir, "greeter", "base", "hostile")
                .isolate("com.example.greeter.c", Isolation.group("g")).isolate("com.example.base", Isolation.group("g"))
                .isolate("com.example.hostile", Isolation.group("g")).build();
        host.start();
        try {
            Plugin greeter = started(host, "com.example.greeter.c");
            Plugin base = started(host, "com.example.base");
            Greeter g = greeter.bind(Greeter.class);
            assertEquals(84, g.baseNow(), "the greeter reached the base's table through dependency, in their process");
            Hostile h = started(host, "com.example.hostile").bind(Hostile.class);
            assertThrows(PluginCrashedException.class, h::crash);
            assertEquals(PluginState.CRASHED, greeter.state(), "one crash ends every plugin of the group");
            assertEquals(PluginState.CRASHED, base.state());
            assertThrows(PluginCrashedException.class, () -> g.add(1, 2));
        } finally {
            host.close();
        }
        for (Plugin p : host.plugins()) {
            assertEquals(PluginState.STOPPED, p.state(), p.id());
        }
    }

    @Test
    void aDependencyInTheJvmOrAnotherProcessIsReachedThroughTheHost(@TempDir Path dir) throws Exception {
        // The greeter's start takes the base's table through dlp_host.dependency; its base_now calls it.
        for (Isolation base : List.of(Isolation.inProcess(), Isolation.process())) {
            Path folder = dir.resolve(base.isolated() ? "isolated" : "inProcess");
            PluginHost host = builder(folder, "greeter", "base").isolate("com.example.greeter.c", Isolation.process())
                    .isolate("com.example.base", base).build();
            host.start();
            try {
                Greeter g = started(host, "com.example.greeter.c").bind(Greeter.class);
                assertEquals(84, g.baseNow(), "the base's function, called from the greeter's process through the "
                        + "host, with the base " + base);
                assertEquals(5, g.add(2, 3));
                assertTrue(logText().contains("its tables are reached through the host"), logText());
            } finally {
                host.close();
            }
        }
        // The other way: the greeter in the JVM, the base in a process of its own, reached through upcalls.
        PluginHost host = builder(dir.resolve("upcalls"), "greeter", "base").isolate("com.example.base",
                Isolation.process()).build();
        host.start();
        try {
            Greeter g = started(host, "com.example.greeter.c").bind(Greeter.class,
                    java.lang.invoke.MethodHandles.lookup());
            assertEquals(84, g.baseNow(), "the greeter in the JVM called the isolated base through an upcall");
            assertTrue(logText().contains("reached through upcalls to the host"), logText());
        } finally {
            host.close();
        }
    }

    /** relay.c's relay: each function calls the echoer, its dependency. */
    @PluginInterface(id = "com.example.relay", major = 1, minor = 0)
    public interface Relay {
        String relay(String text);

        @dev.dynload.bind.Symbol("relay_length")
        int relayLength(String text);

        @dev.dynload.bind.Symbol("relay_half")
        double relayHalf(double v);

        @dev.dynload.bind.Symbol("relay_twice")
        String relayTwice(String text);
    }

    @Test
    void stringsCrossToADependencyInTheJvmOrAnotherProcessAndBack(@TempDir Path dir) throws Exception {
        String long300 = "x".repeat(300);
        record Placement(String name, Isolation relay, Isolation echoer) {
        }
        for (Placement p : List.of(new Placement("echoer in the JVM", Isolation.process(), Isolation.inProcess()),
                new Placement("echoer in another process", Isolation.process(), Isolation.process()),
                new Placement("relay in the JVM", Isolation.inProcess(), Isolation.process()))) {
            try (PluginHost host = builder(dir.resolve(p.name().replace(' ', '-')), "relay", "echoer")
                    .isolate("com.example.relay", p.relay()).isolate("com.example.echoer", p.echoer()).build()) {
                host.start();
                Plugin relay = started(host, "com.example.relay");
                Relay r = p.relay().isolated() ? relay.bind(Relay.class)
                        : relay.bind(Relay.class, java.lang.invoke.MethodHandles.lookup());
                assertEquals("relayed echo: hi", r.relay("hi"), p.name());
                assertEquals("relayed echo: " + long300, r.relay(long300), p.name());
                assertEquals("relayed NULL", r.relay(null), "NULL there, NULL back: " + p.name());
                assertEquals(103, r.relayLength("abc"), "a str beside an i32: " + p.name());
                assertEquals(-1, r.relayLength(null), p.name());
                assertEquals(2.5, r.relayHalf(5.0), p.name());
                assertEquals("echo: echo: " + long300, r.relayTwice(long300), "a str result passed straight back: "
                        + p.name());
                for (int i = 0; i < 200; i++) { // the result's room in the slot is reused call after call
                    assertEquals("relayed echo: " + i, r.relay(Integer.toString(i)), p.name());
                }
            }
        }
        assertFalse(logText().contains("returned 0") || logText().contains("returned NULL"), logText());
    }

    @Test
    void aSandboxedPluginRunsConfinedAndItsCpuLimitEndsAnEndlessLoop(@TempDir Path dir) throws Exception {
        Isolation confined = Isolation.process().sandboxed(dev.dynload.Sandbox.confined()
                .cpuTime(Duration.ofSeconds(1)));
        PluginHost host = builder(dir, "hostile").isolate("com.example.hostile", confined)
                .callDeadline(Duration.ofMinutes(1)).build();
        host.start();
        try {
            Plugin p = started(host, "com.example.hostile");
            assertEquals(confined, p.isolation());
            assertTrue(p.isolation().toString().contains("sandbox: CPU 1 s, no network, no exec, no writes"),
                    p.isolation().toString());
            Hostile h = p.bind(Hostile.class);
            assertEquals(5, h.add(2, 3));
            PluginCrashedException e = assertThrows(PluginCrashedException.class, h::spin);
            assertEquals(24, e.signal().orElseThrow(), "SIGXCPU: its CPU time ran out before the deadline");
        } finally {
            host.close();
        }
    }

    @Test
    void aGroupWhosePluginsAskForDifferentSandboxesRefusesTheOdd(@TempDir Path dir) throws Exception {
        PluginHost host = builder(dir, "hostile", "base").isolate("com.example.base", Isolation.group("g"))
                .isolate("com.example.hostile", Isolation.group("g").sandboxed(dev.dynload.Sandbox.confined())).build();
        host.start();
        try {
            started(host, "com.example.base");
            assertFailed(host, "com.example.hostile", "share one sandbox");
        } finally {
            host.close();
        }
        assertThrows(IllegalStateException.class, () -> Isolation.inProcess().sandboxed(dev.dynload.Sandbox.confined()));
    }

    @Test
    void aRestartAtOnceStartsItAgainWithoutACallWaitingLongerAfterEachCrash(@TempDir Path dir) throws Exception {
        RestartPolicy policy = RestartPolicy.atOnce(3, Duration.ofHours(1), Duration.ofMillis(20));
        try (PluginHost host = builder(dir, "hostile").isolate("com.example.hostile", Isolation.process())
                .restart(policy).build()) {
            host.start();
            Plugin p = started(host, "com.example.hostile");
            Hostile h = p.bind(Hostile.class);
            for (int crash = 1; crash <= 2; crash++) {
                long before = h.pid();
                assertThrows(PluginCrashedException.class, h::crash);
                awaitLogs("started again in a new process", crash); // no call made it: the host did, at once
                assertEquals(PluginState.STARTED, p.state());
                assertNotEquals(before, h.pid());
            }
            assertTrue(logText().contains("start again in 20 ms") && logText().contains("start again in 40 ms"),
                    "the back-off doubled: " + logText());
        }
        RestartPolicy capped = RestartPolicy.atOnce(5, Duration.ofSeconds(1), Duration.ofMillis(100));
        assertEquals(List.of(100L, 200L, 400L, 800L, 1000L), java.util.stream.IntStream.rangeClosed(1, 5)
                .mapToObj(n -> capped.delayAfter(n).toMillis()).toList(), "doubling, at most the window");
        assertEquals(Duration.ZERO, RestartPolicy.atMost(1, Duration.ofSeconds(1)).delayAfter(3));
    }

    /** Waits until {@code times} logged lines contain {@code text} (the test's timeout bounds it). */
    private void awaitLogs(String text, int times) throws InterruptedException {
        synchronized (log) {
            while (log.stream().filter(l -> l.contains(text)).count() < times) {
                log.wait();
            }
        }
    }

    @Test
    void theRestartPolicyStartsItAgainThenQuarantinesIt(@TempDir Path dir) throws Exception {
        Path quarantine = dir.resolve("quarantine.tsv");
        PluginHost host = builder(dir.resolve("plugins"), "hostile").isolate("com.example.hostile", Isolation.process())
                .restart(RestartPolicy.atMost(2, Duration.ofHours(1))).quarantine(quarantine).build();
        host.start();
        Plugin p = started(host, "com.example.hostile");
        Hostile h = p.bind(Hostile.class);
        try {
            assertEquals(1, h.count());
            assertEquals(2, h.count());
            long first = h.pid();
            for (int restart = 1; restart <= 2; restart++) {
                assertThrows(PluginCrashedException.class, h::crash);
                assertEquals(PluginState.CRASHED, p.state());
                assertEquals(1, h.count(), "started again in a new process, with fresh state");
                assertEquals(PluginState.STARTED, p.state());
                assertNotEquals(first, h.pid());
            }
            assertThrows(PluginCrashedException.class, h::crash);
            PluginCrashedException e = assertThrows(PluginCrashedException.class, h::count, "a third crash: no restart");
            assertTrue(e.getMessage().contains("quarantined"), e.getMessage());
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(dir.resolve("plugins/libhostile.so"))));
            assertEquals(List.of(sha), host.quarantined().stream().map(QuarantinedPlugin::sha256).toList());
            assertTrue(Files.readString(quarantine).contains(sha));
        } finally {
            host.close();
        }
        PluginHost next = builder(dir.resolve("plugins"), new String[0]).isolate("com.example.hostile", Isolation.process())
                .quarantine(quarantine).build();
        next.start();
        try {
            assertFailed(next, "com.example.hostile", "quarantined");
        } finally {
            next.close();
        }
        PluginHost inProcess = builder(dir.resolve("plugins"), new String[0]).quarantine(quarantine).build();
        inProcess.start();
        try {
            assertFailed(inProcess, "com.example.hostile", "quarantined");
        } finally {
            inProcess.close();
        }
    }

    @Test
    void crashAndRestartCyclesAnswerEveryCallAndLeakNothing(@TempDir Path dir) throws Exception {
        PluginCrashCycles.Result r = PluginCrashCycles.run(PluginHostTest.folder(dir, "hostile"), 10, 4);
        assertTrue(r.clean(), r.toString());
        assertTrue(r.answeredByCrash() >= 10, r.toString());
    }

    /** Starts an isolated plugin from FOLDER in a child JVM, prints its process's id, and waits to be killed. */
    public static final class StartsAndWaits {
        public static void main(String[] args) throws IOException {
            PluginHost host = PluginHost.builder().folder(Path.of(args[0])).defaultIsolation(Isolation.process())
                    .logger((id, level, message) -> { }).build();
            host.start();
            System.out.println(host.plugin("com.example.hostile").orElseThrow().processId().orElseThrow());
            System.out.flush();
            System.in.read(); // until killed
        }
    }

    @Test
    void thePluginsProcessDiesWithItsJvmWhateverKillsIt(@TempDir Path dir) throws Exception {
        Path folder = PluginHostTest.folder(dir, "hostile");
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = Path.of(dev.dynload.Library.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + java.io.File.pathSeparator + Path.of(PluginHost.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()) + java.io.File.pathSeparator + Path.of(StartsAndWaits.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        Process jvm = new ProcessBuilder(launcher, "--enable-native-access=ALL-UNNAMED", "-XX:-CreateCoredumpOnCrash", "-cp",
                classPath, StartsAndWaits.class.getName(), folder.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long runner;
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertTrue(line != null && line.matches("\\d+"), "the child printed " + line);
            runner = Long.parseLong(line);
            ProcessHandle handle = ProcessHandle.of(runner).orElseThrow();
            assertEquals(jvm.pid(), handle.parent().map(ProcessHandle::pid).orElse(-1L), "the runner is the JVM's child");
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            jvm.waitFor();
            handle.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS); // bounded so that a regression fails
        }
        assertTrue(ProcessHandle.of(runner).map(h -> !h.isAlive()).orElse(true), "runner " + runner + " outlived its JVM");
    }

    @Test
    void aPluginThatForksDoesNotHoldTheHostsClose(@TempDir Path dir) throws Exception {
        PluginHost host = builder(dir, "hostile").isolate("com.example.hostile", Isolation.process()).build();
        host.start();
        long grandchild;
        try {
            Hostile h = started(host, "com.example.hostile").bind(Hostile.class);
            grandchild = h.forkSleeper();
            assertTrue(grandchild > 0);
            assertEquals(5, h.add(2, 3), "the plugin goes on after its fork");
        } finally {
            host.close(); // the forked process keeps the runner's stdout open: close must not wait for it
        }
        assertFalse(ProcessHandle.current().children().anyMatch(p -> p.isAlive() && p.info().command().orElse("")
                .contains("dynload-runner")), "no runner left");
        ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly); // not the host's: the test's cleanup
    }

    @Test
    void aQuarantineFileThatIsAFifoIsRefusedWithoutBlocking(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("quarantine.tsv");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> PluginHost.builder().quarantine(fifo).build());
        assertTrue(e.getMessage().contains(fifo.toString()) && e.getMessage().contains("not a regular file"),
                e.getMessage());
    }

    @Test
    void anEmptyConfigurationValueCrossesAsAnEmptyString(@TempDir Path dir) throws Exception {
        PluginHost host = builder(dir, "hostile").config("com.example.hostile", "greeting", "")
                .config("com.example.hostile", "other", "x").isolate("com.example.hostile", Isolation.process()).build();
        host.start();
        try {
            assertEquals(", Ann!", started(host, "com.example.hostile").bind(Hostile.class).greet("Ann"));
        } finally {
            host.close();
        }
    }
}
