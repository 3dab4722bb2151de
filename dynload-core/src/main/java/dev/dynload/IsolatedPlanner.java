package dev.dynload;

import dev.dynload.internal.linux.RunnerCalls;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Plans an isolated call at bind: which registers or stack eightbytes each parameter takes, what comes
 * back and how, and what cannot cross, said by name. {@link IsolatedCall} then makes the call.
 */
final class IsolatedPlanner {

    private IsolatedPlanner() {
    }

    /** The call of a function of these types, or null with its problems added; {@code m} its method, if any. */
    static @Nullable IsolatedCall plan(String function, Class<?>[] types, Class<?> r, List<String> problems,
                                     @Nullable Method m) {
        List<String> mine = new ArrayList<>();
        IsolatedMarks marks = m == null ? IsolatedMarks.none(function, types, r, mine) : IsolatedMarks.of(m, mine);
        // A @ByReference result is a struct pointer, whose target the runner copies back; a struct returned
        // by value in memory: the caller passes where, as a hidden first integer argument.
        boolean resultPointer = r.isRecord() && m != null && m.isAnnotationPresent(dev.dynload.bind.ByReference.class);
        dev.dynload.internal.bind.RecordCodec resultStruct = !r.isRecord() ? null
                : resultPointer ? IsolatedStructs.pointed(r, "the result", mine)
                : IsolatedStructs.value(r, "the result", mine);
        int[] resultClasses = resultStruct == null || resultPointer ? null
                : IsolatedStructs.classes(resultStruct, "the result", mine);
        if (resultStruct != null && !resultPointer && resultClasses == null
                && resultStruct.size() > RunnerCalls.dataSize()) {
            mine.add("the result: a struct of " + resultStruct.size() + " bytes by value, more than an isolated call "
                    + "carries back (" + RunnerCalls.dataSize() + "); return it through a Ref parameter");
        }
        int ints = resultStruct != null && resultClasses == null && !resultPointer ? 1 : 0;
        int floats = 0;
        int stack = 0;
        boolean[] byValue = new boolean[types.length];
        int[][] classes = new int[types.length][];
        boolean[] onStack = new boolean[types.length];
        dev.dynload.internal.bind.RecordCodec[] structs = new dev.dynload.internal.bind.RecordCodec[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t == dev.dynload.bind.Ref.class || t.isRecord()) {
                structs[i] = IsolatedStructs.reference(m, i, t, mine);
                if (structs[i] == null && t.isRecord() && mine.isEmpty()) { // a record by value
                    structs[i] = IsolatedStructs.value(t, "parameter " + i, mine);
                    if (structs[i] != null) {
                        byValue[i] = true;
                        classes[i] = IsolatedStructs.classes(structs[i], "parameter " + i, mine);
                        int needInts = 0;
                        int needFloats = 0;
                        for (int c : classes[i] == null ? new int[0] : classes[i]) {
                            needInts += c == dev.dynload.internal.linux.StructClasses.INTEGER ? 1 : 0;
                            needFloats += c == dev.dynload.internal.linux.StructClasses.SSE ? 1 : 0;
                        }
                        // Whole in the registers left (eight vector registers, as the ABI has), or whole on the stack.
                        if (classes[i] != null && ints + needInts <= 6 && floats + needFloats <= 8) {
                            ints += needInts;
                            floats += needFloats;
                        } else {
                            onStack[i] = true;
                            stack += IsolatedStructs.eightbytes(structs[i]);
                        }
                    }
                    continue;
                } else if (structs[i] == null && mine.isEmpty()) {
                    mine.add("parameter " + i + " is a Ref whose type argument is not a record");
                }
                ints++;
            } else if (t == float.class || t == double.class) {
                floats++;
            } else if (t == java.lang.foreign.Arena.class) {
                continue; // the lifetime of the call's callbacks (IsolatedMarks), no C parameter
            } else if (Callbacks.isCallback(t)) {
                Callbacks.check(t, "parameter " + i, mine);
                ints++;
            } else if ((t.isPrimitive() && t != void.class) || t == String.class || t.isEnum()
                    || (t.isArray() && t.getComponentType().isPrimitive() && t.getComponentType() != boolean.class)) {
                ints++;
            } else {
                mine.add("parameter " + i + " is a " + t.getName() + ", which cannot cross to another process yet; "
                        + "isolated calls take primitives, strings, primitive arrays, records and callbacks (use "
                        + "Library.bind in process for pointers)");
            }
        }
        boolean arrays = false;
        for (Class<?> t : types) {
            arrays |= t.isArray();
        }
        if (arrays && r == String.class) {
            mine.add("returns a String and takes arrays: an isolated call carries one or the other back, not both "
                    + "yet; return the string through a char array, or call twice");
        }
        if (ints > 6 || floats > 6) {
            mine.add("takes " + ints + " integer and " + floats + " floating-point registers' worth of parameters"
                    + (ints > 0 && resultStruct != null && resultClasses == null && !resultPointer
                    ? " (one integer register the hidden pointer of its struct result)" : "")
                    + "; an isolated call passes at most six of each in registers: take fewer parameters, or pass "
                    + "records @ByReference");
        }
        if (stack > dev.dynload.internal.linux.Frame.stackMax()) {
            mine.add("passes " + (8 * stack) + " bytes of records on the stack; an isolated call passes at most "
                    + (8 * dev.dynload.internal.linux.Frame.stackMax()) + " (pass the larger ones @ByReference)");
        }
        int returns = r == void.class ? 0 : r == double.class ? 2 : r == float.class ? 3 : r == String.class ? 4
                : r.isPrimitive() || r.isEnum() ? 1 : resultStruct == null ? -1
                : resultPointer ? 9 : resultClasses == null ? 1
                : dev.dynload.internal.linux.StructClasses.returnKind(resultClasses);
        if (marks.copiesResult()) {
            returns = marks.strings() ? 10 : 9;
        } else if (returns < 0 && !r.isRecord() && !(m != null && r == MemorySegment.class)) {
            mine.add("returns a " + r.getName() + ", which cannot cross to another process yet; return a primitive, "
                    + "a String or a record");
        }
        boolean errno = m != null && m.isAnnotationPresent(dev.dynload.bind.Errno.class);
        if (errno && (r == void.class || r == float.class || r == double.class || r.isEnum()
                || (r.isRecord() && !resultPointer))) {
            mine.add("@Errno needs a result that says failure (-1, NULL or false); it returns " + r.getName());
        }
        boolean carriedBack = false;
        for (int i = 0; i < types.length; i++) {
            carriedBack |= types[i] == dev.dynload.bind.Ref.class || Callbacks.isCallback(types[i]);
        }
        if (carriedBack && r == String.class) {
            mine.add("returns a String and takes a Ref or a callback: an isolated call carries a string back "
                    + "alone, not yet with them; return an int and pass the string through a char array");
        }
        for (String p : mine) {
            problems.add(function + ": " + p);
        }
        boolean anyByValue = resultStruct != null;
        for (boolean b : byValue) {
            anyByValue |= b;
        }
        IsolatedCall.Values values = anyByValue
                ? new IsolatedCall.Values(byValue, classes, onStack, stack, resultStruct, resultClasses, resultPointer) : null;
        return mine.isEmpty()
                ? new IsolatedCall(function, -1, returns, ints, floats, types, r, structs, errno, values, marks, -1) : null;
    }

}
