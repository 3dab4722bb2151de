package dev.dynload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An isolated library's limits and sandbox, against real system calls in src/test/c/untrusted.c. */
@Timeout(60)
class SandboxTest {

    /** The untrusted library's functions a sandbox refuses. */
    public interface Untrusted {
        int open_inet_socket();

        int open_unix_socket();

        int run_true();

        int write_file(String path);

        int allocate(int megabytes);

        int open_many(int n);

        int add(int a, int b);
    }

    private static final int EPERM = 1;
    private static final int EACCES = 13;

    /** What the library's process printed, a line each; a test waits for a line with {@link #await}. */
    private final List<String> output = new ArrayList<>();

    private void printed(String line) {
        synchronized (output) {
            output.add(line);
            output.notifyAll();
        }
    }

    private void await(String text) throws InterruptedException {
        synchronized (output) {
            while (output.stream().noneMatch(l -> l.contains(text))) {
                output.wait();
            }
        }
    }

    private IsolatedLibrary open(Sandbox sandbox) {
        return IsolatedLibrary.open(IsolatedLibraryTest.UNTRUSTED, Duration.ofSeconds(30), this::printed, sandbox);
    }

    @Test
    void withoutASandboxTheProcessMayDoWhatTheJvmMay(@TempDir Path dir) {
        try (IsolatedLibrary lib = open(Sandbox.none())) {
            Untrusted u = lib.bind(Untrusted.class);
            assertEquals(0, u.open_inet_socket());
            assertEquals(0, u.run_true());
            assertEquals(0, u.write_file(dir.resolve("free").toString()));
        }
    }

    @Test
    void noNetworkRefusesInternetSocketsAndSaysSo() throws InterruptedException {
        try (IsolatedLibrary lib = open(Sandbox.none().noNetwork())) {
            Untrusted u = lib.bind(Untrusted.class);
            assertEquals(-EPERM, u.open_inet_socket(), "refused with EPERM, not a crash");
            assertEquals(0, u.open_unix_socket(), "AF_UNIX stays allowed");
            assertEquals(5, u.add(2, 3), "the process goes on");
            await("the sandbox denied socket (system call");
        }
    }

    @Test
    void noExecRefusesExecveEvenInAForkedChild() throws InterruptedException {
        try (IsolatedLibrary lib = open(Sandbox.none().noExec())) {
            assertEquals(-EPERM, lib.bind(Untrusted.class).run_true());
            await("the sandbox denied execve");
        }
    }

    @Test
    void writesOnlyInTheFoldersGiven(@TempDir Path dir) throws Exception {
        Path allowed = Files.createDirectory(dir.resolve("allowed"));
        Path other = Files.createDirectory(dir.resolve("other"));
        try (IsolatedLibrary lib = open(Sandbox.none().writableOnly(allowed))) {
            Untrusted u = lib.bind(Untrusted.class);
            assertEquals(0, u.write_file(allowed.resolve("ok").toString()));
            assertEquals(-EACCES, u.write_file(other.resolve("refused").toString()));
            assertTrue(Files.exists(allowed.resolve("ok")));
            assertFalse(Files.exists(other.resolve("refused")));
        }
        try (IsolatedLibrary lib = open(Sandbox.confined())) {
            assertEquals(-EACCES, lib.bind(Untrusted.class).write_file(allowed.resolve("nowhere").toString()),
                    "confined: no writes anywhere");
        }
    }

    @Test
    void memoryAndOpenFilesAreLimited() {
        try (IsolatedLibrary lib = open(Sandbox.none().memory(256L << 20).openFiles(40))) {
            Untrusted u = lib.bind(Untrusted.class);
            assertEquals(1, u.allocate(16), "16 MiB fit");
            assertEquals(0, u.allocate(512), "512 MiB do not: malloc gives NULL, and the process goes on");
            int opened = u.open_many(200);
            assertTrue(opened > 0 && opened < 40, opened + " opened");
        }
    }

    @Test
    void aSandboxIsNamedAndCheckedWhenMade() {
        assertEquals("no network, no exec, no writes", Sandbox.confined().toString());
        assertThrows(IllegalArgumentException.class, () -> Sandbox.none().memory(1024));
        assertThrows(IllegalArgumentException.class, () -> Sandbox.none().openFiles(3));
        assertThrows(IllegalArgumentException.class, () -> Sandbox.none().cpuTime(Duration.ZERO));
    }

    @Test
    void aWritableFolderThatDoesNotExistRefusesTheStartByName(@TempDir Path dir) {
        LibraryLoadException e = assertThrows(LibraryLoadException.class,
                () -> open(Sandbox.none().writableOnly(dir.resolve("absent"))));
        assertTrue(e.getMessage().contains("absent") && e.getMessage().contains("cannot be opened"), e.getMessage());
    }
}
