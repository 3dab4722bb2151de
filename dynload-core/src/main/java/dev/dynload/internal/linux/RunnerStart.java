package dev.dynload.internal.linux;

import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.Platform;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

/**
 * Starting a runner: its executable (from the jar, into a sealed memory file once per JVM), a fresh channel,
 * the spawn with a library or with plugins, and the wait for READY, the runner's refusal, or its end.
 */
public final class RunnerStart {

    private static final Object RUNNER_LOCK = new Object();
    private static @Nullable OpenFile runnerFile;

    private RunnerStart() {
    }

    /** {@return the runner executable for this platform, in a sealed memory file made once per JVM} */
    private static OpenFile runner(NativeLoader loader) throws IOException {
        synchronized (RUNNER_LOCK) {
            if (runnerFile == null) {
                String resource = "META-INF/dynload/runner/" + Platform.current() + "/dynload-runner";
                InputStream in = RunnerStart.class.getClassLoader() == null ? null
                        : RunnerStart.class.getClassLoader().getResourceAsStream(resource);
                if (in == null) {
                    in = RunnerStart.class.getModule().getResourceAsStream(resource);
                }
                if (in == null) {
                    throw new IOException("this build of dynload has no runner for " + Platform.current() + " ("
                            + resource + " is missing from its jar)");
                }
                try (InputStream content = in) {
                    runnerFile = loader.memoryFile(Path.of("dynload-runner"), content);
                }
            }
            return runnerFile;
        }
    }

    /**
     * Starts a runner for {@code library}, an open descriptor of the checked file, with the limits and sandbox
     * options of {@code sandbox} (sandbox.c), and waits until it has loaded it.
     *
     * @param startDeadlineNanos the longest to wait for the runner to load the library
     * @throws NoAnswer if the runner refused, ended or did not answer in time; its message says which
     */
    public static RunnerCalls start(NativeLoader loader, OpenFile library, long startDeadlineNanos,
                                    java.util.function.@Nullable Consumer<String> output, java.util.List<Path> libraryPath,
                                    java.util.List<String> sandbox) throws IOException, NoAnswer {
        OpenFile runner = runner(loader);
        Channel channel = Channel.create(RunnerCalls.SLOTS);
        RunnerProcess process;
        try {
            process = RunnerProcess.start(runner, new int[] {library.fd(), channel.fd()}, sandbox,
                    exit -> channel.endAll(), output, libraryPath);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return awaitReady(new RunnerCalls(channel, process), startDeadlineNanos);
    }

    /** Where the log messages of plugins in a runner go: a plugin's index, a dlp_host level, the message. */
    public interface LogSink {
        /** Takes one message; called on the runner's log thread, in the order the runner wrote them. */
        void log(int plugin, int level, String message);
    }

    /**
     * Starts a runner in plugin mode for {@code plugins}, open descriptors of the checked files (indexed in
     * this order in {@link RunnerCalls#step}), and waits until it has loaded them all. Runs none of their code but
     * what loading runs (constructors).
     *
     * @param log where the plugins' log messages go, on a thread of the runner's own
     * @throws NoAnswer if the runner refused, ended or did not answer in time; its message says which
     */
    public static RunnerCalls startPlugins(NativeLoader loader, java.util.List<OpenFile> plugins,
                                           long startDeadlineNanos, java.util.function.@Nullable Consumer<String> output,
                                           java.util.List<Path> libraryPath, LogSink log, java.util.List<String> sandbox)
            throws IOException, NoAnswer {
        OpenFile runner = runner(loader);
        Channel channel = Channel.create(RunnerCalls.SLOTS);
        int[] pipe = null;
        RunnerProcess process;
        try {
            pipe = RunnerProcess.pipe();
            int[] descriptors = new int[2 + plugins.size()];
            descriptors[0] = pipe[1];
            descriptors[1] = channel.fd();
            for (int i = 0; i < plugins.size(); i++) {
                descriptors[2 + i] = plugins.get(i).fd();
            }
            java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of("plugins",
                    Integer.toString(plugins.size())));
            arguments.addAll(sandbox);
            process = RunnerProcess.start(runner, descriptors, arguments, exit -> channel.endAll(), output, libraryPath);
        } catch (IOException | RuntimeException e) {
            if (pipe != null) {
                Syscalls.close(pipe[0]);
                Syscalls.close(pipe[1]);
            }
            channel.close();
            throw e;
        }
        Syscalls.close(pipe[1]); // the runner has its copy: its end is the pipe's end
        try {
            process.read(pipe[0], new LogRecords(log), "dynload-runner-log-" + process.pid());
        } catch (RuntimeException | Error e) {
            Syscalls.close(pipe[0]);
            channel.close();
            throw e;
        }
        return awaitReady(new RunnerCalls(channel, process), startDeadlineNanos);
    }

    /**
     * Cuts the log pipe into records: u32 plugin, i32 level, u32 length, then the message's bytes, as
     * plugins.c writes them (each in one write, so never interleaved).
     */
    private static final class LogRecords implements PipeReader.Sink {
        private final LogSink log;
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        LogRecords(LogSink log) {
            this.log = log;
        }

        @Override
        public void accept(MemorySegment buffer, long n) {
            pending.writeBytes(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            byte[] all = pending.toByteArray();
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.nativeOrder());
            while (in.remaining() >= 12) {
                int start = in.position();
                int plugin = in.getInt();
                int level = in.getInt();
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    in.position(start);
                    break;
                }
                String message = new String(all, in.position(), length, java.nio.charset.StandardCharsets.UTF_8);
                in.position(in.position() + length);
                try {
                    log.log(plugin, level, message);
                } catch (RuntimeException e) {
                    // the sink's own failure: the next message still goes to it
                }
            }
            pending.reset();
            pending.write(all, in.position(), all.length - in.position());
        }

        @Override
        public void end() {
            // a record cut short by the runner's end is dropped: it was never whole
        }
    }

    /** Waits for the runner's READY; on its refusal, its end or the deadline, kills it and says which. */
    private static RunnerCalls awaitReady(RunnerCalls calls, long startDeadlineNanos) throws NoAnswer {
        Channel channel = calls.channel;
        RunnerProcess process = calls.process;
        MemorySegment header = channel.header();
        long end = System.nanoTime() + startDeadlineNanos;
        int state;
        while ((state = (int) Channel.INT.getVolatile(header, Channel.H_STATE)) == Channel.STARTING) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                process.kill();
                calls.closeWhenEnded();
                throw new NoAnswer(NoAnswer.Failure.DEADLINE, null, "did not load in the runner within "
                        + startDeadlineNanos / 1_000_000 + " ms; the runner was killed");
            }
            Futex.await(header.address() + Channel.H_STATE, Channel.STARTING, Math.min(left, 100_000_000L));
        }
        if (state != Channel.READY || process.ended()) {
            String refusal = channel.refusal();
            process.kill();
            RunnerProcess.Exit exit = calls.closeWhenEnded();
            throw new NoAnswer(NoAnswer.Failure.ENDED, exit, refusal.isEmpty()
                    ? "the runner ended while loading it (" + exit.describe() + ")"
                    : "the runner refused it: " + refusal);
        }
        return calls;
    }
}
