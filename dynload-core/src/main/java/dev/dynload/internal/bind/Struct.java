package dev.dynload.internal.bind;

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

/**
 * A Java record as a C struct: one field per component, in declaration order, each at its C alignment,
 * the whole padded to the alignment of its widest field, as the platform's C compiler lays it out.
 * Passed by value, or by pointer ({@code @ByReference}).
 */
final class Struct implements Mapping {

    /** One component: where it lies and how to read and write it. */
    private record Field(String name, long offset, ValueLayout value, Struct nested, MethodHandle accessor) {
    }

    private final Class<?> type;
    private final StructLayout layout;
    private final List<Field> fields;
    private final MethodHandle constructor;
    private final boolean byReference;
    /** For a flat record passed by value: (R) -> MemorySegment and (MemorySegment) -> R; else null. */
    private final MethodHandle encoder;
    private final MethodHandle decoder;

    private Struct(Class<?> type, StructLayout layout, List<Field> fields, MethodHandle constructor, boolean byReference,
                   MethodHandle encoder, MethodHandle decoder) {
        this.type = type;
        this.layout = layout;
        this.fields = fields;
        this.constructor = constructor;
        this.byReference = byReference;
        this.encoder = byReference ? null : encoder;
        this.decoder = byReference ? null : decoder;
    }

    /** The same struct, passed the other way. */
    Struct byReference(boolean pointer) {
        return pointer == byReference ? this
                : new Struct(type, layout, fields, constructor, pointer, encoder, decoder);
    }

    /** {@return a handle that writes a flat record passed by value into heap memory, or null} */
    MethodHandle encoder() {
        return encoder;
    }

    /** {@return a handle that reads a flat record returned by value, or null} */
    MethodHandle decoder() {
        return decoder;
    }

    /** {@return the struct's own layout, whichever way it is passed} */
    StructLayout structLayout() {
        return layout;
    }

