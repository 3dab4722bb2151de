package dev.dynload.plugin;

import dev.dynload.BindingException;
import dev.dynload.bind.Symbol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host loading, negotiating, starting, binding and stopping real plugins built from src/test/c/plugin.c. */
class PluginRuntimeTest {

    @PluginInterface(id = "com.example.greeter", major = 1, minor = 2)
    interface Greeter {
        String greet(String who);

        int add(int a, int b);

        @Symbol("base_now")
        default long baseNow() {
            return -7;
        }
    }

    @PluginInterface(id = "com.example.greeter", major = 1, minor = 2)
    interface StrictGreeter {
        String greet(String who);

        @Symbol("base_now")
        long baseNow();
    }

    @PluginInterface(id = "com.example.greeter", major = 1, minor = 1)
    interface OldGreeter {
        String greet(String who);

        int add(int a, int b);
    }

    /** The tests' interfaces are package-private, in a package not opened to dynload: bind with their lookup. */
    static final java.lang.invoke.MethodHandles.Lookup LOOKUP = java.lang.invoke.MethodHandles.lookup();

    /** Everything logged, as "id LEVEL message". */
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    PluginHost host(Path dir, String... plugins) throws IOException {
        return host(dir, log, plugins);
    }

    /** A host of copies of the named test plugins, logging into {@code log} as "id LEVEL message". */
    static PluginHost host(Path dir, List<String> log, String... plugins) throws IOException {
        return PluginHost.builder().folder(PluginHostTest.folder(dir, plugins)).hostVersion("1.4.0")
                .config("com.example.greeter.c", "greeting", "Hi")
                .logger((id, level, message) -> log.add(id + " " + level + " " + message)).build();
    }

    @Test
    void pluginsStartInDependencyOrderAndAreCalledThroughTheirTables(@TempDir Path dir) throws IOException {
        PluginHost host = host(dir, "greeter", "base");
        List<Plugin> plugins = host.start();
        assertEquals(List.of("com.example.base", "com.example.greeter.c"), plugins.stream().map(Plugin::id).toList());
        assertEquals(List.of(PluginState.STARTED, PluginState.STARTED), plugins.stream().map(Plugin::state).toList());
        Greeter g = host.plugin("com.example.greeter.c").orElseThrow().bind(Greeter.class, LOOKUP);
        assertEquals("Hi, Ann!", g.greet("Ann"), "the plugin read its configuration through the host services");
        assertEquals(5, g.add(2, 3));
        assertEquals(84, g.baseNow(), "the greeter called its dependency's table, got through dlp_host.dependency");
        assertTrue(log.contains("com.example.greeter.c INFO init"), log.toString());
        host.stop();
        assertEquals(List.of(PluginState.STOPPED, PluginState.STOPPED),
                host.plugins().stream().map(Plugin::state).toList());
        assertThrows(IllegalStateException.class, () -> g.add(1, 2), "a stopped plugin's interface throws");
        assertThrows(IllegalStateException.class,
                () -> host.plugin("com.example.greeter.c").orElseThrow().bind(Greeter.class, LOOKUP),
                "a stopped plugin binds nothing");
    }

