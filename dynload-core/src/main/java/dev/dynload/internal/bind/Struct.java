package dev.dynload.internal.bind;

import dev.dynload.bind.Union;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A Java record as a C struct: one field per component, in declaration order, each at its C alignment,
 * the whole padded to the alignment of its widest field, as the platform's C compiler lays it out. Each
 * component is a {@link Mapping.Field} of the type table, so a struct reads and writes its fields as
 * they read and write themselves; the struct's reader and writer are composed from theirs once, as
 * method handles, and serve every use: arguments, results, callbacks and nested structs. Passed by
 * value, or by pointer ({@code @ByReference}).
 */
final class Struct implements Mapping.Field {

    /** One component: its accessor and its field mapping. */
    record Member(JavaVariable component, Mapping.Field field) {

        /** {@return the reflected component; only asked with a lookup, at run time} */
        RecordComponent reflected() {
            return (RecordComponent) component.reflected();
        }
    }

    private static final MethodHandle PLUS = Handles.find(MethodHandles.lookup(), "plus", long.class, long.class,
            long.class);
    private static final MethodHandle ON_HEAP = Handles.find(MethodHandles.lookup(), "onHeap", MemorySegment.class,
            int.class);

    /** The record; null where it is not a class yet (the annotation processor), which makes no handles. */
    private final @Nullable Class<?> type;
    private final String name;
    private final GroupLayout layout;
    private final boolean byReference;
    /** (MemorySegment, long)R and (MemorySegment, long, R)void; null for a layout made without access. */
    private final @Nullable MethodHandle reader;
    private final @Nullable MethodHandle writer;
    /** (R)MemorySegment and (MemorySegment)R, for a struct by value; null with the reader. */
    private final @Nullable MethodHandle encoder;
    private final @Nullable MethodHandle decoder;

    private Struct(@Nullable Class<?> type, String name, GroupLayout layout, boolean byReference,
                   @Nullable MethodHandle reader, @Nullable MethodHandle writer) {
        this.type = type;
        this.name = name;
        this.layout = layout;
        this.byReference = byReference;
        this.reader = reader;
        this.writer = writer;
        this.encoder = reader == null ? null : encoder(type, layout, writer);
        this.decoder = reader == null ? null : MethodHandles.insertArguments(reader, 1, 0L);
    }

    /**
     * Lays out a record and, given a lookup, composes its reader and writer.
     *
     * @param record the record class, with at least one component
     * @param members its components, in order, each with its field mapping
     * @param lookup a lookup that can use its accessors and canonical constructor, or null for the layout alone
     */
    static Struct of(JavaType view, List<Member> members, MethodHandles.@Nullable Lookup lookup)
            throws ReflectiveOperationException {
        Class<?> record = view.known();
        String name = view.simpleName();
        Marks marks = view.marks();
        if (marks.annotated() && marks.get(Union.class) != null) {
            return union(record, name, members, lookup);
        }
        List<MemoryLayout> elements = new ArrayList<>();
        long[] offsets = new long[members.size()];
        long offset = 0;
        long alignment = 1;
        for (int i = 0; i < offsets.length; i++) {
            MemoryLayout member = members.get(i).field().fieldLayout();
            long align = member.byteAlignment();
            long padding = (align - offset % align) % align;
            if (padding > 0) {
                elements.add(MemoryLayout.paddingLayout(padding));
                offset += padding;
            }
            offsets[i] = offset;
            elements.add(member.withName(members.get(i).component().name()));
            offset += member.byteSize();
            alignment = Math.max(alignment, align);
        }
        long tail = (alignment - offset % alignment) % alignment;
        if (tail > 0) {
            elements.add(MemoryLayout.paddingLayout(tail));
        }
        StructLayout layout = MemoryLayout.structLayout(elements.toArray(new MemoryLayout[0])).withName(name);
        if (lookup == null) {
            return new Struct(record, name, layout, false, null, null);
        }
        MethodHandle writer = null;
        for (int i = 0; i < offsets.length; i++) {
            RecordComponent c = members.get(i).reflected();
            MethodHandle at = MethodHandles.insertArguments(PLUS, 1, offsets[i]);            // (long)long
            MethodHandle set = MethodHandles.filterArguments(members.get(i).field().writer(), 1, at);
            set = MethodHandles.filterArguments(set, 2, lookup.unreflect(c.getAccessor()));  // (MS, long, R)void
            writer = writer == null ? set : MethodHandles.foldArguments(set, writer);
        }
        return new Struct(record, name, layout, false, reader(record, members, offsets, lookup), writer);
    }

