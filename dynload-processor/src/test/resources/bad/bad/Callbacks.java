package bad;

import dev.dynload.bind.Critical;
import dev.dynload.bind.LibraryInterface;

import java.lang.foreign.MemorySegment;

/** Callbacks that C could not call, or that break a rule of the call. */
@LibraryInterface
public interface Callbacks {
    interface Name {
        String name(int id);
    }

    interface Compare {
        int compare(MemorySegment a, MemorySegment b);
    }

    void names(Name n); //! names(Name): parameter 0 (Name): callback Name: its name's result: a callback cannot return a String: C could not know when to free it
    @Critical void sort(MemorySegment base, long n, long size, Compare c); //! sort(MemorySegment, long, long, Compare): a critical function (@Critical or @Heap) cannot call back into Java
    Compare comparator(); //! comparator(): the result: a callback (Compare) can only be a parameter
}
