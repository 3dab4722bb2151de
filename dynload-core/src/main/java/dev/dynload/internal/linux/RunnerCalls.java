package dev.dynload.internal.linux;


import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import org.jspecify.annotations.Nullable;

/**
 * A library (or plugins) running in a runner process, and the calls into it: what
 * {@code dev.dynload.IsolatedLibrary} stands on. {@link RunnerStart} starts one; a call claims a slot and
 * waits for its answer, its deadline, or the runner's end, whichever comes first. Past the deadline the runner is killed: code that
 * does not return cannot be stopped any other way.
 */
public final class RunnerCalls implements AutoCloseable {

    /** Slots, so calls from this many threads run at once. */
    static final int SLOTS = 16;
    /** Checks of the state word before a caller sleeps on it: a few microseconds. */
    private static final int SPINS = 2_000;
    /** The longest a caller sleeps before it looks whether the runner still runs. */
    private static final long NAP = 50_000_000L;

    final Channel channel;
    final RunnerProcess process;
    private final AtomicReference<@Nullable String> deadlineCause = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Calls between their start and their end: the channel is unmapped only when none is. */
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger();

    RunnerCalls(Channel channel, RunnerProcess process) {
        this.channel = channel;
        this.process = process;
    }

    /** Kills nothing; waits for the monitor to reap the runner, then frees the channel. */
    RunnerProcess.Exit closeWhenEnded() {
        RunnerProcess.Exit exit = process.exit().join();
        closed.set(true);
        channel.close();
        return exit;
    }

    /** {@return the runner's process id} */
    public long pid() {
        return process.pid();
    }

    /** {@return whether the runner still runs} */
    public boolean alive() {
        return !process.ended();
    }

    /** {@return how the runner ended, once it has} */
    public RunnerProcess.@Nullable Exit exit() {
        return process.exit().getNow(null);
    }

    /**
     * Finds a function of the library in the runner.
     *
     * @return its index for {@link #call}, or -1 when the library does not export it
     */
    public int resolve(String name, long deadlineNanos) throws NoAnswer {
        enter();
        try {
            return resolveIn(name, deadlineNanos);
        } finally {
            leave();
        }
    }