    /** (MemorySegment, long)R: each component read at its offset, into the canonical constructor. */
    private static MethodHandle reader(Class<?> record, List<Member> members, long[] offsets, MethodHandles.Lookup lookup)
            throws ReflectiveOperationException {
        MethodHandle[] readers = new MethodHandle[offsets.length];
        Class<?>[] types = new Class<?>[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            types[i] = members.get(i).reflected().getType();
            MethodHandle at = MethodHandles.insertArguments(PLUS, 1, offsets[i]);
            readers[i] = MethodHandles.filterArguments(members.get(i).field().reader(), 1, at); // (MS, long)T
        }
        MethodHandle constructor = lookup.findConstructor(record, MethodType.methodType(void.class, types));
        MethodHandle all = constructor;
        for (int i = offsets.length - 1; i >= 0; i--) {
            all = MethodHandles.collectArguments(all, i, readers[i]);                    // (MS, long, MS, long...)R
        }
        int[] reorder = new int[2 * offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            reorder[2 * i] = 0;
            reorder[2 * i + 1] = 1;
        }
        return MethodHandles.permuteArguments(all, MethodType.methodType(record, MemorySegment.class, long.class),
                reorder);
    }

    /**
     * A {@code @Union} record: every component at offset 0, the size of the largest rounded up to the
     * widest alignment. Its writer writes the components that are not zero, largest first, and checks
     * that each agrees with what is written already (see {@link Union}).
     */
    private static Struct union(@Nullable Class<?> record, String name, List<Member> members,
                                MethodHandles.@Nullable Lookup lookup)
            throws ReflectiveOperationException {
        List<MemoryLayout> elements = new ArrayList<>();
        long size = 0;
        long alignment = 1;
        for (Member m : members) {
            MemoryLayout member = m.field().fieldLayout();
            elements.add(member.withName(m.component().name()));
            size = Math.max(size, member.byteSize());
            alignment = Math.max(alignment, member.byteAlignment());
        }
        long rounded = (size + alignment - 1) / alignment * alignment;
        if (rounded > size) {
            elements.add(MemoryLayout.paddingLayout(rounded));
        }
        GroupLayout layout = MemoryLayout.unionLayout(elements.toArray(new MemoryLayout[0])).withName(name);
        if (lookup == null) {
            return new Struct(record, name, layout, false, null, null);
        }
        List<Member> bySize = new ArrayList<>(members);
        bySize.sort((a, b) -> Long.compare(b.field().fieldLayout().byteSize(), a.field().fieldLayout().byteSize()));
        MethodHandle[] accessors = new MethodHandle[bySize.size()];
        MethodHandle[] writers = new MethodHandle[bySize.size()];
        String[] names = new String[bySize.size()];
        for (int i = 0; i < accessors.length; i++) {
            RecordComponent c = bySize.get(i).reflected();
            accessors[i] = lookup.unreflect(c.getAccessor()).asType(MethodType.methodType(Object.class, Object.class));
            writers[i] = bySize.get(i).field().writer()
                    .asType(MethodType.methodType(void.class, MemorySegment.class, long.class, Object.class));
            names[i] = c.getName();
        }
        UnionWriter w = new UnionWriter(name, rounded, names, accessors, writers);
        MethodHandle writer = MethodHandles.insertArguments(UNION_WRITE, 0, w)
                .asType(MethodType.methodType(void.class, MemorySegment.class, long.class, record));
        return new Struct(record, name, layout, false, reader(record, members, new long[members.size()], lookup), writer);
    }

    private static final MethodHandle UNION_WRITE = Handles.find(MethodHandles.lookup(), "writeUnion", void.class,
            UnionWriter.class, MemorySegment.class, long.class, Object.class);

    /** What writing one union record needs: its components, largest first. */
    private record UnionWriter(String name, long size, String[] names, MethodHandle[] accessors,
                               MethodHandle[] writers) {
    }

    private static void writeUnion(UnionWriter u, MemorySegment s, long offset, Object value) throws Throwable {
        MemorySegment target = s.asSlice(offset, u.size);
        target.fill((byte) 0);
        MemorySegment scratch = MemorySegment.ofArray(new long[(int) ((u.size + 7) / 8)]).asSlice(0, u.size);
        String written = null;
        for (int i = 0; i < u.writers.length; i++) {
            scratch.fill((byte) 0);
            u.writers[i].invokeExact(scratch, 0L, (Object) u.accessors[i].invokeExact(value));
            if (scratch.mismatch(MemorySegment.ofArray(new byte[(int) u.size])) < 0) {
                continue; // zero: not set
            }
            if (written == null) {
                target.copyFrom(scratch);
                written = u.names[i];
            } else {
                // Smaller than what is written: it must agree with its start, where it overlaps.
                long end = lastNonZero(scratch) + 1;
                if (target.asSlice(0, end).mismatch(scratch.asSlice(0, end)) >= 0) {
                    throw new IllegalArgumentException("union " + u.name + ": " + written + " and " + u.names[i]
                            + " are both set, to different bytes; set only the member C should read");
                }
            }
        }
    }

    private static long lastNonZero(MemorySegment s) {
        for (long i = s.byteSize() - 1; i >= 0; i--) {
            if (s.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return i;
            }
        }
        return -1;
    }

