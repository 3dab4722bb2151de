package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.format.SymbolData;
import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.Hashes;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.Platform;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Bundles} on its own, fed from memory through its {@link Bundles.Resources} rather than from a
 * jar (BundleTest covers jars, class loaders, modules and the cache): what it loads, what it reads
 * without loading, that it closes its resources once, and how it names a resource it cannot read.
 */
class BundlesTest {

    private static final String PLATFORM = Platform.current();

    /** A bundle's resources in a map; counts its closes. */
    static final class InMemory implements Bundles.Resources {
        final Map<String, byte[]> resources = new LinkedHashMap<>();
        final List<String> unreadable = new ArrayList<>();
        int closes;

        InMemory(String bundle, Map<String, Path> files) throws IOException {
            List<BundleIndex.Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Path> f : files.entrySet()) {
                byte[] bytes = Files.readAllBytes(f.getValue());
                entries.add(new BundleIndex.Entry(PLATFORM, Hashes.sha256(bytes), f.getKey()));
                resources.put("META-INF/dynload/" + bundle + "/" + PLATFORM + "/" + f.getKey(), bytes);
            }
            resources.put("META-INF/dynload/" + bundle + "/index",
                    BundleIndex.write(entries).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public InputStream open(String path) throws IOException {
            if (unreadable.contains(path)) {
                throw new IOException("the disk gave up");
            }
            byte[] bytes = resources.get(path);
            return bytes == null ? null : new ByteArrayInputStream(bytes);
        }

        @Override
        public String where(String path) {
            return "memory:" + path;
        }

        @Override
        public void close() {
            closes++;
        }
    }

    private static Map<String, Path> dependentAndItsDependency() {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("libdependency.so", Fixtures.DEPENDENCY);
        files.put("libdependent.so", Fixtures.DEPENDENT);
        return files;
    }

    @Test
    void theLastLibraryLoadsWithWhatItNeedsAndTheResourcesCloseOnce() throws Throwable {
        InMemory resources = new InMemory("pair", dependentAndItsDependency());
        try (Library lib = Bundles.open("pair", resources, NativeLoader.current())) {
            MethodHandle answer = lib.downcall("dependent_answer", FunctionDescriptor.of(JAVA_INT));
            assertEquals(42, (int) answer.invokeExact());
            assertTrue(lib.toString().contains("memory:"), lib + " names where it came from");
        }
        assertEquals(1, resources.closes);
    }

    @Test
    void aResourceThatCannotBeReadIsNamedWhereItIs() throws IOException {
        InMemory resources = new InMemory("pair", dependentAndItsDependency());
        String broken = "META-INF/dynload/pair/" + PLATFORM + "/libdependent.so";
        resources.unreadable.add(broken);
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> Bundles.open("pair", resources, NativeLoader.current()));
        assertTrue(e.getMessage().contains("libdependent.so") && e.getMessage().contains("the disk gave up"), e.getMessage());
        assertEquals(1, resources.closes);
    }

    @Test
    void aResourceWhoseBytesDifferFromTheIndexIsRefusedWithBothHashes() throws IOException {
        InMemory resources = new InMemory("pair", dependentAndItsDependency());
        String file = "META-INF/dynload/pair/" + PLATFORM + "/libdependency.so";
        byte[] tampered = resources.resources.get(file).clone();
        tampered[tampered.length - 1] ^= 1;
        resources.resources.put(file, tampered);
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> Bundles.open("pair", resources, NativeLoader.current()));
        assertEquals(Reason.HASH_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains(Hashes.sha256(tampered)), e.getMessage());
    }

    @Test
    void dataIsReadFromTheBundlesLastLibraryWithoutLoadingIt() throws IOException {
        InMemory resources = new InMemory("one", Map.of("libfixture.so", Fixtures.FIXTURE));
        String mapsBefore = Files.readString(Path.of("/proc/self/maps"));
        Optional<SymbolData> counter = Bundles.readData("one", resources, NativeLoader.current(), "fixture_counter", 64);
        assertEquals(4, counter.orElseThrow().size());
        assertTrue(Bundles.readData("one", resources, NativeLoader.current(), "no_such_object", 64).isEmpty());
        String maps = Files.readString(Path.of("/proc/self/maps"));
        assertEquals(mapsBefore.contains("memfd:dynload:libfixture.so"), maps.contains("memfd:dynload:libfixture.so"),
                "reading data loaded the library");
    }

    @Test
    void aBareNameIsTheFileNameWithoutPrefixAndSuffixes() {
        assertEquals("greeter", Bundles.bareName("libgreeter.so.1"));
        assertEquals("greeter", Bundles.bareName("libgreeter.dylib"));
        assertEquals("greeter", Bundles.bareName("greeter.dll"));
        assertEquals("z", Bundles.bareName("libz.so"));
    }
}
