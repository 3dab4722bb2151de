package dev.dynload.elf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.dynload.elf.ElfImage.hex;

/**
 * Every write the relocation tables make, as {@link Relocations} walks them: at the end, no two may
 * write the same bytes and none may write into what the loader itself reads. Bounded: past the most
 * writes a sound file can hold, the rest are refused with one problem.
 */
final class Writes {

    private final Verification verifier;
    /** Every word written, as [start, end) pairs, to find two relocations writing the same bytes. */
    private long[] written = new long[64];
    private int writes;
    /**
     * The most writes a sound file can hold: one per 4 bytes of the file contents relocations may write
     * (a linker writes each word once, and only initialized data has a value to relocate). DT_RELR encodes
     * 63 writes a word, so a damaged table could otherwise claim billions.
     */
    private final long maxWrites;
    private boolean tooMany;
    /** What the loader reads itself and no relocation may overwrite, as [start, end, name index) triples. */
    private final List<long[]> reserved = new ArrayList<>();
    private final List<String> reservedNames = new ArrayList<>();

    Writes(Verification verifier, long maxWrites) {
        this.verifier = verifier;
        this.maxWrites = maxWrites;
    }

    /** Marks [address, address + size) as read by the loader: no relocation may write there. */
    void reserve(long address, long size, String what) {
        if (size > 0) {
            reserved.add(new long[] {address, address + size});
            reservedNames.add(what);
        }
    }

    /** Records a write; false, with a problem, once there are more than a sound file can hold. */
    boolean record(long offset, int width) {
        if (tooMany) {
            return false;
        }
        if (writes >= maxWrites) {
            tooMany = true;
            verifier.problem("the relocation tables write more than " + maxWrites + " times, more than once per "
                    + "4 bytes of the writable data the file holds: a table's size or a DT_RELR bitmap is damaged");
            return false;
        }
        if (writes * 2 + 2 > written.length) {
            try {
                written = Arrays.copyOf(written, written.length * 2);
            } catch (OutOfMemoryError e) {
                tooMany = true; // the array that failed was the only one being made; the heap is as it was
                verifier.problem("the relocation tables write " + writes + " times or more, more than this JVM's "
                        + "heap can check (-Xmx)");
                return false;
            }
        }
        written[writes * 2] = offset;
        written[writes * 2 + 1] = offset + width;
        writes++;
        return true;
    }

    /**
     * After every table: no two relocations write the same bytes (a linker writes one per word; a damaged
     * offset that lands on another's word replaces what the other wrote), and none writes into what the
     * loader itself reads.
     */
    void finish() {
        if (tooMany) {
            return; // reported; the writes recorded are not all of them
        }
        // Each write packed as (start << 5 | width): starts lie below 2^40 (the largest span allowed) and
        // widths below 32, so sorting the packed values sorts by start, without a comparator.
        long[] packed = new long[writes];
        for (int i = 0; i < writes; i++) {
            packed[i] = written[i * 2] << 5 | (written[i * 2 + 1] - written[i * 2]);
        }
        Sorting.sort(packed, packed.length);
        for (int i = 1; i < packed.length; i++) {
            long previousEnd = (packed[i - 1] >>> 5) + (packed[i - 1] & 31);
            if ((packed[i] >>> 5) < previousEnd) {
                verifier.problem("two relocations write the bytes at " + hex(packed[i] >>> 5)
                        + ": one of them has a damaged offset");
                return;
            }
        }
        for (int r = 0; r < reserved.size(); r++) {
            long[] span = reserved.get(r);
            // The last write starting before the span's end, found by binary search on the packed starts.
            int i = Arrays.binarySearch(packed, span[1] << 5);
            int before = (i >= 0 ? i : -i - 1) - 1;
            if (before >= 0 && (packed[before] >>> 5) + (packed[before] & 31) > span[0]) {
                verifier.problem("a relocation writes at " + hex(packed[before] >>> 5) + ", inside " + reservedNames.get(r)
                        + ", which the loader reads");
                return;
            }
        }
    }
}
