package dev.dynload.fuzz;

import dev.dynload.format.NativeFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Damaged copies of Mach-O and PE files (and ELF ones) given to {@link NativeFile}'s readers: each copy is
 * read, verified and asked for a data object. A reader may throw {@link IOException} (the file is refused)
 * or report problems; anything else it throws is a defect, and so is a read that does not finish (a
 * watchdog names it) or a heap it fills (run with a small {@code -Xmx}).
 *
 * <p>Mutations hit the first 4 KiB (headers, load commands, section and directory tables) most, and the
 * rest of the file (the tables they point at) at random: one to four words set to 0, all ones, a small
 * number, a number near the file's size, or random bits.
 *
 * <pre>java -Xmx128m -cp ... dev.dynload.fuzz.FormatFuzz COUNT SEED FILE...</pre>
 */
public final class FormatFuzz {

    /** What a run found. */
    public record Result(int mutants, int refused, int read, List<String> defects) {
    }

    private FormatFuzz() {
    }

    public static void main(String[] args) throws IOException {
        int count = Integer.parseInt(args[0]);
        long seed = Long.parseLong(args[1]);
        List<Path> files = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            files.add(Path.of(args[i]));
        }
        Path work = Files.createTempDirectory("dynload-format-fuzz");
        Thread watchdog = watchdog();
        try {
            Result r = run(files, count, seed, work);
            r.defects().forEach(System.out::println);
            System.out.println(r.mutants() + " mutants of " + files.size() + " files: " + r.refused() + " refused, "
                    + r.read() + " read, " + r.defects().size() + " defects");
            if (!r.defects().isEmpty()) {
                System.exit(1);
            }
        } finally {
            watchdog.interrupt();
            try (var s = Files.list(work)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    /** The mutant being read, for the watchdog. */
    private static volatile String current = "";
    private static volatile long progress;

    /** Reports a mutant that is still being read after a while; a debugging aid, not a test assertion. */
    private static Thread watchdog() {
        Thread t = new Thread(() -> {
            long seen = -1;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    return;
                }
                if (progress == seen) {
                    System.out.println("STILL READING after 10 s: " + current);
                }
                seen = progress;
            }
        }, "format-fuzz-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Reads {@code count} mutants of each file.
     *
     * @param work a folder for the mutants, one file rewritten each time
     */
    public static Result run(List<Path> files, int count, long seed, Path work) throws IOException {
        Random random = new Random(seed);
        int refused = 0;
        int read = 0;
        List<String> defects = new ArrayList<>();
        Path mutant = work.resolve("mutant");
        for (Path file : files) {
            byte[] original = Files.readAllBytes(file);
            for (int i = 0; i < count; i++) {
                byte[] bytes = original.clone();
                String what = mutate(bytes, random);
                Files.write(mutant, bytes);
                current = file.getFileName() + " mutant " + i + ": " + what;
                progress++;
                try {
                    NativeFile.readAll(mutant);
                    NativeFile.verify(mutant);
                    NativeFile.readData(mutant, "foreign_version", 4096);
                    read++;
                } catch (IOException e) {
                    refused++;
                } catch (Throwable t) {
                    defects.add(current + ": " + t);
                }
            }
        }
        return new Result(files.size() * count, refused, read, defects);
    }

    private static String mutate(byte[] bytes, Random random) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int changes = 1 + random.nextInt(4);
        StringBuilder what = new StringBuilder();
        for (int c = 0; c < changes; c++) {
            int width = random.nextBoolean() ? 4 : random.nextBoolean() ? 2 : 8;
            int region = random.nextInt(10) < 7 ? Math.min(4096, bytes.length) : bytes.length;
            if (region <= width) {
                continue;
            }
            int at = random.nextInt(region - width) & ~(width - 1);
            long value = switch (random.nextInt(6)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> random.nextInt(64);
                case 3 -> bytes.length + random.nextInt(64) - 32;
                case 4 -> (b.getInt(at) & 0xffffffffL) + random.nextInt(17) - 8;
                default -> random.nextLong();
            };
            switch (width) {
                case 2 -> b.putShort(at, (short) value);
                case 4 -> b.putInt(at, (int) value);
                default -> b.putLong(at, value);
            }
            what.append(String.format("[%#x]=%#x/%d ", at, value, width));
        }
        return what.toString().strip();
    }
}
