package dev.dynload;

import dev.dynload.bind.ByReference;
import dev.dynload.bind.CLong;
import dev.dynload.bind.Count;
import dev.dynload.bind.Errno;
import dev.dynload.bind.FreeWith;
import dev.dynload.bind.In;
import dev.dynload.bind.Out;
import dev.dynload.bind.Size;
import dev.dynload.bind.SizeT;
import dev.dynload.bind.Symbol;
import dev.dynload.bind.Unsigned;

import java.lang.annotation.Annotation;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What the {@code dev.dynload.bind} annotations of a bound method ask of its isolated call. The type
 * table checks them first, with the words {@code Library.bind} uses; then what cannot cross is refused,
 * by name, and an annotation an isolated call does not carry out is refused rather than ignored.
 *
 * @param symbol      the C function's name ({@code @Symbol}, else the method's)
 * @param in          per parameter: copied in ({@code false} for an {@code @Out} array: zeros)
 * @param out         per parameter: copied back ({@code false} for an {@code @In} array)
 * @param unsigned    per parameter: the width of an {@code @Unsigned} value, else 0
 * @param result      the width of an {@code @Unsigned} result, else 0
 * @param countAt     the parameter counting a returned pointer's elements ({@code @Count}), else -1
 * @param bytes       the bytes of one counted element, or of a {@code @Size} result; 0 for strings
 * @param strings     whether the counted result is a {@code String[]} ({@code char **})
 * @param freeWith    the function that frees a returned string ({@code @FreeWith}), or null
 * @param enums       per parameter: an enum's C values, else null
 * @param resultEnum  an enum result's C values, else null
 * @param lifetime    the {@code Arena} parameter whose callbacks are kept while it is open, else -1
 */
