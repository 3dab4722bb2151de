package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.Hashes;
import dev.dynload.internal.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Libraries shipped inside real jars: found through class loaders and modules, checked, loaded from memory or a private cache. */
class BundleTest {

    private static final String PLATFORM = Platform.current();

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty("dynload.bundles");
        System.clearProperty("dynload.cache");
        System.clearProperty("dynload.bundle.fix");
    }

    /** A jar holding the two-library fixture (libdependent.so needs libdependency.so) as bundle "fix". */
    private Path jar(String name, Map<String, byte[]> files, String index) throws IOException {
        Path jar = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/dynload/fix/index"));
            out.write(index.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                out.putNextEntry(new JarEntry("META-INF/dynload/fix/" + PLATFORM + "/" + f.getKey()));
                out.write(f.getValue());
            }
        }
        return jar;
    }

    private Map<String, byte[]> fixtureFiles() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("libdependency.so", Files.readAllBytes(Fixtures.DEPENDENCY));
        files.put("libdependent.so", Files.readAllBytes(Fixtures.DEPENDENT));
        return files;
    }

    private static String indexOf(Map<String, byte[]> files) {
        List<BundleIndex.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            entries.add(new BundleIndex.Entry(PLATFORM, Hashes.sha256(f.getValue()), f.getKey()));
        }
        return BundleIndex.write(entries);
    }

    private Path fixtureJar() throws IOException {
        Map<String, byte[]> files = fixtureFiles();
        return jar("fix.jar", files, indexOf(files));
    }

    private static int answer(Library lib) throws Throwable {
        MethodHandle h = lib.downcall("dependent_answer", FunctionDescriptor.of(JAVA_INT));
        return (int) h.invokeExact();
    }

    private static URLClassLoader loaderOf(Path jar) throws IOException {
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
    }

    @Test
    void aBundleLoadsFromSealedMemoryWithoutTouchingTheDisk() throws Throwable {
        Path jar = fixtureJar();
        Path cache = dir.resolve("cache");
        System.setProperty("dynload.cache", cache.toString());
        try (URLClassLoader loader = loaderOf(jar); Library lib = Library.openBundled("fix", loader)) {
            assertEquals(42, answer(lib));
            String maps = Files.readString(Path.of("/proc/self/maps"));
            assertTrue(maps.contains("/memfd:dynload:libdependent.so"), "not loaded from a memory file");
            assertTrue(lib.toString().contains("jar:file:") || lib.path().map(Path::toString).orElse("").contains("jar:file:"),
                    lib + " should say which jar it came from");
        }
        assertFalse(Files.exists(cache), "the memory path wrote into the cache");
    }

    /** Opens the bundle in {@code jar} through the cache folder {@code cache}, and calls it. */
    private static void openThroughCache(Path jar, Path cache) throws Throwable {
        System.setProperty("dynload.bundles", "cache");
        System.setProperty("dynload.cache", cache.toString());
        try (URLClassLoader loader = loaderOf(jar); Library lib = Library.openBundled("fix", loader)) {
            assertEquals(42, answer(lib));
        }
    }

    @Test
    void theCacheWritesPrivateFilesNamedByContentAndReusesThem() throws Throwable {
        Path jar = fixtureJar();
        Path cache = dir.resolve("cache");
        openThroughCache(jar, cache);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        List<Path> folders;
        try (var list = Files.list(cache)) {
            folders = list.toList();
        }
        assertEquals(1, folders.size(), folders.toString());
        Path cached = folders.getFirst().resolve("libdependent.so");
        assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cached)));
        assertEquals(Hashes.sha256(Files.readAllBytes(Fixtures.DEPENDENT)), Hashes.sha256(cached));
        long written = Files.getLastModifiedTime(cached).toMillis();
        openThroughCache(jar, cache);
        assertEquals(written, Files.getLastModifiedTime(cached).toMillis(), "a sound cached file was rewritten");
    }

    /** Opens the bundle in {@code jar} through {@code cache}, and returns the folder it was cached in. */
    private static Path cachedFolder(Path jar, Path cache) throws Throwable {
        openThroughCache(jar, cache);
        try (var list = Files.list(cache)) {
            return list.findFirst().orElseThrow();
        }
    }

    @Test
    void aTamperedOrPlantedCachedFileIsReplacedNeverWrittenThrough() throws Throwable {
        Path jar = fixtureJar();
        Path cache = dir.resolve("cache");
        Path folder = cachedFolder(jar, cache);
        // Tampered: the cached library's bytes changed.
        Path dependent = folder.resolve("libdependent.so");
        Files.setPosixFilePermissions(dependent, PosixFilePermissions.fromString("rw-------"));
        Files.write(dependent, "not a library any more".getBytes(StandardCharsets.UTF_8));
        // Planted: a symbolic link where the dependency goes, pointing at a file the link's owner wants written.
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path dependency = folder.resolve("libdependency.so");
        Files.delete(dependency);
        Files.createSymbolicLink(dependency, victim);
        openThroughCache(jar, cache);
        assertEquals("keep me", Files.readString(victim), "the cache wrote through a planted link");
        assertFalse(Files.isSymbolicLink(dependency));
        assertEquals(Hashes.sha256(Files.readAllBytes(Fixtures.DEPENDENT)), Hashes.sha256(dependent));
    }

    @Test
    void aCacheFolderOthersMayWriteOrAnotherUserOwnsIsRefused() throws Throwable {
        Path jar = fixtureJar();
        System.setProperty("dynload.bundles", "cache");
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        System.setProperty("dynload.cache", open.toString());
        try (URLClassLoader loader = loaderOf(jar)) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", loader));
            assertEquals(Reason.UNSAFE_CACHE, e.reason());
            assertTrue(e.getMessage().contains("others may write") && e.getMessage().contains(open.toString()), e.getMessage());
        }
        Path others = Files.createDirectory(dir.resolve("others"));
        Files.setPosixFilePermissions(others, PosixFilePermissions.fromString("rwx------"));
        Process chown = new ProcessBuilder("chown", "nobody", others.toString()).inheritIO().start();
        Assumptions.assumeTrue(chown.waitFor() == 0, "chown to nobody needs root; this run is not root");
        System.setProperty("dynload.cache", others.toString());
        try (URLClassLoader loader = loaderOf(jar)) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", loader));
            assertEquals(Reason.UNSAFE_CACHE, e.reason());
            assertTrue(e.getMessage().contains("owned by nobody"), e.getMessage());
        }
    }

    /** Mounts a tmpfs with {@code options} in the test's folder, or skips the test, saying why. */
    private Path tmpfs(String name, String options) throws IOException, InterruptedException {
        Path mount = Files.createDirectory(dir.resolve(name));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String why = new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        Assumptions.assumeTrue(m.waitFor() == 0, "cannot mount a tmpfs (" + options + ") here: " + why);
        mounts.add(mount);
        return mount;
    }

    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        for (Path mount : mounts) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    /** The failure of opening the fixture's bundle through a cache folder at {@code cache}. */
    private LibraryLoadException cacheFailure(Path cache) throws IOException {
        System.setProperty("dynload.bundles", "cache");
        System.setProperty("dynload.cache", cache.toString());
        try (URLClassLoader loader = loaderOf(fixtureJar())) {
            return assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", loader));
        }
    }

    @Test
    void aNoexecCacheFolderIsNamedWithThePropertyToSet() throws Throwable {
        LibraryLoadException e = cacheFailure(tmpfs("noexec", "noexec,mode=0700").resolve("cache"));
        assertEquals(Reason.UNSAFE_CACHE, e.reason());
        assertTrue(e.getMessage().contains("noexec") && e.getMessage().contains("-Ddynload.cache"), e.getMessage());
    }

    @Test
    void aFullDiskIsSaidSoWithThePropertyToPointElsewhere() throws Throwable {
        // 16 KiB: the fixture's libraries (about 15 KB each) do not both fit.
        Path cache = tmpfs("small", "size=16k,mode=0700").resolve("cache");
        LibraryLoadException e = cacheFailure(cache);
        assertEquals(Reason.DISK_FULL, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("disk is full") && e.getMessage().contains("-Ddynload.cache"), e.getMessage());
        try (var left = Files.walk(cache)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "a partial file was left");
        }
    }

    @Test
    void aTamperedResourceIsRefusedWithBothHashes() throws Throwable {
        Map<String, byte[]> files = fixtureFiles();
        String index = indexOf(files);
        byte[] changed = files.get("libdependent.so").clone();
        changed[changed.length - 1] ^= 1;
        files.put("libdependent.so", changed);
        Path jar = jar("tampered.jar", files, index);
        // The cache holds a genuine copy already: the tampered jar must be refused all the same.
        openThroughCache(fixtureJar(), dir.resolve("cache"));
        for (String mode : List.of("memory", "cache")) {
            System.setProperty("dynload.bundles", mode);
            System.setProperty("dynload.cache", dir.resolve("cache").toString());
            try (URLClassLoader loader = loaderOf(jar)) {
                LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", loader), mode);
                assertEquals(Reason.HASH_MISMATCH, e.reason(), mode);
                assertTrue(e.getMessage().contains(Hashes.sha256(changed)) && e.getMessage().contains("tampered.jar!"),
                        e.getMessage());
            }
        }
    }

    @Test
    void aZipBombIsRefusedAtTheSizeLimitOnEveryPath() throws Throwable {
        // A 64 MiB entry of zeros, a 64 KiB jar; its index has the right hash: only the size gives it away.
        byte[] zeros = new byte[64 << 20];
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("libdependent.so", zeros);
        Path jar = jar("bomb.jar", files, indexOf(files));
        assertTrue(Files.size(jar) < 1 << 20, "a small jar");
        System.setProperty("dynload.bundles.maxFileSize", "1m");
        try {
            for (String mode : List.of("memory", "cache")) {
                System.setProperty("dynload.bundles", mode);
                System.setProperty("dynload.cache", dir.resolve("cache").toString());
                try (URLClassLoader loader = loaderOf(jar)) {
                    LibraryLoadException e = assertThrows(LibraryLoadException.class,
                            () -> Library.openBundled("fix", loader), mode);
                    assertEquals(Reason.BAD_BUNDLE, e.reason(), mode);
                    assertTrue(e.getMessage().contains("bomb.jar!/META-INF/dynload/fix/" + PLATFORM + "/libdependent.so")
                            && e.getMessage().contains("more than 1 MiB, the limit for a bundled file")
                            && e.getMessage().contains("-Ddynload.bundles.maxFileSize="), e.getMessage());
                }
            }
            try (URLClassLoader loader = loaderOf(jar)) {
                LibraryLoadException e = assertThrows(LibraryLoadException.class,
                        () -> Bundle.readData("fix", loader, "dynload_plugin_manifest", 100));
                assertEquals(Reason.BAD_BUNDLE, e.reason(), e.getMessage());
            }
            System.setProperty("dynload.bundles.maxFileSize", "lots");
            try (URLClassLoader loader = loaderOf(jar)) {
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                        () -> Library.openBundled("fix", loader));
                assertTrue(bad.getMessage().contains("-Ddynload.bundles.maxFileSize=lots is not a size"), bad.getMessage());
            }
        } finally {
            System.clearProperty("dynload.bundles.maxFileSize");
        }
        if (Files.exists(dir.resolve("cache"))) {
            try (var left = Files.walk(dir.resolve("cache"))) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().contains("libdependent")), "nothing kept");
            }
        }
    }

    @Test
    void anIndexLongerThanOneMebibyteIsRefusedNotCut() throws Throwable {
        Map<String, byte[]> files = fixtureFiles();
        String comments = ("#" + "x".repeat(99) + "\n").repeat(11_000); // 1.1 MB, then the entries
        Path jar = jar("long.jar", files, BundleIndex.HEADER + "\n" + comments + indexOf(files));
        try (URLClassLoader loader = loaderOf(jar)) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", loader));
            assertEquals(Reason.BAD_BUNDLE, e.reason());
            assertTrue(e.getMessage().contains("longer than 1048576 bytes (1 MiB)"), e.getMessage());
        }
    }

    @Test
    void aFifoOrALinkPlantedAmongTheCachesLockFilesNeitherBlocksNorFails() throws Throwable {
        Path jar = fixtureJar();
        Path cache = dir.resolve("cache");
        Path folder = cachedFolder(jar, cache);
        Files.delete(folder.resolve(".writing"));
        mkfifo(folder.resolve(".writing"));
        Files.delete(folder.resolve(".in-use"));
        Files.createSymbolicLink(folder.resolve(".in-use"), Files.writeString(dir.resolve("victim"), "keep me"));
        // A stale folder that the sweep visits, its writing lock a FIFO.
        Path stale = Files.createDirectory(cache.resolve("0".repeat(64)), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path staleLock = Files.writeString(stale.resolve(".in-use"), "");
        Files.setLastModifiedTime(staleLock, java.nio.file.attribute.FileTime.fromMillis(0));
        mkfifo(stale.resolve(".writing"));
        // In a child JVM: the sweep runs once per JVM, and this one swept already. A guard, not a measure:
        // the old code blocked in open(2) for ever.
        Process p = child(jar, "-Ddynload.bundles=cache", "-Ddynload.cache=" + cache).start();
        p.getOutputStream().write('\n');
        p.getOutputStream().close();
        boolean ended = p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ended, "blocked on a planted FIFO");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("answer 42"), out);
        assertEquals("keep me", Files.readString(dir.resolve("victim")));
        assertTrue(Files.isRegularFile(folder.resolve(".writing"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(folder.resolve(".in-use"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(stale), "the stale folder was swept");
    }

    private static void mkfifo(Path path) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("mkfifo", path.toString()).inheritIO().start().waitFor());
    }

    @Test
    void aMissingHomeFolderIsNamedWithThePropertyToSet() throws Throwable {
        ProcessBuilder b = child(fixtureJar(), "-Ddynload.bundles=cache", "-Duser.home=/nonexistent");
        b.environment().remove("XDG_CACHE_HOME");
        b.environment().remove("DYNLOAD_CACHE");
        Process p = b.start();
        p.getOutputStream().write('\n');
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor() != 0, out);
        assertTrue(out.contains("the home folder /nonexistent (user.home), where the cache folder "
                + "/nonexistent/.cache/dynload would go, does not exist")
                && out.contains("point -Ddynload.cache (or $DYNLOAD_CACHE) at a folder of yours"), out);
        assertFalse(Files.exists(Path.of("/nonexistent")), "made the missing home folder");
    }

    @Test
    void aBundleOnTheModulePathWithoutItsModuleResolvedSaysWhatToAdd() throws Throwable {
        Path modular = Files.copy(fixtureJar(), dir.resolve("fixbundle.jar"));
        Process p = child(null, "--module-path", modular.toString()).start();
        p.getOutputStream().write('\n');
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor() != 0, out);
        assertTrue(out.contains("the module fixbundle on the module path holds it, but is not resolved")
                && out.contains("add --add-modules fixbundle"), out);
    }

    @Test
    void aBundleWithoutThisPlatformListsThePlatformsItHas() throws Throwable {
        byte[] library = Files.readAllBytes(Fixtures.DEPENDENCY);
        String index = BundleIndex.write(List.of(new BundleIndex.Entry("linux-riscv64", Hashes.sha256(library), "libdependency.so"),
                new BundleIndex.Entry("osx-aarch_64", Hashes.sha256(library), "libdependency.dylib")));
        Path jar = jar("elsewhere.jar", Map.of(), index);
        try (URLClassLoader loader = loaderOf(jar)) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", loader));
            assertEquals(Reason.NOT_BUILT_FOR_PLATFORM, e.reason());
            assertTrue(e.getMessage().contains(PLATFORM) && e.getMessage().contains("linux-riscv64, osx-aarch_64"), e.getMessage());
        }
    }

    @Test
    void aMissingOrMalformedIndexIsABadBundle() throws Throwable {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", empty));
            assertEquals(Reason.BAD_BUNDLE, e.reason());
            assertTrue(e.getMessage().contains("META-INF/dynload/fix/index"), e.getMessage());
        }
        Path jar = jar("malformed.jar", Map.of(), BundleIndex.HEADER + "\n" + PLATFORM + " nothex libx.so\n");
        try (URLClassLoader loader = loaderOf(jar)) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", loader));
            assertEquals(Reason.BAD_BUNDLE, e.reason());
            assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("'nothex' is not a SHA-256"), e.getMessage());
        }
        Map<String, byte[]> files = fixtureFiles();
        Path missing = jar("missing.jar", Map.of(), indexOf(files));
        try (URLClassLoader loader = loaderOf(missing)) {
            LibraryLoadException e = assertThrows(LibraryLoadException.class, () -> Library.openBundled("fix", loader));
            assertEquals(Reason.BAD_BUNDLE, e.reason());
            assertTrue(e.getMessage().contains("libdependency.so") && e.getMessage().contains("not among the resources"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Library.openBundled("../x", BundleTest.class));
    }

    @Test
    void theSameBundleOpensFromTwoClassLoaders() throws Throwable {
        Path jar = fixtureJar();
        try (URLClassLoader one = loaderOf(jar); URLClassLoader two = loaderOf(jar);
             Library a = Library.openBundled("fix", one); Library b = Library.openBundled("fix", two)) {
            assertEquals(42, answer(a));
            assertEquals(42, answer(b));
        }
    }

    @Test
    void packagersCanGiveTheirOwnBuildOrPreferTheSystemsOne() throws Throwable {
        Path jar = fixtureJar();
        try (URLClassLoader loader = loaderOf(jar)) {
            System.setProperty("dynload.bundle.fix", Fixtures.FIXTURE.toString());
            try (Library lib = Library.openBundled("fix", loader)) {
                assertEquals(Fixtures.FIXTURE.toRealPath(), lib.path().orElseThrow().toRealPath());
            }
            // Not installed on this system: the bundled one loads.
            System.setProperty("dynload.bundle.fix", "system");
            try (Library lib = Library.openBundled("fix", loader)) {
                assertEquals(42, answer(lib));
            }
        }
        // No build for this platform at all: "system" still finds the installed library by its bare name.
        byte[] any = Files.readAllBytes(Fixtures.DEPENDENCY);
        Path elsewhere = jar("mac-only.jar", Map.of(), BundleIndex.write(List.of(
                new BundleIndex.Entry("osx-aarch_64", Hashes.sha256(any), "libm.dylib"))));
        try (URLClassLoader loader = loaderOf(elsewhere); Library lib = Library.openBundled("fix", loader)) {
            assertTrue(lib.find("cos").isPresent(), "the system's libm");
        }
    }

    @Test
    void platformClassifiersAndMuslDetection() {
        assertEquals("linux-x86_64", Platform.classifier("Linux", "amd64", false));
        assertEquals("linux-x86_64-musl", Platform.classifier("Linux", "amd64", true));
        assertEquals("linux-aarch_64-musl", Platform.classifier("Linux", "aarch64", true));
        assertEquals("osx-aarch_64", Platform.classifier("Mac OS X", "aarch64", true));
        assertEquals("osx-x86_64", Platform.classifier("Mac OS X", "x86_64", false));
        assertEquals("windows-x86_64", Platform.classifier("Windows 11", "amd64", false));
        assertTrue(Platform.namesMuslLoader("/lib/ld-musl-x86_64.so.1"));
        assertTrue(Platform.namesMuslLoader("/usr/lib/libc.musl-aarch64.so.1"));
        assertFalse(Platform.namesMuslLoader("/lib64/ld-linux-x86-64.so.2"));
        assertEquals("linux-x86_64", PLATFORM, "this machine is glibc on x86-64");
    }

    @Test
    void muslIsToldByTheInterpreterTheJavaLauncherAsksFor() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        assertFalse(Platform.interpreterIsMusl(java));
        // The same program, asking for musl's loader instead of glibc's.
        byte[] bytes = Files.readAllBytes(java);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("/lib64/ld-linux-x86-64.so.2\0");
        assertTrue(at > 0, "the launcher names glibc's loader");
        System.arraycopy("/lib/ld-musl-x86_64.so.1\0".getBytes(StandardCharsets.ISO_8859_1), 0, bytes, at, 25);
        assertTrue(Platform.interpreterIsMusl(Files.write(dir.resolve("java-on-musl"), bytes)));
    }

    /**
     * Four JVMs open one new bundle through an empty cache at the same moment: each blocks until the test
     * has started all four, then all go; every one must load it.
     */
    @Test
    void fourJvmsFillingTheCacheAtOnceAllLoad() throws Throwable {
        Path jar = fixtureJar();
        Path cache = dir.resolve("shared-cache");
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            children.add(child(jar, "-Ddynload.bundles=cache", "-Ddynload.cache=" + cache).start());
        }
        for (Process p : children) {
            try (OutputStream go = p.getOutputStream()) {
                go.write('\n');
            }
        }
        for (Process p : children) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("answer 42"), out);
        }
        try (var list = Files.list(cache)) {
            assertEquals(1, list.count());
        }
    }

    /** The bundle's jar on the module path, as an automatic module: found through the system class loader. */
    @Test
    void aBundleOnTheModulePathLoads() throws Throwable {
        Path jar = fixtureJar();
        Path modular = Files.copy(jar, dir.resolve("fixbundle.jar"));
        ProcessBuilder b = child(null, "--module-path", modular.toString(), "--add-modules", "fixbundle");
        Process p = b.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("answer 42"), out);
    }

    /** A JVM running {@link BundleChild}, with {@code jar} (if any) on its class path. */
    private static ProcessBuilder child(Path jar, String... jvmOptions) {
        return new ProcessBuilder(ChildJvm.command(List.of(jvmOptions), jar == null ? null : jar.toString(),
                BundleChild.class)).redirectErrorStream(true);
    }

    /** Opens bundle "fix" through the system class loader once a line arrives on standard input. */
    public static final class BundleChild {
        public static void main(String[] args) throws Throwable {
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            try (Library lib = Library.openBundled("fix", ClassLoader.getSystemClassLoader())) {
                System.out.println("answer " + answer(lib));
            }
        }
    }

    @Test
    void theBuildFilesLibrariesByTheirHeadersAndOrdersThemByWhatTheyNeed() throws Throwable {
        // Named to sort after the library that needs it: only DT_NEEDED against its SONAME puts it first.
        Path dependency = Files.copy(Fixtures.DEPENDENCY, dir.resolve("zlibdependency.so"));
        Path out = Files.createDirectory(dir.resolve("classes"));
        Path index = Bundle.build("fix", out, List.of(Fixtures.DEPENDENT.toString(), dependency.toString()));
        List<Bundle.Entry> entries = Bundle.parseIndex(Files.readString(index));
        assertEquals(List.of("zlibdependency.so", "libdependent.so"), entries.stream().map(Bundle.Entry::name).toList());
        assertEquals(List.of(PLATFORM, PLATFORM), entries.stream().map(Bundle.Entry::classifier).toList());
        Path jar = dir.resolve("built.jar");
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new JarEntry(out.relativize(f).toString()));
                j.write(Files.readAllBytes(f));
            }
        }
        try (URLClassLoader loader = loaderOf(jar); Library lib = Library.openBundled("fix", loader)) {
            assertEquals(42, answer(lib));
        }
        // A library that needs musl's libc.so rather than glibc's libc.so.6 is filed under -musl.
        byte[] bytes = Files.readAllBytes(Fixtures.FIXTURE);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("libc.so.6\0");
        assertTrue(at > 0);
        System.arraycopy("libc.so\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, bytes, at, 9);
        Path musl = Files.write(dir.resolve("libmusl.so"), bytes);
        assertEquals(PLATFORM + "-musl", Bundle.classify(musl));
        // Two libraries that nothing else needs: a bundle opens as one, so the build refuses to guess which.
        Path two = Files.createDirectory(dir.resolve("two"));
        IOException roots = assertThrows(IOException.class, () -> Bundle.build("fix", two,
                List.of(Fixtures.FIXTURE.toString(), Fixtures.DEPENDENT.toString(), Fixtures.DEPENDENCY.toString())));
        assertTrue(roots.getMessage().contains("libdependent.so, libfixture.so"), roots.getMessage());
        // A file that is no native library is refused, with or without a classifier.
        Path notLibrary = Files.writeString(dir.resolve("lib.dylib"), "x");
        IOException notNative = assertThrows(IOException.class,
                () -> Bundle.build("fix", out, List.of(notLibrary.toString())));
        assertTrue(notNative.getMessage().contains("is not a native library of any platform"), notNative.getMessage());
        IOException given = assertThrows(IOException.class,
                () -> Bundle.build("fix", out, List.of("osx-aarch_64=" + notLibrary)));
        assertTrue(given.getMessage().contains("is not a native library of any platform"), given.getMessage());
    }

    /** Mach-O and PE files are classified from their headers too, and refused under another platform's name. */
    @Test
    void theBuildClassifiesEveryPlatformsFiles(@TempDir Path dir) throws IOException {
        Path dylib = dev.dynload.format.ForeignFixtures.path("libforeign-arm64.dylib");
        Path dll = dev.dynload.format.ForeignFixtures.path("foreign.dll");
        Path universal = dev.dynload.format.ForeignFixtures.path("libforeign-universal.dylib");
        assertEquals("osx-aarch_64", Bundle.classify(dylib));
        assertEquals("windows-x86_64", Bundle.classify(dll));
        IOException fat = assertThrows(IOException.class, () -> Bundle.classify(universal));
        assertTrue(fat.getMessage().contains("universal Mach-O file of 2 architectures: give it once for each, as "
                + "osx-x86_64=" + universal + " osx-aarch_64=" + universal), fat.getMessage());
        Path out = Files.createDirectory(dir.resolve("out"));
        Path index = Bundle.build("fix", out, List.of(dylib.toString(), dll.toString(), Fixtures.FIXTURE.toString(),
                "osx-x86_64=" + universal));
        List<String> classifiers = Bundle.parseIndex(Files.readString(index)).stream().map(Bundle.Entry::classifier).toList();
        assertEquals(List.of(PLATFORM, "osx-aarch_64", "osx-x86_64", "windows-x86_64"), classifiers);
        IOException wrong = assertThrows(IOException.class,
                () -> Bundle.build("fix", out, List.of("linux-x86_64=" + dll)));
        assertTrue(wrong.getMessage().contains("is filed under linux-x86_64, but it is for windows-x86_64 (PE 64-bit "
                + "x86-64 DLL); give it with the classifier of its platform"), wrong.getMessage());
        // A file an earlier build left in the wrong folder is refused too.
        Files.copy(dll, out.resolve("META-INF/dynload/fix/osx-aarch_64/stray.dll"));
        IOException stray = assertThrows(IOException.class, () -> Bundle.build("fix", out, List.of()));
        assertTrue(stray.getMessage().contains("stray.dll is filed under osx-aarch_64, but it is for windows-x86_64"),
                stray.getMessage());
    }

    @Test
    void indexLinesAreCheckedOneByOne() {
        assertThrows(BundleIndex.MalformedException.class, () -> BundleIndex.parse("# only a comment\n"));
        BundleIndex.MalformedException twice = assertThrows(BundleIndex.MalformedException.class, () -> BundleIndex.parse(
                "linux-x86_64 " + "a".repeat(64) + " libx.so\nlinux-x86_64 " + "b".repeat(64) + " libx.so\n"));
        assertTrue(twice.getMessage().contains("line 2") && twice.getMessage().contains("twice"), twice.getMessage());
        BundleIndex.MalformedException path = assertThrows(BundleIndex.MalformedException.class, () -> BundleIndex.parse(
                "linux-x86_64 " + "a".repeat(64) + " ../libx.so\n"));
        assertTrue(path.getMessage().contains("not a plain file name"), path.getMessage());
        // A name the cache uses for itself, or any hidden one, is refused.
        BundleIndex.MalformedException hidden = assertThrows(BundleIndex.MalformedException.class, () -> BundleIndex.parse(
                "linux-x86_64 " + "a".repeat(64) + " .writing\n"));
        assertTrue(hidden.getMessage().contains("not starting with '.'"), hidden.getMessage());
        assertTrue(Files.exists(Fixtures.DEPENDENT, LinkOption.NOFOLLOW_LINKS));
    }
}
