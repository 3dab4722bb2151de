package dev.dynload.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The shared memory between the host and one runner: a header, then slots, one call each at a time. The
 * numbers are dynload_runner.c's, and the first thing the runner checks (a mismatch is a named refusal).
 *
 * <p>A call claims a free slot, writes its request, marks it REQUEST and wakes the slot's worker if it
 * sleeps; the worker marks it RUNNING, calls, writes the result, marks it DONE and wakes the caller if it
 * sleeps. Both sides spin briefly before they sleep on the state word's futex, so a hot call makes no
 * system call. A store of the state followed by a load of the other side's "sleeps" flag, both
 * sequentially consistent, means no wake-up is lost.
 */
public final class Channel implements AutoCloseable {

    static final long MAGIC = 0x314e55524c4e5944L; // "DYNLRUN1"
    public static final int VERSION = 8;
    static final int HEADER = 256;
    static final int SLOT = 4096;
    static final int NAME_BYTES = 256;

    static final long H_MAGIC = 0;
    static final long H_VERSION = 8;
    static final long H_HEADER_SIZE = 12;
    static final long H_SLOT_SIZE = 16;
    static final long H_SLOTS = 20;
    static final long H_STATE = 24;
    static final long H_BULK_SIZE = 32;
    /** The runner's worker threads started so far, a hint of which slots have one (most start after READY). */
    static final long H_WORKERS = 36;
    /** Bumped, and woken, each time a thread of the library's puts an UPCALL in a slot. */
    static final long H_UPCALLS = 40;
    static final long H_MESSAGE = 64;

    static final long S_STATE = 0;
    static final long S_RUNNER_SLEEPS = 4;
    static final long S_HOST_SLEEPS = 8;
    static final long S_KIND = 12;
    static final long S_FUNCTION = 16;
    static final long S_RETURN = 20;
    static final long S_INTS = 24;
    static final long S_FLOATS = 28;
    static final long S_INT_ARGS = 32;
    static final long S_FLOAT_ARGS = 80;
    static final long S_RESULT = 128;
    static final long S_ERROR = 136;
    static final long S_POINTERS = 140;
    static final long S_RESULT_LENGTH = 144;
    static final long S_BULK_POINTERS = 152;
    /** Bit k: integer argument k is a Java callback (bit k + 8: it returns a double or a float). */
    static final long S_CALLBACKS = 156;
    /** The argument position of the callback being called back (its arguments in S_INT_ARGS, S_FLOAT_ARGS). */
    static final long S_CALLBACK = 160;
    /** errno as the call left it (0 before it), for @Errno. */
    static final long S_ERRNO = 164;
    /**
     * Each slot's bulk area, after all the slots: arrays too large for the slot's data area, up to 2 MiB a
     * call. Shared memory that only the pages a call touches make resident.
     */
    public static final int BULK = 2 << 20;
    /** The eightbytes of stack arguments a call passes (structs in memory), at most {@link #STACK_MAX}. */
    static final long S_STACK = 168;
    /** A two-eightbyte struct result's second eightbyte (S_RESULT holds its first). */
    static final long S_RESULT2 = 176;
    /** For results 9 and 10: the bytes, or the strings, to copy from the pointer the call returned. */
    static final long S_COPY = 184;
    /** Where in the slot's bulk area that copy goes. */
    static final long S_COPY_AT = 192;
    /** For a string result: 1 + the index of the function that frees it ({@code @FreeWith}); 0 none. */
    static final long S_FREE = 196;
    /** Bit k: integer argument k is the number of a kept callback (bit k + 8: it returns a double or float). */
    static final long S_KEPT = 200;
    static final long S_NAME = 256;
    /** A call's stack arguments, in order: where a resolve's name goes (a call has none). */
    static final long S_STACK_ARGS = 256;
    /** The most eightbytes of stack arguments one call passes. */
    public static final int STACK_MAX = 32;
    /** Where the bytes of string arguments go, and a returned string's copy: the rest of the slot. */
    static final long S_DATA = 512;
    static final int DATA_SIZE = SLOT - (int) S_DATA;

    static final int FREE = 0;
    static final int CLAIMED = 1;
    static final int REQUEST = 2;
    static final int RUNNING = 3;
    static final int DONE = 4;
    /** Set by the host when the runner is gone: a caller waiting on the slot stops waiting. */
    static final int DEAD = 5;
    /** Set by the runner: the call in progress calls a Java callback, whose arguments are in the slot. */
    static final int CALLBACK = 6;
    /** Set by the host: the callback's result is in S_RESULT; the call goes on. */
    static final int CALLBACK_DONE = 7;
    /** Set by a thread of the library's: a kept callback to run, in a slot it took itself. */
    static final int UPCALL = 8;
    /** Set by the host: the kept callback's result is in S_RESULT; the runner's thread frees the slot. */
    static final int UPCALL_DONE = 9;

