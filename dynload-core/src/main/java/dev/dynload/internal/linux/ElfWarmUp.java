package dev.dynload.internal.linux;

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
final class ElfWarmUp extends Thread {

    private static boolean started;

    private final Path sample;

    private ElfWarmUp(Path sample) {
        super("dynload-verifier-warm-up");
        this.sample = sample;
        setDaemon(true);
    }

    /** Starts the warm-up, once per JVM, where it can help: on Linux with more than one processor. */
    static void startOnce() {
        synchronized (ElfWarmUp.class) {
            if (started) {
                return;
            }
            started = true;
        }
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return;
        }
        Path sample = Path.of(System.getProperty("java.home"), "lib", "libsyslookup.so");
        if (Files.isRegularFile(sample)) {
            new ElfWarmUp(sample).start();
        }
    }

    /**
     * Runs the warm-up on this thread, once per JVM, unless it ran or runs already: for an open that would
     * otherwise wait here for the linker, which {@link LinkerWarmUp} sets up meanwhile.
     */
    static void runHereOnce() {
        synchronized (ElfWarmUp.class) {
            if (started) {
                return;
            }
            started = true;
        }
        Path sample = Path.of(System.getProperty("java.home"), "lib", "libsyslookup.so");
        if (Files.isRegularFile(sample)) {
            new ElfWarmUp(sample).run();
        }
    }

    @Override
    public void run() {
        try {
            dev.dynload.elf.ElfFile.check(sample);
        } catch (Throwable ignored) {
            // Only a warm-up: the open that started it verifies its own file and reports its own problems.
        }
    }
}
