package dev.dynload.elf;

/**
 * Sorts a long[] in place, by heapsort: {@code Arrays.sort} would do, but its first use in a JVM spins
 * classes that cost a fresh JVM more than checking a small library does, and a library is checked before
 * every first load.
 */
final class Sorting {

    private Sorting() {
    }

    /** Sorts the first {@code n} values of {@code a}, ascending. */
    static void sort(long[] a, int n) {
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(a, i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            long top = a[0];
            a[0] = a[end];
            a[end] = top;
            siftDown(a, 0, end);
        }
    }

    private static void siftDown(long[] a, int i, int n) {
        long v = a[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && a[child + 1] > a[child]) {
                child++;
            }
            if (a[child] <= v) {
                break;
            }
            a[i] = a[child];
            i = child;
        }
        a[i] = v;
    }
}
