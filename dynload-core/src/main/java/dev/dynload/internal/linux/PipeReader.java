package dev.dynload.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Reads one of a runner's pipes (its output, its plugins' log) until the pipe ends, or until the runner
 * has ended and what it wrote is read, into a {@link Sink}.
 */
final class PipeReader {

    private PipeReader() {
    }

    /** What a reader of one of the runner's pipes does with the bytes. */
    public interface Sink {
        /** Takes the next {@code n} bytes read, in {@code buffer}. */
        void accept(MemorySegment buffer, long n);

        /** Called once, when the pipe has ended or the runner has gone. */
        void end();
    }

    /** Cuts the runner's output into lines for a consumer; a line without end is handed on in pieces. */
    static final class Lines implements Sink {
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        private final Consumer<String> output;

        Lines(Consumer<String> output) {
            this.output = output;
        }

        @Override
        public void accept(MemorySegment buffer, long n) {
            for (long i = 0; i < n; i++) {
                byte b = buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
                if (b == '\n') {
                    emit(line, output);
                } else {
                    line.write(b);
                    if (line.size() >= 8192) {
                        emit(line, output);
                    }
                }
            }
        }

        @Override
        public void end() {
            if (line.size() > 0) {
                emit(line, output);
            }
        }
    }

    /** What a reader still reads once the runner has ended: what it wrote last, not a grandchild's stream. */
    private static final long AFTER_END = 1 << 20;

    /**
     * Hands what the runner writes to {@code sink} until the pipe ends, or, once the runner has ended,
     * until nothing is left to read (or {@link #AFTER_END} bytes more): a process the library started may
     * keep the pipe open, and write, for ever, and must not keep this thread. Then closes the pipe.
     */
    static void drain(int fd, Sink sink, CompletableFuture<RunnerProcess.Exit> exit) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            MemorySegment state = Syscalls.state(arena);
            int flags = (int) Syscalls.FCNTL.invokeExact(fd, Syscalls.F_GETFL, 0);
            int ignored = (int) Syscalls.FCNTL.invokeExact(fd, Syscalls.F_SETFL, flags | Syscalls.O_NONBLOCK);
            MemorySegment poll = arena.allocate(8);
            poll.set(JAVA_INT, 0, fd);
            poll.set(JAVA_SHORT, 4, Syscalls.POLLIN);
            long afterEnd = 0;
            for (;;) {
                boolean ended = exit.isDone();
                long n = (long) Syscalls.READ.invokeExact(state, fd, buffer, 4096L);
                if (n < 0 && Syscalls.errno(state) == Syscalls.EINTR) {
                    continue;
                }
                if (n < 0 && Syscalls.errno(state) == Syscalls.EAGAIN) {
                    if (ended) {
                        break; // the runner is gone and its output read: a grandchild's is not ours to wait for
                    }
                    // Nothing yet: wait for output, looking every 100 ms whether the runner has ended.
                    int polled = (int) Syscalls.POLL.invokeExact(state, poll, 1L, 100);
                    continue;
                }
                if (n <= 0) {
                    break;
                }
                sink.accept(buffer, n);
                afterEnd += ended ? n : 0;
                if (afterEnd > AFTER_END) {
                    break; // a process the library started keeps writing: not ours to read for ever
                }
            }
            sink.end();
        } catch (Throwable t) {
            // the reader ends; the runner's output goes nowhere from now on
        } finally {
            Syscalls.close(fd);
        }
    }

    private static void emit(java.io.ByteArrayOutputStream line, Consumer<String> output) {
        String text = line.toString(java.nio.charset.StandardCharsets.UTF_8);
        line.reset();
        try {
            output.accept(text);
        } catch (RuntimeException e) {
            // the consumer's own failure: the next line still goes to it
        }
    }
}