    /**
     * Lays out a record as C does: each component at its natural alignment, the whole padded to the
     * widest alignment.
     *
     * @throws IllegalArgumentException naming the component whose type cannot be a C struct field
     */
    static StructLayout layoutOf(Class<?> record) {
        if (!record.isRecord()) {
            throw new IllegalArgumentException(record.getName() + " is not a record");
        }
        List<MemoryLayout> members = new ArrayList<>();
        long offset = 0;
        long alignment = 1;
        for (RecordComponent c : record.getRecordComponents()) {
            MemoryLayout member = c.getType().isRecord() ? layoutOf(c.getType()) : fieldLayout(c.getType());
            if (member == null) {
                throw new IllegalArgumentException("component " + c.getName() + " of record " + record.getName()
                        + " has type " + c.getType().getName() + ", which cannot be a C struct field");
            }
            long align = member.byteAlignment();
            long padding = (align - offset % align) % align;
            if (padding > 0) {
                members.add(MemoryLayout.paddingLayout(padding));
                offset += padding;
            }
            members.add(member.withName(c.getName()));
            offset += member.byteSize();
            alignment = Math.max(alignment, align);
        }
        long tail = (alignment - offset % alignment) % alignment;
        if (tail > 0) {
            members.add(MemoryLayout.paddingLayout(tail));
        }
        return MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new)).withName(record.getSimpleName());
    }

    /** A record's layout with the handles to take it apart and build it, through {@code lookup}. */
    static Struct of(Class<?> record, MethodHandles.Lookup lookup) throws ReflectiveOperationException {
        StructLayout layout = layoutOf(record);
        RecordComponent[] components = record.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(c.getName()));
            Struct nested = c.getType().isRecord() ? of(c.getType(), lookup) : null;
            fields.add(new Field(c.getName(), offset, nested == null ? fieldLayout(c.getType()) : null, nested,
                    lookup.unreflect(c.getAccessor()).asType(MethodType.methodType(Object.class, Object.class))));
        }
        // Exact (Object[])Object and (Object)Object shapes, so that calls are invokeExact, not invoke.
        MethodHandle exact = lookup.findConstructor(record, MethodType.methodType(void.class, types));
        MethodHandle constructor = exact.asSpreader(Object[].class, types.length)
                .asType(MethodType.methodType(Object.class, Object[].class));
        boolean flat = fields.stream().allMatch(f -> f.nested == null);
        MethodHandle encoder = null;
        MethodHandle decoder = null;
        if (flat && components.length > 0 && layout.byteAlignment() <= 8) {
            encoder = encoder(record, layout, components, lookup);
            decoder = decoder(record, layout, components, exact);
        }
        return new Struct(record, layout, List.copyOf(fields), constructor, false, encoder, decoder);
    }

    private static final MethodHandle ON_HEAP;

    static {
        try {
            ON_HEAP = MethodHandles.lookup().findStatic(Struct.class, "onHeap",
                    MethodType.methodType(MemorySegment.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
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

    /** (R) -> MemorySegment: the struct on the heap, each component written through its var handle. */
    private static MethodHandle encoder(Class<?> record, StructLayout layout, RecordComponent[] components,
                                        MethodHandles.Lookup lookup) throws IllegalAccessException {
        MethodHandle writer = null;
        for (RecordComponent c : components) {
            MethodHandle set = layout.varHandle(MemoryLayout.PathElement.groupElement(c.getName()))
                    .toMethodHandle(java.lang.invoke.VarHandle.AccessMode.SET);
            set = MethodHandles.insertArguments(set, 1, 0L);                      // (MemorySegment, T)void
            set = MethodHandles.filterArguments(set, 1, lookup.unreflect(c.getAccessor())); // (MemorySegment, R)void
            writer = writer == null ? set : MethodHandles.foldArguments(set, writer);
        }
        MethodHandle writeAndReturn = MethodHandles.foldArguments(
                MethodHandles.dropArguments(MethodHandles.identity(MemorySegment.class), 1, record), writer);
        MethodHandle allocate = MethodHandles.insertArguments(ON_HEAP, 0, (int) ((layout.byteSize() + 7) / 8));
        return MethodHandles.collectArguments(writeAndReturn, 0, allocate);
    }

    /** (MemorySegment) -> R: read each component through its var handle into the canonical constructor. */
    private static MethodHandle decoder(Class<?> record, StructLayout layout, RecordComponent[] components,
                                        MethodHandle constructor) {
        MethodHandle[] getters = new MethodHandle[components.length];
        for (int i = 0; i < components.length; i++) {
            MethodHandle get = layout.varHandle(MemoryLayout.PathElement.groupElement(components[i].getName()))
                    .toMethodHandle(java.lang.invoke.VarHandle.AccessMode.GET);
            getters[i] = MethodHandles.insertArguments(get, 1, 0L);                // (MemorySegment)T
        }
        MethodHandle all = MethodHandles.filterArguments(constructor, 0, getters);   // (MemorySegment...)R
        return MethodHandles.permuteArguments(all, MethodType.methodType(record, MemorySegment.class),
                new int[components.length]);
    }

    private static ValueLayout fieldLayout(Class<?> type) {
        if (type == byte.class) {
            return ValueLayout.JAVA_BYTE;
        } else if (type == short.class) {
            return ValueLayout.JAVA_SHORT;
        } else if (type == char.class) {
            return ValueLayout.JAVA_CHAR;
        } else if (type == int.class) {
            return ValueLayout.JAVA_INT;
        } else if (type == long.class) {
            return ValueLayout.JAVA_LONG;
        } else if (type == float.class) {
            return ValueLayout.JAVA_FLOAT;
        } else if (type == double.class) {
            return ValueLayout.JAVA_DOUBLE;
        } else if (type == boolean.class) {
            return ValueLayout.JAVA_BOOLEAN;
        } else if (type == java.lang.foreign.MemorySegment.class) {
            return ValueLayout.ADDRESS;
        }
        return null;
    }

    @Override
    public MemoryLayout layout() {
        return byReference ? ValueLayout.ADDRESS : layout;
    }

    @Override
    public Object toNative(Object value, CallContext context) throws Throwable {
        if (value == null) {
            if (byReference) {
                return MemorySegment.NULL;
            }
            throw new NullPointerException("a null " + type.getSimpleName() + " cannot be passed by value");
        }
        MemorySegment s = context.allocate(layout);
        write(s, 0, value);
        return s;
    }

    @Override
    public Object toJava(Object carrier, CallContext context) throws Throwable {
        MemorySegment s = (MemorySegment) carrier;
        if (byReference) {
            if (s.address() == 0) {
                return null;
            }
            s = s.reinterpret(layout.byteSize());
        }
        return read(s, 0);
    }

    void write(MemorySegment s, long base, Object value) throws Throwable {
        for (Field f : fields) {
            Object v = f.accessor.invokeExact(value);
            if (f.nested != null) {
                if (v == null) {
                    throw new NullPointerException("component " + f.name + " of " + type.getSimpleName() + " is null");
                }
                f.nested.write(s, base + f.offset, v);
            } else {
                set(s, f.value, base + f.offset, v);
            }
        }
    }

    Object read(MemorySegment s, long base) throws Throwable {
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            Field f = fields.get(i);
            values[i] = f.nested != null ? f.nested.read(s, base + f.offset) : get(s, f.value, base + f.offset);
        }
        return (Object) constructor.invokeExact(values);
    }

    private static void set(MemorySegment s, ValueLayout layout, long offset, Object v) {
        switch (layout) {
            case ValueLayout.OfByte l -> s.set(l, offset, (Byte) v);
            case ValueLayout.OfShort l -> s.set(l, offset, (Short) v);
            case ValueLayout.OfChar l -> s.set(l, offset, (Character) v);
            case ValueLayout.OfInt l -> s.set(l, offset, (Integer) v);
            case ValueLayout.OfLong l -> s.set(l, offset, (Long) v);
            case ValueLayout.OfFloat l -> s.set(l, offset, (Float) v);
            case ValueLayout.OfDouble l -> s.set(l, offset, (Double) v);
            case ValueLayout.OfBoolean l -> s.set(l, offset, (Boolean) v);
            case java.lang.foreign.AddressLayout l -> s.set(l, offset, v == null ? MemorySegment.NULL : (MemorySegment) v);
        }
    }

    private static Object get(MemorySegment s, ValueLayout layout, long offset) {
        return switch (layout) {
            case ValueLayout.OfByte l -> s.get(l, offset);
            case ValueLayout.OfShort l -> s.get(l, offset);
            case ValueLayout.OfChar l -> s.get(l, offset);
            case ValueLayout.OfInt l -> s.get(l, offset);
            case ValueLayout.OfLong l -> s.get(l, offset);
            case ValueLayout.OfFloat l -> s.get(l, offset);
            case ValueLayout.OfDouble l -> s.get(l, offset);
            case ValueLayout.OfBoolean l -> s.get(l, offset);
            case java.lang.foreign.AddressLayout l -> s.get(l, offset);
        };
    }
}