    static final int STARTING = 0;
    static final int READY = 1;
    static final int REFUSED = 2;

    static final VarHandle INT = JAVA_INT.varHandle();

    private final int fd;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final int slots;
    private final MemorySegment memory;

    private Channel(int fd, int slots, MemorySegment memory) {
        this.fd = fd;
        this.slots = slots;
        this.memory = memory;
    }

    /** Makes a channel of {@code slots} slots in a memory file, laid out for a runner. */
    static Channel create(int slots) throws IOException {
        long size = HEADER + (long) slots * (SLOT + BULK);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Syscalls.state(arena);
            int fd = (int) Syscalls.MEMFD_CREATE.invokeExact(state, arena.allocateFrom("dynload-channel"), 1);
            if (fd < 0) {
                throw new IOException("memfd_create: " + dev.dynload.internal.posix.Libc.strerror(Syscalls.errno(state)));
            }
            if ((int) Syscalls.FTRUNCATE.invokeExact(state, fd, size) != 0) {
                Syscalls.close(fd);
                throw new IOException("ftruncate: " + dev.dynload.internal.posix.Libc.strerror(Syscalls.errno(state)));
            }
            MemorySegment at = (MemorySegment) Syscalls.MMAP.invokeExact(state, MemorySegment.NULL, size, 3, 1, fd, 0L);
            if (at.address() == -1L) {
                Syscalls.close(fd);
                throw new IOException("mmap: " + dev.dynload.internal.posix.Libc.strerror(Syscalls.errno(state)));
            }
            MemorySegment memory = at.reinterpret(size);
            memory.set(JAVA_LONG, H_MAGIC, MAGIC);
            memory.set(JAVA_INT, H_VERSION, VERSION);
            memory.set(JAVA_INT, H_HEADER_SIZE, HEADER);
            memory.set(JAVA_INT, H_SLOT_SIZE, SLOT);
            memory.set(JAVA_INT, H_SLOTS, slots);
            memory.set(JAVA_INT, H_BULK_SIZE, BULK);
            return new Channel(fd, slots, memory);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int fd() {
        return fd;
    }

    MemorySegment header() {
        return memory;
    }

    MemorySegment slot(int index) {
        return memory.asSlice(HEADER + (long) index * SLOT, SLOT);
    }

    /** {@return the bulk area of the slot {@code slot}} */
    MemorySegment bulkOf(MemorySegment slot) {
        long index = (slot.address() - memory.address() - HEADER) / SLOT;
        return memory.asSlice(HEADER + (long) slots * SLOT + index * BULK, BULK);
    }

    /** {@return the runner's reason for refusing, from the header} */
    String refusal() {
        return text(memory.asSlice(H_MESSAGE, HEADER - H_MESSAGE).toArray(ValueLayout.JAVA_BYTE));
    }

    /** {@return the UTF-8 text the runner wrote at the start of {@code bytes}: up to its NUL, or all of them} */
    static String text(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    static int state(MemorySegment slot) {
        return (int) INT.getVolatile(slot, S_STATE);
    }

    static void setState(MemorySegment slot, int state) {
        INT.setVolatile(slot, S_STATE, state);
    }

    static boolean claim(MemorySegment slot) {
        return INT.compareAndSet(slot, S_STATE, FREE, CLAIMED);
    }

    static boolean flag(MemorySegment slot, long offset) {
        return (int) INT.getVolatile(slot, offset) != 0;
    }

    static void setFlag(MemorySegment slot, long offset, boolean on) {
        INT.setVolatile(slot, offset, on ? 1 : 0);
    }

    /** Marks every slot a call may wait on DEAD and wakes its caller: the runner is gone. */
    void endAll() {
        INT.setVolatile(memory, H_STATE, REFUSED);
        Futex.wake(memory.address() + H_STATE);
        for (int i = 0; i < slots; i++) {
            MemorySegment s = slot(i);
            setState(s, DEAD);
            Futex.wake(s.address() + S_STATE);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            int ignored = (int) Syscalls.MUNMAP.invokeExact(memory, memory.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        Syscalls.close(fd);
    }

    static void writeName(MemorySegment slot, String name) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, slot, ValueLayout.JAVA_BYTE, S_NAME, Math.min(bytes.length, NAME_BYTES - 1));
        slot.set(ValueLayout.JAVA_BYTE, S_NAME + Math.min(bytes.length, NAME_BYTES - 1), (byte) 0);
    }
}