    private int resolveIn(String name, long deadlineNanos) throws NoAnswer {
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= Channel.NAME_BYTES) {
            return -1; // longer than the channel carries: never cut to another symbol's name
        }
        long end = System.nanoTime() + deadlineNanos;
        MemorySegment slot = claim(name, end);
        slot.set(JAVA_INT, Channel.S_KIND, 1);
        Channel.writeName(slot, name);
        await(slot, name, end, deadlineNanos);
        int error = slot.get(JAVA_INT, Channel.S_ERROR);
        int index = slot.get(JAVA_INT, Channel.S_FUNCTION);
        release(slot);
        return error == 0 ? index : -1;
    }

    /**
     * Calls function {@code index} with integer arguments in {@code ints} and floating-point ones (a
     * double's bits, or a float's in the low 32) in {@code floats}. The integer arguments whose bit is set in
     * {@code pointers} are offsets into the slot, which the runner turns into addresses: where {@code data}
     * is copied ({@link Channel#S_DATA} on), the bytes of string and array arguments; with
     * {@code copyBack}, what the function left there is copied back into {@code data} (arrays it filled).
     *
     * @param returns 0 void, 1 an integer or pointer, 2 a double, 3 a float; a struct in two registers
     *                (x86-64): 5 integer, integer; 6 SSE, SSE; 7 integer, SSE; 8 SSE, integer (see {@link StructClasses})
     * @return the result's bits
     */
    public long call(int index, String name, int returns, long[] ints, int intCount, long[] floats, int floatCount,
                     int pointers, byte[] data, int dataLength, boolean copyBack, long deadlineNanos) throws NoAnswer {
        return call(index, name, returns, ints, intCount, floats, floatCount, pointers, data, dataLength, copyBack,
                0, java.util.List.of(), 0, null, null, deadlineNanos);
    }



    /** Where calls to functions of dependencies in other processes go (plugin mode); null: they get 0. */
    private volatile @Nullable CallbackHandler remote;

    /** Sets where the runner's calls to remote trampolines go: position K is plugins.c's trampoline K. */
    public void onRemote(CallbackHandler handler) {
        this.remote = handler;
    }

    /** {@return the room in a slot's bulk area, for the arrays of one call} */
    public static int bulkSize() {
        return Channel.BULK;
    }

    /** As {@link #call(int, String, int, long[], int, long[], int, int, byte[], int, boolean, long)}, with large arrays. */
    public long call(int index, String name, int returns, long[] ints, int intCount, long[] floats, int floatCount,
                     int pointers, byte[] data, int dataLength, boolean copyBack, int bulkPointers,
                     java.util.List<Bulk> bulk, int callbacks, @Nullable CallbackHandler handler, @Nullable Frame frame,
                     long deadlineNanos) throws NoAnswer {
        enter();
        try {
            long end = System.nanoTime() + deadlineNanos;
            MemorySegment slot = claim(name, end);
            MemorySegment area = bulk.isEmpty() && (frame == null || frame.copy < 0) ? null : channel.bulkOf(slot);
            try {
                for (Bulk b : bulk) {
                    if (b.in()) {
                        MemorySegment.copy(b.array(), 0, area, b.element(), b.offset(),
                                java.lang.reflect.Array.getLength(b.array()));
                    } else {
                        area.asSlice(b.offset(), b.bytes()).fill((byte) 0); // @Out: C finds zeros, as in process
                    }
                }
                slot.set(JAVA_INT, Channel.S_BULK_POINTERS, bulkPointers);
                slot.set(JAVA_INT, Channel.S_CALLBACKS, callbacks);
                fill(slot, index, returns, ints, intCount, floats, floatCount, pointers, data, dataLength, frame);
            } catch (RuntimeException | Error e) {
                unclaim(slot); // nothing was asked of the runner: the slot is free again
                throw e;
            }
            await(slot, name, end, deadlineNanos, handler);
            long result = slot.get(JAVA_LONG, Channel.S_RESULT);
            if (frame != null) {
                frame.errno = slot.get(JAVA_INT, Channel.S_ERRNO);
                frame.second = slot.get(JAVA_LONG, Channel.S_RESULT2);
                if (frame.copy >= 0 && result != 0 && result != -1) {
                    frame.readCopy(slot.get(JAVA_LONG, Channel.S_RESULT_LENGTH), area);
                }
            }
            if (copyBack && dataLength > 0) {
                // What the function wrote into its array arguments, back into data for the caller.
                MemorySegment.copy(slot, java.lang.foreign.ValueLayout.JAVA_BYTE, Channel.S_DATA, data, 0, dataLength);
            }
            if (copyBack) {
                for (Bulk b : bulk) {
                    if (!b.out()) {
                        continue; // @In: what C did to it is not the caller's
                    }
                    MemorySegment.copy(area, b.element(), b.offset(), b.array(), 0,
                            java.lang.reflect.Array.getLength(b.array()));
                }
            }
            release(slot);
            return result;
        } finally {
            leave();
        }
    }

    /**
     * As {@link #call}, for a function that returns a C string: its bytes, copied back through the slot.
     *
     * @return the string's bytes, or null for NULL; an array of {@link Channel#DATA_SIZE} bytes when the
     *         string was as long or longer, which the slot cannot carry whole
     */
    public byte @Nullable [] callForText(int index, String name, long[] ints, int intCount, long[] floats,
                                         int floatCount, int pointers, byte[] data, int dataLength,
                                         @Nullable Frame frame, long deadlineNanos) throws NoAnswer {
        enter();
        try {
            long end = System.nanoTime() + deadlineNanos;
            MemorySegment slot = request(index, name, 4, ints, intCount, floats, floatCount, pointers, data,
                    dataLength, frame, end, deadlineNanos);
            if (frame != null) {
                frame.errno = slot.get(JAVA_INT, Channel.S_ERRNO);
            }
            long length = slot.get(JAVA_LONG, Channel.S_RESULT_LENGTH);
            byte[] text = length < 0 ? null
                    : slot.asSlice(Channel.S_DATA, Math.min(length, Channel.DATA_SIZE)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            release(slot);
            return text;
        } finally {
            leave();
        }
    }


    /**
     * Runs one lifecycle step of plugin {@code plugin} in a runner started by {@link RunnerStart#startPlugins}: the step
     * in {@code ints[0]}, its arguments after it, and its bytes in {@code data} (plugins.c says which).
     *
     * @param name what the step is, for messages: "init", "start"
     */
    public StepAnswer step(int plugin, String name, long[] ints, byte[] data, int dataLength, long deadlineNanos)
            throws NoAnswer {
        if (dataLength >= Channel.DATA_SIZE) {
            throw new IllegalArgumentException(name + ": " + dataLength + " bytes, more than a step carries ("
                    + (Channel.DATA_SIZE - 1) + ")");
        }
        enter();
        try {
            long end = System.nanoTime() + deadlineNanos;
            MemorySegment slot = claim(name, end);
            slot.set(JAVA_INT, Channel.S_KIND, 3);
            slot.set(JAVA_INT, Channel.S_FUNCTION, plugin);
            slot.set(JAVA_LONG, Channel.S_RESULT, 0);
            for (int i = 0; i < 6; i++) {
                slot.set(JAVA_LONG, Channel.S_INT_ARGS + 8L * i, i < ints.length ? ints[i] : 0);
            }
            MemorySegment.copy(data, 0, slot, java.lang.foreign.ValueLayout.JAVA_BYTE, Channel.S_DATA, dataLength);
            slot.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Channel.S_DATA + Math.min(dataLength, Channel.DATA_SIZE - 1),
                    (byte) 0);
            await(slot, name, end, deadlineNanos);
            StepAnswer answer = new StepAnswer(slot.get(JAVA_LONG, Channel.S_RESULT), slot.get(JAVA_INT, Channel.S_ERROR),
                    slot.asSlice(Channel.S_DATA, Channel.DATA_SIZE).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            release(slot);
            return answer;
        } finally {
            leave();
        }
    }

    /** {@return where in a slot the bytes of string arguments begin, for the offsets in {@code ints}} */
    public static int dataOffset() {
        return (int) Channel.S_DATA;
    }

    /** The room in a slot for the bytes of string arguments. */
    public static int dataSize() {
        return Channel.DATA_SIZE;
    }

    private MemorySegment request(int index, String name, int returns, long[] ints, int intCount, long[] floats,
                                  int floatCount, int pointers, byte[] data, int dataLength, @Nullable Frame frame,
                                  long end, long deadlineNanos) throws NoAnswer {
        MemorySegment slot = claim(name, end);
        try {
            slot.set(JAVA_INT, Channel.S_BULK_POINTERS, 0);
            slot.set(JAVA_INT, Channel.S_CALLBACKS, 0);
            fill(slot, index, returns, ints, intCount, floats, floatCount, pointers, data, dataLength, frame);
        } catch (RuntimeException | Error e) {
            unclaim(slot);
            throw e;
        }
        await(slot, name, end, deadlineNanos);
        return slot;
    }

    /** Writes a call's request into a claimed slot. */
    private static void fill(MemorySegment slot, int index, int returns, long[] ints, int intCount, long[] floats,
                             int floatCount, int pointers, byte[] data, int dataLength, @Nullable Frame frame) {
        slot.set(JAVA_INT, Channel.S_KIND, 2);
        slot.set(JAVA_LONG, Channel.S_COPY, frame == null ? -1 : frame.copy);
        slot.set(JAVA_INT, Channel.S_COPY_AT, frame == null ? 0 : frame.copyAt);
        slot.set(JAVA_INT, Channel.S_FREE, frame == null ? 0 : frame.freeWith);
        slot.set(JAVA_INT, Channel.S_KEPT, frame == null ? 0 : frame.kept);
        int stack = frame == null ? 0 : frame.stackCount;
        slot.set(JAVA_INT, Channel.S_STACK, stack);
        for (int i = 0; i < stack; i++) {
            slot.set(JAVA_LONG, Channel.S_STACK_ARGS + 8L * i, frame.stack[i]);
        }
        slot.set(JAVA_INT, Channel.S_FUNCTION, index);
        slot.set(JAVA_INT, Channel.S_RETURN, returns);
        slot.set(JAVA_INT, Channel.S_INTS, intCount);
        slot.set(JAVA_INT, Channel.S_FLOATS, floatCount);
        slot.set(JAVA_INT, Channel.S_POINTERS, pointers);
        for (int i = 0; i < 6; i++) {
            slot.set(JAVA_LONG, Channel.S_INT_ARGS + 8L * i, i < intCount ? ints[i] : 0);
            slot.set(JAVA_LONG, Channel.S_FLOAT_ARGS + 8L * i, i < floatCount ? floats[i] : 0);
        }
        if (dataLength > 0) {
            MemorySegment.copy(data, 0, slot, java.lang.foreign.ValueLayout.JAVA_BYTE, Channel.S_DATA, dataLength);
        }
    }

    /** Frees a slot claimed for a request that was never made; a slot the runner's end marked DEAD stays so. */
    private static void unclaim(MemorySegment slot) {
        Channel.INT.compareAndSet(slot, Channel.S_STATE, Channel.CLAIMED, Channel.FREE);
    }

    /** Frees a slot after its answer was read; a slot the runner's end marked DEAD stays so. */
    private static void release(MemorySegment slot) {
        Channel.INT.compareAndSet(slot, Channel.S_STATE, Channel.DONE, Channel.FREE);
    }

    /** Claims a free slot, the thread's own first; spins, then yields, while all are busy. */
    private MemorySegment claim(String name, long end) throws NoAnswer {
        for (int round = 0; ; round++) {
            checkUsable(name); // first: a closed library's channel may be unmapped
            // A slot whose worker has started, if it is free: the runner makes its workers after READY.
            int workers = (int) Channel.INT.getVolatile(channel.header(), Channel.H_WORKERS);
            int first = (int) (Thread.currentThread().threadId() % Math.max(1, Math.min(SLOTS, workers)));
            for (int i = 0; i < SLOTS; i++) {
                MemorySegment slot = channel.slot((first + i) % SLOTS);
                if (Channel.claim(slot)) {
                    return slot;
                }
            }
            if (System.nanoTime() - end > 0) {
                throw new NoAnswer(NoAnswer.Failure.BUSY, null, name + ": all " + SLOTS + " slots stayed busy with other "
                        + "calls past the deadline");
            }
            if (round > 100) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private void checkUsable(String name) throws NoAnswer {
        if (closed.get()) {
            throw new NoAnswer(NoAnswer.Failure.CLOSED, null, name + ": the library was closed");
        }
        if (process.ended()) {
            throw ended(name);
        }
    }

    private NoAnswer ended(String name) {
        if (closed.get()) {
            return new NoAnswer(NoAnswer.Failure.CLOSED, process.exit().getNow(null), name + ": the library was closed");
        }
        String cause = deadlineCause.get();
        RunnerProcess.Exit exit = process.exit().join();
        if (cause != null) {
            return new NoAnswer(NoAnswer.Failure.DEADLINE, exit, cause);
        }
        return new NoAnswer(NoAnswer.Failure.ENDED, exit, name + ": the runner ended (" + exit.describe() + ")");
    }

    /** Hands the request to the runner and waits for DONE, the runner's end, or the deadline. */
    private void await(MemorySegment slot, String name, long end, long deadlineNanos) throws NoAnswer {
        await(slot, name, end, deadlineNanos, null);
    }

    /**
     * Hands the request to the runner and waits for DONE, the runner's end, or the deadline; answers the
     * call's callbacks meanwhile (the time they take in Java does not count toward the deadline).
     */
    private void await(MemorySegment slot, String name, long end, long deadlineNanos,
                       @Nullable CallbackHandler handler) throws NoAnswer {
        Throwable failure = null;
        long stateAddress = slot.address() + Channel.S_STATE;
        if (!Channel.INT.compareAndSet(slot, Channel.S_STATE, Channel.CLAIMED, Channel.REQUEST)) {
            process.exit().join(); // only the runner's end (every slot DEAD) takes a claimed slot away
            throw ended(name);
        }
        if (Channel.flag(slot, Channel.S_RUNNER_SLEEPS)) {
            Futex.wake(stateAddress);
        }
        int state = Channel.REQUEST;
        for (int spin = 0; spin < SPINS; spin++) {
            state = Channel.state(slot);
            if (state == Channel.DONE || state == Channel.DEAD || state == Channel.CALLBACK) {
                break;
            }
            Thread.onSpinWait();
        }
        Channel.setFlag(slot, Channel.S_HOST_SLEEPS, true);
        try {
            while ((state = Channel.state(slot)) != Channel.DONE && state != Channel.DEAD) {
                if (state == Channel.CALLBACK) {
                    long began = System.nanoTime();
                    Channel.setFlag(slot, Channel.S_HOST_SLEEPS, false);
                    try {
                        answer(slot, handler);
                    } catch (Throwable t) { // a VM error in Java: the call still ends, then it is thrown
                        failure = failure == null ? t : failure;
                    }
                    Channel.setFlag(slot, Channel.S_HOST_SLEEPS, true);
                    end += System.nanoTime() - began; // the Java side's time is not the library's
                    continue;
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    String cause = name + ": the call passed its deadline of " + deadlineNanos / 1_000_000
                            + " ms; the runner was killed";
                    deadlineCause.compareAndSet(null, cause);
                    process.kill();
                    process.exit().join();
                    throw ended(name);
                }
                if (process.ended()) {
                    throw ended(name); // its end marked the slot DEAD, or is about to: either way, no answer
                }
                Futex.await(stateAddress, state, Math.min(left, NAP));
            }
        } finally {
            Channel.setFlag(slot, Channel.S_HOST_SLEEPS, false);
        }
        if (state == Channel.DEAD) {
            process.exit().join(); // the monitor marks the slots DEAD once it has reaped the runner
            throw ended(name);
        }
        if (failure != null) {
            release(slot); // DONE: the slot is free again before the error goes on
            if (failure instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) failure; // answer() throws nothing checked
        }
    }

    /** Runs the callback the runner asked for, writes its result, and lets the call go on. */
    private void answer(MemorySegment slot, @Nullable CallbackHandler handler) {
        SlotCallbacks.answer(slot, handler, remote, kept, channel.bulkOf(slot));
    }

    /** Where kept callbacks go (an Arena parameter's), by their number; null until the first is kept. */
    private volatile @Nullable CallbackHandler kept;
    private final AtomicBoolean serving = new AtomicBoolean();

    /**
     * Sets where kept callbacks go and starts, once, the thread that answers the UPCALLs of the library's
     * own threads: it sleeps on H_UPCALLS, runs each kept callback it finds, and ends with the runner.
     */
    public void onKept(CallbackHandler handler) {
        this.kept = handler;
        if (serving.compareAndSet(false, true)) {
            Thread upcalls = new Thread(this::serveUpcalls, "dynload-runner-upcalls-" + process.pid());
            upcalls.setDaemon(true);
            upcalls.start();
        }
    }

    private void serveUpcalls() {
        enter(); // the channel stays mapped while this thread, and the upcalls it hands out, read it
        java.util.concurrent.ExecutorService answering = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dynload-runner-upcalls-" + process.pid() + "-answer");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.atomic.AtomicIntegerArray taken = new java.util.concurrent.atomic.AtomicIntegerArray(SLOTS);
        java.util.concurrent.Phaser answers = new java.util.concurrent.Phaser(1);
        try {
            if (closed.get()) {
                return; // closed before this thread began: the channel may be unmapped already
            }
            MemorySegment header = channel.header();
            long upcalls = header.address() + Channel.H_UPCALLS;
            while (!closed.get() && !process.ended()) {
                int seen = (int) Channel.INT.getVolatile(header, Channel.H_UPCALLS);
                for (int i = 0; i < SLOTS; i++) {
                    MemorySegment slot = channel.slot(i);
                    if (Channel.state(slot) == Channel.UPCALL && taken.compareAndSet(i, 0, 1)) {
                        // Each on a thread of its own: a kept callback may wait for another the library makes.
                        int which = i;
                        answers.register();
                        answering.execute(() -> {
                            try {
                                SlotCallbacks.upcall(slot, kept, () -> taken.set(which, 0));
                            } finally {
                                answers.arriveAndDeregister();
                            }
                        });
                    }
                }
                Futex.await(upcalls, seen, NAP); // a bump or a wake-up returns at once; NAP rechecks the end
            }
        } finally {
            answering.shutdown();
            answers.arriveAndAwaitAdvance(); // the answers still running read the channel: it stays mapped for them
            leave();
        }
    }

    /** Set by close once the runner is reaped and its monitor done: only the calls still in it use the channel. */
    private volatile boolean drained;

    private void enter() {
        users.incrementAndGet();
    }

    private void leave() {
        if (users.decrementAndGet() == 0 && drained) {
            channel.close(); // the last call to leave a closed runner's channel frees it
        }
    }

    /** Ends the runner and frees the channel. Calls still waiting end with {@link NoAnswer.Failure#CLOSED} or ENDED. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        process.kill();
        process.awaitEnd(); // reaped, its monitor done, every slot DEAD: the calls still in the channel leave it
        if (serving.get()) {
            Futex.wake(channel.header().address() + Channel.H_UPCALLS); // the upcall thread ends now, not at its nap
        }
        drained = true; // from now on the last call to leave may free the channel: nothing else writes to it
        if (users.get() == 0) {
            channel.close();
        } // else the last call to leave frees it: close never waits for a call (one may be this thread's own,
          // from a Java callback, or wait for a lock this thread holds); every one of them has been woken
    }
}