record IsolatedMarks(String symbol, boolean[] in, boolean[] out, int[] unsigned, int result, int countAt, long bytes,
                     boolean strings, @Nullable String freeWith, dev.dynload.internal.bind.@Nullable EnumCodec[] enums,
                     dev.dynload.internal.bind.@Nullable EnumCodec resultEnum, int lifetime) {

    /** What an isolated call carries out; any other dev.dynload.bind annotation is refused. */
    private static final Set<Class<? extends Annotation>> CARRIED = Set.of(Symbol.class, Errno.class, FreeWith.class,
            Count.class, Size.class, Unsigned.class, CLong.class, SizeT.class, In.class, Out.class, ByReference.class);

    /** {@return the marks of a call without annotations, of these types; problems go to {@code mine}} */
    static IsolatedMarks none(String function, Class<?>[] types, Class<?> result, List<String> mine) {
        int parameters = types.length;
        boolean[] in = new boolean[parameters];
        boolean[] out = new boolean[parameters];
        java.util.Arrays.fill(in, true);
        java.util.Arrays.fill(out, true);
        dev.dynload.internal.bind.EnumCodec[] enums = new dev.dynload.internal.bind.EnumCodec[parameters];
        for (int i = 0; i < parameters; i++) {
            enums[i] = enumOf(types[i], "parameter " + i, mine);
        }
        int lifetime = -1;
        for (int i = 0; i < parameters; i++) {
            if (types[i] == java.lang.foreign.Arena.class) {
                if (lifetime >= 0) {
                    mine.add("parameters " + lifetime + " and " + i + " are both the Arena for callbacks; give one");
                }
                lifetime = i;
            }
        }
        return new IsolatedMarks(function, in, out, new int[parameters], 0, -1, 0, false, null, enums,
                enumOf(result, "the result", mine), lifetime);
    }

    /** {@return the C values of enum {@code type}, or null when it is no enum (or with why in {@code mine})} */
    private static dev.dynload.internal.bind.@Nullable EnumCodec enumOf(Class<?> type, String where, List<String> mine) {
        if (!type.isEnum()) {
            return null;
        }
        try {
            return dev.dynload.internal.bind.EnumCodec.of(type);
        } catch (IllegalArgumentException e) {
            mine.add(where + ": " + e.getMessage());
            return null;
        }
    }

    /** {@return whether the result is a pointer whose target is copied back} */
    boolean copiesResult() {
        return countAt >= 0 || bytes > 0;
    }

    /** The marks of {@code m}; problems go to {@code mine}. */
    static IsolatedMarks of(Method m, List<String> mine) {
        int n = m.getParameterCount();
        IsolatedMarks marks = none(m.getName(), m.getParameterTypes(), m.getReturnType(), mine);
        Class<?> r = m.getReturnType();
        if (r == MemorySegment.class && !m.isAnnotationPresent(Count.class) && !m.isAnnotationPresent(Size.class)) {
            mine.add("the result: a pointer is an address in the library's process, which means nothing in this "
                    + "one; give its length with @Size or @Count, and its bytes are copied back");
        }
        if (!annotated(m) && !anyParameterAnnotated(m)) {
            return marks;
        }
        try {
            dev.dynload.internal.bind.Layouts.descriptorOf(m); // the type table's own checks and words
        } catch (IllegalArgumentException e) {
            String why = e.getMessage();
            mine.add(why.startsWith(m.getName() + ", ") ? why.substring(m.getName().length() + 2) : why);
            return marks;
        }
        refuseOthers(m, "the method", mine);
        for (int i = 0; i < n; i++) {
            AnnotatedElement p = m.getParameters()[i];
            refuseOthers(p, "parameter " + i, mine);
            marks.in[i] = !p.isAnnotationPresent(Out.class);
            marks.out[i] = !p.isAnnotationPresent(In.class);
            Unsigned u = p.getAnnotation(Unsigned.class);
            marks.unsigned[i] = u == null ? 0 : u.value();
            if (p.isAnnotationPresent(Count.class) || p.isAnnotationPresent(Size.class)) {
                mine.add("parameter " + i + ": @Count and @Size describe pointers C hands to Java (a result, a "
                        + "callback's argument), not a parameter of a call");
            }
        }
        Symbol symbol = m.getAnnotation(Symbol.class);
        Unsigned u = m.getAnnotation(Unsigned.class);
        Count count = m.getAnnotation(Count.class);
        Size size = m.getAnnotation(Size.class);
        FreeWith free = m.getAnnotation(FreeWith.class);
        int countAt = -1;
        long bytes = 0;
        boolean strings = false;
        if (count != null) {
            countAt = count.value();
            Class<?>[] types = m.getParameterTypes();
            if (countAt < 0 || countAt >= n || (types[countAt] != int.class && types[countAt] != long.class
                    && types[countAt] != short.class)) {
                mine.add("the result: @Count(" + countAt + ") must name a parameter of type int, long or short");
            }
            strings = r == String[].class;
            bytes = strings ? 0 : count.elementSize() > 0 ? count.elementSize() : 8;
        } else if (size != null && r == MemorySegment.class) {
            bytes = size.value();
            if (bytes <= 0) {
                mine.add("the result: @Size(" + bytes + ") gives no bytes to copy back from the library's process; "
                        + "give the size of what the pointer points to");
            }
        }
        if (free != null && r != String.class) {
            mine.add("@FreeWith applies to a String result");
        }
        return new IsolatedMarks(symbol != null ? symbol.value() : m.getName(), marks.in, marks.out, marks.unsigned,
                u == null ? 0 : u.value(), countAt, bytes, strings, free == null ? null : free.value(), marks.enums,
                marks.resultEnum, marks.lifetime);
    }

    /** Refuses each dev.dynload.bind annotation on {@code e} that an isolated call does not carry out. */
    private static void refuseOthers(AnnotatedElement e, String where, List<String> mine) {
        for (Annotation a : e.getDeclaredAnnotations()) {
            Class<? extends Annotation> type = a.annotationType();
            if (!type.getPackageName().equals("dev.dynload.bind") || CARRIED.contains(type)) {
                continue;
            }
            String name = "@" + type.getSimpleName();
            mine.add(where + ": " + name + (switch (type.getSimpleName()) {
                case "Critical" -> ": a call into another process waits on shared memory and cannot be an FFM "
                        + "critical call; remove it, or bind in process with Library.bind";
                case "Heap" -> ": the Java heap array itself cannot reach another process; remove @Heap and the "
                        + "array is copied (@In or @Out to copy it one way)";
                case "Variadic" -> ": the runner calls with fixed arguments only; bind a C wrapper with fixed "
                        + "arguments, or call in process";
                default -> " is not carried out by isolated calls yet; bind in process with Library.bind";
            }));
        }
    }

    /**
     * {@return a returned pointer's target as the runner copied it back: a {@code MemorySegment} of its
     * bytes (a copy in this process, freed when unreachable), or the {@code String[]} of {@code char **}}
     */
    static Object copied(String function, boolean strings, byte @Nullable [] bytes) {
        if (bytes == null) {
            throw new IllegalStateException(function + "() returned more than an isolated call carries back ("
                    + dev.dynload.internal.linux.RunnerCalls.bulkSize() + " bytes)");
        }
        MemorySegment from = MemorySegment.ofArray(bytes);
        if (!strings) {
            MemorySegment copy = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, bytes.length), 16)
                    .asSlice(0, bytes.length);
            return copy.copyFrom(from);
        }
        List<String> values = new java.util.ArrayList<>();
        long at = 0;
        while (at < bytes.length) {
            long length = at + 8 <= bytes.length ? from.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at) : -2;
            if (length < -1 || at + 8 + Math.max(0, length) > bytes.length) {
                throw new IllegalStateException(function + "(): the runner sent back a damaged array of strings");
            }
            values.add(length < 0 ? null : new String(bytes, (int) at + 8, (int) length,
                    java.nio.charset.StandardCharsets.UTF_8));
            at += (8 + Math.max(0, length) + 7) & ~7L;
        }
        return values.toArray(new String[0]);
    }

    private static boolean annotated(AnnotatedElement e) {
        return e.getDeclaredAnnotations().length > 0;
    }

    private static boolean anyParameterAnnotated(Method m) {
        for (AnnotatedElement p : m.getParameters()) {
            if (annotated(p)) {
                return true;
            }
        }
        return false;
    }
}
