package bad;

import dev.dynload.bind.LibraryInterface;
import dev.dynload.bind.Symbol;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** Types with no C counterpart, each at the parameter or method that has it. */
@LibraryInterface
public interface Types {
    record Pair(int a, Thread owner) {
    }

    @Symbol("abs") int fine(int x);
    int sum(List<Integer> values); //! sum(List): parameter 0 (List): type java.util.List has no C counterpart; see docs/binding.md
    Object peek(MemorySegment at); //! peek(MemorySegment): the result: type java.lang.Object has no C counterpart; see docs/binding.md
    void pair(Pair p); //! pair(Pair): parameter 0 (Pair): component owner of record bad.Types$Pair: type java.lang.Thread cannot be a C struct field
    int lists(List<String>[] all); //! lists(List[]): parameter 0 (List[]): arrays of java.util.List have no C counterpart
    <T> int each(T[] values); //! each(T[]): parameter 0 (T[]): arrays of T have no C counterpart
    <T> void generic(T value); //! generic(T): parameter 0 (T): type T has no C counterpart; see docs/binding.md
}
