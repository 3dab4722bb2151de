package dev.dynload.internal.linux;

import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;

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

    /**
     * Puts {@code folders} first in {@code env}'s {@code LD_LIBRARY_PATH}, for a child that loads a library
     * through its descriptor. An empty value counts as none: its empty entry would add the working directory.
     */
    static void prependLibraryPath(java.util.Map<String, String> env, List<Path> folders) {
        if (folders.isEmpty()) {
            return;
        }
        StringBuilder path = new StringBuilder();
        for (Path p : folders) {
            path.append(path.isEmpty() ? "" : ":").append(p);
        }
        String old = env.get("LD_LIBRARY_PATH");
        env.put("LD_LIBRARY_PATH", old == null || old.isEmpty() ? path.toString() : path + ":" + old);
    }

    private static final String SHELL = "/bin/sh";
    private static final String MARKER = "dynload: the library loaded";
    /** The most of the child's output kept for the report. */
    private static final int KEEP = 16 << 10;
    /** What glibc's and musl's loaders print when they refuse a preloaded library, which is no crash. */
    private static final List<String> LOADER_REFUSALS = List.of("cannot be preloaded", "symbol lookup error",
            "error while loading shared libraries", "Error relocating", "Error loading shared library");
    /** What glibc's loader prints, with {@code LD_DEBUG=files}, just before it runs the library's initializers. */
    private static final String INIT_STARTS = "calling init: /proc/self/fd/0";

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
        // glibc's loader then says when the library's own code starts: an exit before that is the loader's.
        env.put("LD_DEBUG", "files");
        env.remove("LD_DEBUG_OUTPUT");
        if (now) {
            env.put("LD_BIND_NOW", "1");
        } else {
            env.remove("LD_BIND_NOW");
        }
        prependLibraryPath(env, libraryPath);
        Path output;
        try {
            // A file, not a pipe: a process the library starts may keep its output open for as long as it
            // runs, which would keep a reader here waiting. Created readable by this user alone.
            output = Files.createTempFile("dynload-isolated-", ".out");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a file for the output of an isolated load: " + e.getMessage(), e);
        }
        try {
            builder.redirectInput(file.readable().toFile());
            builder.redirectOutput(output.toFile());
            builder.redirectErrorStream(true);
            long started = System.nanoTime();
            Process child;
            try {
                child = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + SHELL + " for an isolated load: " + e.getMessage(), e);
            }
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
            long elapsed = System.nanoTime() - started;
            String raw = head(output);
            boolean initStarted = raw.contains(INIT_STARTS);
            boolean debugged = raw.contains("file=/proc/self/fd/0");
            String text = withoutDebugLines(raw);
            if (!finished) {
                return new NativeLoader.Trial(NativeLoader.Trial.Outcome.TIMED_OUT, 0, text.strip(), elapsed);
            }
            int status = child.exitValue();
            NativeLoader.Trial.Outcome outcome;
            if (status == 0 && text.contains(MARKER)) {
                outcome = refusedByLoader(text) ? NativeLoader.Trial.Outcome.REFUSED : NativeLoader.Trial.Outcome.LOADED;
                text = text.replace(MARKER + "\n", "");
            } else if (status > 128 && status < 128 + 65) {
                outcome = NativeLoader.Trial.Outcome.SIGNALLED;
                status -= 128;
            } else if (status == 127 && now && debugged && !initStarted && refusedByLoader(text)) {
                // The loader gave up binding the library before any of its code ran, as dlopen will give up
                // here, harmlessly. Without RTLD_NOW the same failure comes from an initializer's first call,
                // which ends the process inside dlopen too; and after "calling init", 127 is the library's.
                outcome = NativeLoader.Trial.Outcome.REFUSED;
            } else {
                outcome = NativeLoader.Trial.Outcome.EXITED;
            }
            return new NativeLoader.Trial(outcome, status, text.strip(), elapsed);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // A file in the temporary folder, readable by this user alone; nothing more to do.
            }
        }
    }

    private static boolean refusedByLoader(String text) {
        for (String refusal : LOADER_REFUSALS) {
            if (text.contains(refusal)) {
                return true;
            }
        }
        return false;
    }

    /** The beginning of the child's output, at most {@link #KEEP} bytes. */
    private static String head(Path output) {
        try (InputStream in = Files.newInputStream(output)) {
            return new String(in.readNBytes(KEEP), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The output without the loader's debugging lines ("   1234:\t..."). */
    static String withoutDebugLines(String text) {
        StringBuilder kept = new StringBuilder(text.length());
        for (String line : text.split("\n", -1)) {
            if (isDebugLine(line)) {
                continue;
            }
            kept.append(line).append('\n');
        }
        return kept.length() == 0 ? "" : kept.substring(0, kept.length() - 1);
    }

    /** Whether {@code line} is spaces, a process number, a colon and a tab, then the loader's text. */
    private static boolean isDebugLine(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        int digits = i;
        while (i < line.length() && line.charAt(i) >= '0' && line.charAt(i) <= '9') {
            i++;
        }
        return i > digits && line.startsWith(":\t", i);
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
}
