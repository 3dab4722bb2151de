package dev.dynload.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Loads a library in a short-lived child process, to see whether loading it crashes, aborts, exits or
 * hangs before this process risks it (Linux, glibc or musl).
 *
 * <p>The child is the system shell, not a JVM: the loader preloads the library into it
 * ({@code LD_PRELOAD}), which maps it, loads its dependencies, applies its relocations and runs its
 * initializers, exactly the work {@code dlopen} does, before the shell prints a marker and exits. The
 * library is the child's standard input, opened from this process's open file, so the child loads the
 * very bytes that were checked; {@code $ORIGIN} folders are given to it as {@code LD_LIBRARY_PATH}.
 */
final class ChildTrial {

    private static final String SHELL = "/bin/sh";
    private static final String MARKER = "dynload: the library loaded";
    /** The most of the child's output kept for the report. */
    private static final int KEEP = 16 << 10;
    /** What glibc's and musl's loaders print when they refuse a preloaded library, which is no crash. */
    private static final List<String> LOADER_REFUSALS = List.of("cannot be preloaded", "symbol lookup error",
            "error while loading shared libraries", "Error relocating", "Error loading shared library");

    private ChildTrial() {
    }

    static NativeLoader.Trial run(OpenFile file, boolean now, Duration limit, List<Path> libraryPath) {
        if (!Files.isExecutable(Path.of(SHELL))) {
            throw new UnsupportedOperationException("an isolated load needs " + SHELL + " to load the library into; "
                    + "this system has none");
        }
        ProcessBuilder builder = new ProcessBuilder(SHELL, "-c", "echo '" + MARKER + "'");
        Map<String, String> env = builder.environment();
        env.put("LD_PRELOAD", "/proc/self/fd/0");
        if (now) {
            env.put("LD_BIND_NOW", "1");
        } else {
            env.remove("LD_BIND_NOW");
        }
        if (!libraryPath.isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (Path p : libraryPath) {
                path.append(p).append(':');
            }
            String old = env.get("LD_LIBRARY_PATH");
            env.put("LD_LIBRARY_PATH", old == null ? path.substring(0, path.length() - 1) : path + old);
        }
        builder.redirectInput(file.readable().toFile());
        builder.redirectErrorStream(true);
        long started = System.nanoTime();
        Process child;
        try {
            child = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + SHELL + " for an isolated load: " + e.getMessage(), e);
        }
        Output output = new Output(child.getInputStream());
        Thread reader = Thread.ofVirtual().start(output);
        boolean finished;
        try {
            finished = child.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            kill(child);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a child process loaded the library", e);
        }
        if (!finished) {
            kill(child);
        }
        try {
            // The output ends when every process holding the pipe is gone; a grandchild may keep it open.
            reader.join(Duration.ofMillis(200));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long elapsed = System.nanoTime() - started;
        String text = output.text();
        if (!finished) {
            return new NativeLoader.Trial(NativeLoader.Trial.Outcome.TIMED_OUT, 0, text, elapsed);
        }
        int status = child.exitValue();
        NativeLoader.Trial.Outcome outcome;
        if (status == 0 && text.contains(MARKER)) {
            outcome = refusedByLoader(text) ? NativeLoader.Trial.Outcome.REFUSED : NativeLoader.Trial.Outcome.LOADED;
            text = text.replace(MARKER + "\n", "");
        } else if (status > 128 && status < 128 + 65) {
            outcome = NativeLoader.Trial.Outcome.SIGNALLED;
            status -= 128;
        } else if (status == 127 && refusedByLoader(text)) {
            outcome = NativeLoader.Trial.Outcome.REFUSED;
        } else {
            outcome = NativeLoader.Trial.Outcome.EXITED;
        }
        return new NativeLoader.Trial(outcome, status, text.strip(), elapsed);
    }

    private static boolean refusedByLoader(String text) {
        for (String refusal : LOADER_REFUSALS) {
            if (text.contains(refusal)) {
                return true;
            }
        }
        return false;
    }

    /** Kills the child and whatever it started. */
    private static void kill(Process child) {
        child.descendants().forEach(ProcessHandle::destroyForcibly);
        child.destroyForcibly();
        try {
            child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the child's output, keeping its beginning. */
    private static final class Output implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        Output(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        if (kept.size() < KEEP) {
                            kept.write(buffer, 0, Math.min(n, KEEP - kept.size()));
                        }
                    }
                }
            } catch (IOException ignored) {
                // The child is gone; what was read is what there is.
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
