package bad;

import dev.dynload.bind.CLong;
import dev.dynload.bind.Count;
import dev.dynload.bind.Errno;
import dev.dynload.bind.In;
import dev.dynload.bind.LibraryInterface;
import dev.dynload.bind.Out;
import dev.dynload.bind.Ref;
import dev.dynload.bind.Symbol;
import dev.dynload.bind.Unsigned;
import dev.dynload.bind.Variadic;

import java.lang.foreign.MemorySegment;

/** Annotations that do not fit where they stand. */
@LibraryInterface
public interface Marks {
    @Count(3) MemorySegment items(int n); //! items(int): the result: @Count(3) must name a parameter of type int, long or short
    @CLong int size(); //! size(): the result: @CLong applies to long, not to int
    long wide(@Unsigned(64) long v); //! wide(long): parameter 0 (long): @Unsigned(64): the width is 8, 16 or 32 bits; for uint64_t use a plain long and Long's unsigned methods
    @Errno void reset(); //! reset(): @Errno needs a result that can signal failure: a plain int or long (-1), a pointer (NULL or (void*)-1) or String (NULL), or a boolean (false)
    void copy(@In @Out int[] data); //! copy(int[]): parameter 0 (int[]): @In and @Out exclude each other: an array is copied in and out (no annotation), in only (@In), out only (@Out) or not at all (@Heap)
    int count(Ref<Integer> out); //! count(Ref): parameter 0 (Ref): a Ref holds a record (a struct); for a number, pass an array of one element, such as int[1], instead of dev.dynload.bind.Ref<java.lang.Integer>
    @Variadic(fixed = 1) int printf(String format, float x); //! printf(String, float): parameter 1 is a variadic float, which C promotes; declare it as double
    int all(int... values); //! all(int[]): a Java varargs method (int[]...) would pass C an array pointer, not C variadic arguments; declare one parameter per argument and mark the method @Variadic(fixed = n), or take the array without '...'
    @Symbol("labs") long first(long v);
    @Symbol("labs") int second(int v); //! first(long) and second(int) bind to symbol "labs" with different C signatures; give them distinct @Symbol names, or mark them @Variadic if they call one variadic function
}
