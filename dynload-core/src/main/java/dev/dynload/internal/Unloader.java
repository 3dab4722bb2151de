package dev.dynload.internal;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Unloads closed libraries whose bound calls were still running when they closed: one daemon thread,
 * started when first needed, asks each such library whether its calls have returned, and unloads it
 * when they have. Nothing tells Java that a native call returned without costing every call, so the
 * thread asks again after a pause that grows from a millisecond to a tenth of a second, and ends once
 * nothing is left to unload.
 */
public final class Unloader {

    private record Pending(Predicate<Map<Thread, StackTraceElement[]>> idle, Supplier<Optional<String>> unload) {
    }

    private static final List<Pending> PENDING = new ArrayList<>();
    private static @Nullable Thread thread;

    private Unloader() {
    }

    /**
     * Unloads a library once {@code idle} says its calls have returned.
     *
     * @param idle whether no call into it runs any more, given every platform thread's stack
     * @param unload hands it back to the loader, which also completes its {@code whenUnloaded()}
     */
    public static void later(Predicate<Map<Thread, StackTraceElement[]>> idle, Supplier<Optional<String>> unload) {
        synchronized (PENDING) {
            PENDING.add(new Pending(idle, unload));
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("dynload-unloader").start(Unloader::run);
            }
        }
    }

    private static void run() {
        long pause = 1_000_000L;
        while (true) {
            // The entries first, then one snapshot of every stack: each entry's library was unlinked
            // before the entry was added, so the snapshot shows every bound call that entry must wait
            // for. (A snapshot taken before an entry was added could predate its unlink.)
            List<Pending> waiting;
            synchronized (PENDING) {
                waiting = new ArrayList<>(PENDING);
            }
            Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
            List<Pending> ready = new ArrayList<>();
            for (Pending p : waiting) {
                if (p.idle.test(stacks)) {
                    ready.add(p);
                }
            }
            synchronized (PENDING) {
                PENDING.removeAll(ready);
            }
            for (Pending p : ready) {
                try {
                    p.unload.get(); // the loader's error goes to whenUnloaded(), which this completes
                } catch (RuntimeException | Error e) {
                    // One library's failure must not stop the others' unloading; whenUnloaded() has it.
                }
            }
            synchronized (PENDING) {
                if (PENDING.isEmpty()) {
                    thread = null;
                    return;
                }
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 100_000_000L);
        }
    }
}
