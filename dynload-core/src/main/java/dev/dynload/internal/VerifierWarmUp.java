package dev.dynload.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the ELF verifier once, on a small file every JDK ships, on a second core while the first open of a
 * JVM sets up the foreign linker.
 *
 * <p>Cold, the verifier's own cost is mostly that of its first run: some 30 classes loaded from the jar and
 * verified, every call site resolved, all in the interpreter. That is about 20 ms, and it came on top of
 * the linker's set-up (about 50 ms, which nothing can skip, because the library file is opened through
 * {@code open(2)}). Run here, it overlaps that set-up, and the open's own verification finds the code
 * ready. The file is the JDK's {@code lib/libsyslookup.so} (15 KB; {@code java.lang.foreign} itself loads
 * it), read and never loaded; the result is thrown away. With one processor, or without that file, nothing
 * is started.
 */
public final class VerifierWarmUp extends Thread {

    private static boolean started;

    private final Path sample;

    private VerifierWarmUp(Path sample) {
        super("dynload-verifier-warm-up");
        this.sample = sample;
        setDaemon(true);
    }

    /** Starts the warm-up, once per JVM, where it can help: on Linux with more than one processor. */
    public static void startOnce() {
        synchronized (VerifierWarmUp.class) {
            if (started) {
                return;
            }
            started = true;
        }
        if (Runtime.getRuntime().availableProcessors() < 2 || !System.getProperty("os.name", "").startsWith("Linux")) {
            return;
        }
        Path sample = Path.of(System.getProperty("java.home"), "lib", "libsyslookup.so");
        if (Files.isRegularFile(sample)) {
            new VerifierWarmUp(sample).start();
        }
    }

    /**
     * Runs the warm-up on this thread, once per JVM, unless it ran or runs already: for an open that would
     * otherwise wait here for the linker, which {@link LinkerWarmUp} sets up meanwhile.
     */
    public static void runHereOnce() {
        synchronized (VerifierWarmUp.class) {
            if (started) {
                return;
            }
            started = true;
        }
        Path sample = Path.of(System.getProperty("java.home"), "lib", "libsyslookup.so");
        if (System.getProperty("os.name", "").startsWith("Linux") && Files.isRegularFile(sample)) {
            new VerifierWarmUp(sample).run();
        }
    }

    @Override
    public void run() {
        try {
            ElfAccess.get().warmUp(sample);
        } catch (Throwable ignored) {
            // Only a warm-up: the open that started it verifies its own file and reports its own problems.
        }
    }
}
