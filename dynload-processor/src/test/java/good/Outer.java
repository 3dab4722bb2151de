package good;

import dev.dynload.bind.CEnum;
import dev.dynload.bind.Errno;
import dev.dynload.bind.In;
import dev.dynload.bind.LibraryInterface;
import dev.dynload.bind.Ref;
import dev.dynload.bind.SizeT;
import dev.dynload.bind.Symbol;

import java.lang.foreign.MemorySegment;

/** A library interface nested in a class, using most rows of the type table, for the C library. */
public final class Outer {

    private Outer() {
    }

    public record Timeval(long seconds, long micros) {
    }

    public enum Whence implements CEnum {
        SET(0), CUR(1), END(2);

        private final int value;

        Whence(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    public interface Compare {
        int compare(MemorySegment a, MemorySegment b);
    }

    @LibraryInterface
    public interface LibC {
        int abs(int x);

        @SizeT long strlen(String s);

        @Symbol("strlen") @SizeT long length(@In byte[] s);

        void qsort(int[] base, @SizeT long n, @SizeT long size, Compare compare);

        int gettimeofday(Ref<Timeval> tv, MemorySegment tz);

        @Errno int close(int fd);

        long lseek(int fd, long offset, Whence whence);

        String getenv(String name);
    }
}