    /** The same struct, passed the other way. */
    Struct byReference(boolean pointer) {
        return pointer == byReference ? this : new Struct(type, name, layout, pointer, reader, writer);
    }

    /** {@return the struct's (or union's) own layout, whichever way it is passed} */
    GroupLayout groupLayout() {
        return layout;
    }

    private static long plus(long base, long offset) {
        return base + offset;
    }

    /**
     * Memory for a struct passed by value, on the Java heap: the linker copies a by-value argument into
     * registers or onto the stack (or into a copy of its own where the ABI passes it by reference), so it
     * may come from the heap, and then it needs no scratch stack, no thread-local and no cleanup, and the
     * JIT can often do without the array altogether. A long[] keeps it 8-byte aligned.
     */
    private static MemorySegment onHeap(int words) {
        return MemorySegment.ofArray(new long[words]);
    }

    /** {@return (R) -> MemorySegment: the struct written into heap memory} */
    private static MethodHandle encoder(Class<?> type, GroupLayout layout, MethodHandle writer) {
        MethodHandle write = MethodHandles.insertArguments(writer, 1, 0L);                   // (MS, R)void
        MethodHandle writeAndReturn = MethodHandles.foldArguments(
                MethodHandles.dropArguments(MethodHandles.identity(MemorySegment.class), 1, type), write);
        MethodHandle allocate = MethodHandles.insertArguments(ON_HEAP, 0, (int) ((layout.byteSize() + 7) / 8));
        return MethodHandles.collectArguments(writeAndReturn, 0, allocate);
    }

    @Override
    public MemoryLayout layout() {
        return byReference ? ValueLayout.ADDRESS : layout;
    }

    @Override
    public MemoryLayout fieldLayout() {
        return layout;
    }

    /** {@return whether it was made with access to its record, so reads and writes it; else it is a layout only} */
    boolean hasHandles() {
        return reader != null;
    }

    @Override
    public MethodHandle reader() {
        return Objects.requireNonNull(reader, "a struct laid out without access to its record has no handles");
    }

    @Override
    public MethodHandle writer() {
        return Objects.requireNonNull(writer, "a struct laid out without access to its record has no handles");
    }

    @Override
    public boolean nullable() {
        return byReference;
    }

    @Override
    public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) throws Throwable {
        if (value == null) {
            if (byReference) {
                return MemorySegment.NULL;
            }
            throw new NullPointerException("a null " + name + " cannot be passed by value");
        }
        if (!byReference) {
            return encoder.invoke(value);
        }
        // Zeroed first: padding holds no stale bytes, and the check after the call compares like with like.
        MemorySegment s = context.allocate(layout).fill((byte) 0);
        writer.invoke(s, 0L, value);
        return s;
    }

    /**
     * A record passed by pointer is a {@code const} struct: a function that wrote to it would lose its
     * write, since a record cannot change, so the call fails instead, naming {@code Ref}.
     */
    @Override
    public void afterCall(@Nullable Object value, @Nullable Object carrier) throws Throwable {
        if (byReference && value != null) {
            checkUnchanged(this, (MemorySegment) carrier, value);
        }
    }

    private static void checkUnchanged(Struct struct, MemorySegment passed, Object value) throws Throwable {
        MemorySegment expected = (MemorySegment) struct.encoder.invoke(value);
        if (passed.mismatch(expected.asSlice(0, passed.byteSize())) >= 0) {
            throw new IllegalStateException("the function wrote to the " + struct.name
                    + " passed by pointer, and a record cannot take the write; declare the parameter as Ref<"
                    + struct.name + "> to receive what it writes");
        }
    }

    @Override
    public @Nullable Object toJava(@Nullable Object carrier) throws Throwable {
        MemorySegment s = (MemorySegment) carrier;
        if (byReference) {
            if (s.address() == 0) {
                return null;
            }
            s = s.reinterpret(layout.byteSize());
        }
        return reader.invoke(s, 0L);
    }

    @Override
    public Optional<Filter> argumentFilter() {
        return byReference ? Optional.empty() : Optional.of(new Filter(encoder, false));
    }

    /** A struct returned by value: the linker takes an allocator, the scratch stack, for it. */
    @Override
    public Optional<Filter> resultFilter() {
        return byReference ? Optional.empty() : Optional.of(new Filter(decoder, true));
    }

    @Override
    public MethodHandle callbackArgument() {
        return byReference ? Mapping.Field.super.callbackArgument() : decoder;
    }

    @Override
    public MethodHandle callbackResult() {
        return encoder;
    }

    /** A callback that threw returns a struct of zeros. */
    @Override
    public @Nullable Object zero() {
        return byReference ? MemorySegment.NULL : onHeap((int) ((layout.byteSize() + 7) / 8));
    }

    @Override
    public String toString() {
        return (byReference ? "struct " + name + "*" : "struct " + name);
    }
}