    @Test
    void anOlderPluginServesANewerHostAndTheReverse(@TempDir Path dir) throws IOException {
        PluginHost host = host(dir, "greeter-old", "greeter", "base");
        host.start();
        Plugin old = host.plugin("com.example.greeter.old").orElseThrow();
        Greeter g = old.bind(Greeter.class, LOOKUP);
        assertEquals("Hello, Bo!", g.greet("Bo"));
        assertEquals(-7, g.baseNow(), "a function the 1.1 table lacks falls back to the default method");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> old.bind(StrictGreeter.class, LOOKUP).baseNow());
        assertEquals("plugin com.example.greeter.old implements com.example.greeter/1.1, which has no base_now; the "
                + "host's StrictGreeter is com.example.greeter/1.2", e.getMessage());
        OldGreeter newer = host.plugin("com.example.greeter.c").orElseThrow().bind(OldGreeter.class, LOOKUP);
        assertEquals(7, newer.add(3, 4), "a 1.2 plugin serves a host that knows 1.1");
        host.stop();
    }

    @Test
    void aSignatureThatDiffersFromTheManifestIsRefusedNamingBoth(@TempDir Path dir) throws IOException {
        PluginHost host = host(dir, "mismatch", "base", "no-table");
        host.start();
        BindingException e = assertThrows(BindingException.class,
                () -> host.plugin("com.example.mismatch").orElseThrow().bind(Greeter.class, LOOKUP));
        assertTrue(e.getMessage().contains("Greeter.add(int, int) does not match add = i64(i64, i64) of plugin "
                + "com.example.mismatch: its result, an int, is i32 or u32 to dynload, where the manifest has i64; for "
                + "i64, give a long"), e.getMessage());
        BindingException missing = assertThrows(BindingException.class,
                () -> host.plugin("com.example.base").orElseThrow().bind(Greeter.class, LOOKUP));
        assertTrue(missing.getMessage().contains("does not provide com.example.greeter/1"), missing.getMessage());
        BindingException noTable = assertThrows(BindingException.class,
                () -> host.plugin("com.example.notable").orElseThrow().bind(Greeter.class, LOOKUP));
        assertTrue(noTable.getMessage().contains("get_interface gave NULL"), noTable.getMessage());
        host.stop();
    }

    @Test
    void negotiationRefusedFromEitherSideFailsThatPluginOnly(@TempDir Path dir) throws IOException {
        PluginHost host = host(dir, "refuses", "bad-answer", "abi2", "base");
        host.start();
        assertFailure(host, "com.example.refuses", "refused the host (ABI 1..1, status 1): this plugin needs host "
                + "services that this host lacks");
        assertFailure(host, "com.example.badanswer", "answered ABI 2, outside the host's 1..1");
        assertFailure(host, "com.example.future", "speaks plugin ABI 2..3");
        assertEquals(PluginState.STARTED, host.plugin("com.example.base").orElseThrow().state());
        host.stop();
    }

    @Test
    void aPluginThatFailsInInitOrStartIsFailedAndItsDependentsDoNotStart(@TempDir Path dir) throws IOException {
        PluginHost host = host(dir, "init-fails", "start-fails", "needs-failing", "base");
        host.start();
        assertFailure(host, "com.example.initfails", "init failed with status 3: no database configured");
        assertFailure(host, "com.example.startfails", "start failed with status 5");
        assertFailure(host, "com.example.needsfailing", "requires com.example.initfails, which did not start: init failed");
        assertEquals(PluginState.STARTED, host.plugin("com.example.base").orElseThrow().state());
        host.stop();
    }

    private static void assertFailure(PluginHost host, String id, String part) {
        Plugin p = host.plugin(id).orElseThrow();
        assertEquals(PluginState.FAILED, p.state(), p.toString());
        assertTrue(p.failure().orElseThrow().contains(part), p.failure().orElseThrow());
    }

    @Test
    void callsFromManyThreadsEndCleanlyWhenAnotherThreadStopsThePlugin(@TempDir Path dir) throws Exception {
        PluginHost host = host(dir, "greeter", "base");
        host.start();
        Greeter g = host.plugin("com.example.greeter.c").orElseThrow().bind(Greeter.class, LOOKUP);
        AtomicInteger calls = new AtomicInteger();
        List<Throwable> ends = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Runnable caller = () -> {
                try {
                    while (true) {
                        assertEquals(5, g.add(2, 3));
                        calls.incrementAndGet();
                    }
                } catch (Throwable e) {
                    ends.add(e);
                }
            };
            threads.add(t % 2 == 0 ? Thread.ofPlatform().start(caller) : Thread.ofVirtual().start(caller));
        }
        while (calls.get() < 8_000) {
            Thread.onSpinWait(); // the callers are running
        }
        host.stop();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(8, ends.size());
        for (Throwable e : ends) {
            assertTrue(e instanceof IllegalStateException, e.toString());
        }
        assertTrue(log.stream().noneMatch(l -> l.contains("stopped while")),
                "the plugin's stop saw no call still running: " + log);
    }

    @PluginInterface(id = "com.example.greeter", major = 1, minor = 2)
    interface CriticalGreeter {
        @dev.dynload.bind.Critical
        int add(int a, int b);
    }

    @Test
    void annotationsThatCannotHoldForAPluginFunctionAreRefused(@TempDir Path dir) throws IOException {
        PluginHost host = host(dir, "greeter", "base");
        host.start();
        BindingException e = assertThrows(BindingException.class,
                () -> host.plugin("com.example.greeter.c").orElseThrow().bind(CriticalGreeter.class, LOOKUP));
        assertTrue(e.getMessage().contains("@Critical does not apply to a plugin function"), e.getMessage());
        host.stop();
    }

    /** Declares its functions: add as the manifest has it, i32, but the Java method returns a long. */
    @PluginInterface(id = "com.example.greeter", major = 1, minor = 2,
            functions = "greet = str(str); add = i32(i32, i32)")
    interface DeclaredGreeter {
        String greet(String who);

        long add(int a, int b);
    }

    /** The same declaration, kept by Java types that agree with it. */
    @PluginInterface(id = "com.example.greeter", major = 1, minor = 2,
            functions = "greet = str(str); add = i32(i32, i32)")
    interface AgreeingGreeter {
        String greet(String who);

        int add(int a, int b);
    }

    @Test
    void javaTypesThatDisagreeWithTheDeclaredFunctionsAreRefusedInTheProcessorsWords(@TempDir Path dir)
            throws IOException {
        PluginHost host = host(dir, "greeter", "base");
        host.start();
        Plugin greeter = host.plugin("com.example.greeter.c").orElseThrow();
        BindingException e = assertThrows(BindingException.class, () -> greeter.bind(DeclaredGreeter.class, LOOKUP));
        assertTrue(e.problems().contains("DeclaredGreeter.add(int, int) does not match add = i32(i32, i32) as its "
                + "@PluginInterface declares it: its result, a long, is i64 or u64 to dynload, where the manifest has "
                + "i32; for i32, give an int"), e.problems().toString());
        assertEquals(5, greeter.bind(AgreeingGreeter.class, LOOKUP).add(2, 3));
        host.stop();
    }

    /** A started host whose logger called {@code stop()} when a message matched, and what that stop threw. */
    record StopFromLogger(PluginHost host, List<Throwable> thrown) {
    }

    static StopFromLogger stopFromTheLogger(Path dir, java.util.function.BiPredicate<String, String> when,
                                            String... plugins) throws IOException {
        List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
        PluginHost[] self = new PluginHost[1];
        PluginHost host = PluginHost.builder().folder(PluginHostTest.folder(dir, plugins))
                .logger((id, level, message) -> {
                    if (when.test(id, message)) {
                        try {
                            self[0].stop();
                        } catch (Throwable t) {
                            thrown.add(t);
                        }
                    }
                }).build();
        self[0] = host;
        host.start();
        return new StopFromLogger(host, thrown);
    }

    @Test
    void stopFromCodeAPluginCalledIsRefusedInsteadOfWaitingForItself(@TempDir Path dir) throws IOException {
        // From the plugin's own call to dlp_host.log, in its init.
        StopFromLogger s = stopFromTheLogger(dir, (id, message) -> id.equals("com.example.greeter.c")
                && message.equals("init"), "greeter", "base");
        assertEquals(1, s.thrown().size(), s.thrown().toString());
        assertTrue(s.thrown().getFirst() instanceof IllegalStateException
                && s.thrown().getFirst().getMessage().contains("would wait for that plugin's own call"), s.thrown().toString());
        assertEquals(PluginState.STARTED, s.host().plugin("com.example.greeter.c").orElseThrow().state());
        s.host().stop();
    }

    /** A jar holding the C greeter plugin as the bundle {@code greeter-plugin}, built as a user's build would. */
    static Path greeterJar(Path dir) throws IOException {
        Path classes = dir.resolve("classes");
        dev.dynload.Bundle.build("greeter-plugin", classes, List.of(PluginHostTest.PLUGINS.resolve("libgreeter.so").toString()));
        Path jar = dir.resolve("greeter-plugin.jar");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar));
             var files = java.nio.file.Files.walk(classes)) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(java.nio.file.Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void aPluginInAJarIsDiscoveredAndStartedFromTheJar(@TempDir Path dir) throws Exception {
        Path jar = greeterJar(dir);
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, null)) {
            PluginHost host = PluginHost.builder().folder(PluginHostTest.folder(dir.resolve("plugins"), "base"))
                    .bundle("greeter-plugin", loader).logger((id, level, message) -> log.add(id + " " + level + " " + message))
                    .build();
            Discovery found = host.discover();
            assertEquals(List.of("com.example.base", "com.example.greeter.c"),
                    found.plugins().stream().map(PluginDescriptor::id).toList());
            assertEquals(java.util.Optional.of("greeter-plugin"), found.plugins().get(1).bundle());
            host.start();
            Plugin greeter = host.plugin("com.example.greeter.c").orElseThrow();
            assertEquals(PluginState.STARTED, greeter.state(), greeter.toString());
            assertEquals(5, greeter.bind(Greeter.class, LOOKUP).add(2, 3));
            String maps = java.nio.file.Files.readString(Path.of("/proc/self/maps"));
            assertTrue(maps.lines().anyMatch(l -> l.contains("memfd:") && l.contains("libgreeter.so")),
                    "loaded from the jar's bytes, in a sealed memory file");
            host.stop();
        }
        PluginException missing = assertThrows(PluginException.class,
                () -> PluginDescriptor.readBundled("no-such-bundle", ClassLoader.getSystemClassLoader()));
        assertTrue(missing.getMessage().contains("bundle no-such-bundle"), missing.getMessage());
    }

    /**
     * A plugin in a jar is pinned by its bundle's index; another build of the bundle (the same plugin id,
     * other bytes) is refused by name.
     */
    @Test
    void aPluginInAJarIsPinnedByItsBundlesIndex(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("plugins.lock");
        java.nio.file.Files.createDirectories(dir.resolve("plugins"));
        try (java.net.URLClassLoader loader = storeBundle(dir.resolve("first"), "libstore-v1.so")) {
            PluginHost host = PluginHost.builder().folder(dir.resolve("plugins")).bundle("store-plugin", loader).build();
            Lockfile pins = Lockfile.of(host.discover().plugins());
            pins.write(lock);
            assertEquals("bundle store-plugin", pins.entry("com.example.store").orElseThrow().file());
            PluginHost pinned = PluginHost.builder().folder(dir.resolve("plugins")).bundle("store-plugin", loader)
                    .lockfile(lock).logger((id, level, message) -> log.add(id + " " + level + " " + message)).build();
            pinned.start();
            assertEquals(PluginState.STARTED, pinned.plugin("com.example.store").orElseThrow().state(), log.toString());
            pinned.stop();
        }
        try (java.net.URLClassLoader loader = storeBundle(dir.resolve("second"), "libstore-v2.so")) {
            PluginHost pinned = PluginHost.builder().folder(dir.resolve("plugins")).bundle("store-plugin", loader)
                    .lockfile(lock).logger((id, level, message) -> log.add(id + " " + level + " " + message)).build();
            pinned.start();
            Plugin store = pinned.plugin("com.example.store").orElseThrow();
            assertEquals(PluginState.FAILED, store.state());
            assertTrue(store.failure().orElseThrow().contains("not the bytes reviewed"), store.failure().orElseThrow());
            pinned.stop();
        }
    }

    /** The reload tests' store plugin build {@code file} as the bundle store-plugin, in a folder of classes. */
    private static java.net.URLClassLoader storeBundle(Path dir, String file) throws IOException {
        Path classes = dir.resolve("classes");
        dev.dynload.Bundle.build("store-plugin", classes, List.of(PluginHostTest.PLUGINS.resolve(file).toString()));
        return new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, null);
    }

    @Test
    void aFileReplacedAfterItsManifestWasReadIsRefusedBeforeItsEntryPointRuns(@TempDir Path dir) throws Exception {
        Path folder = PluginHostTest.folder(dir.resolve("plugins"), "greeter");
        Path file = folder.resolve("libgreeter.so");
        PluginDescriptor read = PluginDescriptor.read(file);
        Path other = dir.resolve("other.so");
        java.nio.file.Files.copy(PluginHostTest.PLUGINS.resolve("libgreeter-old.so"), other);
        java.nio.file.Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        NativePlugin.Refused e = assertThrows(NativePlugin.Refused.class, () -> NativePlugin.load(read, "1.0.0"));
        assertTrue(e.getMessage().contains("carries another manifest than the one discovery read "
                + "(com.example.greeter.c 1.2.0)"), e.getMessage());
    }

    @Test
    void aHostServiceThatThrowsNeverReachesC(@TempDir Path dir) throws IOException {
        PluginHost host = PluginHost.builder().folder(PluginHostTest.folder(dir, "greeter", "base"))
                .logger((id, level, message) -> {
                    throw new IllegalStateException("the logger is broken");
                }).build();
        host.start();
        assertEquals(PluginState.STARTED, host.plugin("com.example.greeter.c").orElseThrow().state(),
                "init logged through a logger that threw, and went on");
        host.stop();
    }
}
