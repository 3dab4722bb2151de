package dev.dynload.fuzz;

import dev.dynload.Library;
import dev.dynload.LibraryLoadException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JVM that opens one path in a loop while another thread swaps the file behind it, by atomic rename,
 * between a good library, a truncated copy and a FIFO. Before dynload opened the file once and loaded
 * that open file, a truncated copy swapped in after the check killed the JVM with SIGBUS, and a FIFO
 * blocked dlopen (and the JVM's shutdown) forever.
 *
 * <p>{@code SwapRace DIR GOOD COUNT [SECONDS]}: DIR holds the sources ({@code good.so}, {@code short.so},
 * {@code fifo}); opens COUNT times, or for SECONDS when given (for {@code scripts/fuzz}). Prints one line
 * of counts and exits 0; a death or a hang is seen by whoever started it.
 */
public final class SwapRace {

    private SwapRace() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long count = Long.parseLong(args[1]);
        long until = args.length > 2 ? System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L : Long.MAX_VALUE;
        Path target = dir.resolve("libswapped.so");
        Path[] sources = {dir.resolve("good.so"), dir.resolve("short.so"), dir.resolve("fifo")};
        Files.copy(sources[0], target, StandardCopyOption.REPLACE_EXISTING);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong swaps = new AtomicLong();
        Thread swapper = Thread.ofPlatform().start(() -> {
            Path next = dir.resolve("next");
            int i = 0;
            while (!done.get()) {
                try {
                    Files.deleteIfExists(next);
                    Files.createLink(next, sources[i++ % sources.length]);
                    Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    swaps.incrementAndGet();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        Map<LibraryLoadException.Reason, Long> refused = new EnumMap<>(LibraryLoadException.Reason.class);
        long loaded = 0;
        long opens = 0;
        while (opens < count && System.nanoTime() < until) {
            opens++;
            try (Library lib = Library.open(target)) {
                loaded++;
            } catch (LibraryLoadException e) {
                refused.merge(e.reason(), 1L, Long::sum);
            }
        }
        done.set(true);
        swapper.join();
        System.out.println("opens " + opens + " loaded " + loaded + " refused " + refused + " swaps " + swaps.get());
    }
}
