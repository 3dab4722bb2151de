package dev.dynload.bind;

import org.jspecify.annotations.Nullable;

/**
 * A struct the C function writes to: an out-parameter ({@code struct timeval *tv}), or an in-out one.
 * The record it holds (zeros when it holds {@code null}) is copied into native memory for the call, and
 * what the function left there comes back as a new record in this reference when the call returns.
 * A {@code null} reference is passed as {@code NULL}.
 *
 * {@snippet lang=c :
 * struct timeval { int64_t tv_sec; int64_t tv_usec; };
 * int gettimeofday(struct timeval *tv, void *tz);
 * }
 * {@snippet :
 * record Timeval(long seconds, long micros) {}
 * interface Clock { int gettimeofday(Ref<Timeval> tv, MemorySegment tz); }
 *
 * Ref<Timeval> now = new Ref<>();
 * clock.gettimeofday(now, MemorySegment.NULL);
 * long seconds = now.get().seconds();
 * }
 *
 * <p>A record parameter with {@link ByReference} is the other way to pass a struct by pointer: for a
 * {@code const} struct the function only reads. A call that writes to one fails once it returns, since
 * a record cannot take the write; {@code Ref} is the parameter type for that.
 *
 * <h2>Thread-safety</h2>
 * None: a reference is meant for one call on one thread at a time, as a local variable.
 *
 * @param <T> the record type
 */
public final class Ref<T> {

    private @Nullable T value;

    /** A reference holding nothing: the struct goes in as zeros. */
    public Ref() {
    }

    /**
     * A reference holding a first value, for in-out parameters.
     *
     * @param value the record the function reads
     */
    public Ref(@Nullable T value) {
        this.value = value;
    }

    /** {@return the record: the last one the function wrote, or the one set} */
    public @Nullable T get() {
        return value;
    }

    /**
     * Sets the record the next call passes in.
     *
     * @param value the record, or null for zeros
     */
    public void set(@Nullable T value) {
        this.value = value;
    }

    @Override
    public String toString() {
        return "Ref[" + value + "]";
    }
}
