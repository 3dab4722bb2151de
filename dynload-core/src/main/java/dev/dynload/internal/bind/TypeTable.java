package dev.dynload.internal.bind;

import dev.dynload.bind.ByReference;
import dev.dynload.bind.CLong;
import dev.dynload.bind.Count;
import dev.dynload.bind.Heap;
import dev.dynload.bind.In;
import dev.dynload.bind.Length;
import dev.dynload.bind.Out;
import dev.dynload.bind.Ref;
import dev.dynload.bind.Size;
import dev.dynload.bind.SizeT;
import dev.dynload.bind.Unsigned;

import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import dev.dynload.internal.bind.ArrayMappings.Direction;

import org.jspecify.annotations.Nullable;

/**
 * The type table: chooses the {@link Mapping} for a Java type standing in one place (a parameter, a
 * result, a callback's parameter or result, a struct field), or says why none fits. Problems are
 * reported as {@link IllegalArgumentException}s whose message completes "parameter 2 ...", "the
 * result ...", and says what to write instead.
 */
final class TypeTable {

    /** Where a type stands; not every type may stand everywhere. */
    enum Role {
        PARAMETER, RESULT, CALLBACK_PARAMETER, CALLBACK_RESULT, FIELD;

        boolean callback() {
            return this == CALLBACK_PARAMETER || this == CALLBACK_RESULT;
        }

        boolean result() {
            return this == RESULT || this == CALLBACK_RESULT;
        }
    }

    private static final Map<Class<?>, ValueLayout> PRIMITIVES = Map.of(
            byte.class, ValueLayout.JAVA_BYTE, short.class, ValueLayout.JAVA_SHORT, char.class, ValueLayout.JAVA_CHAR,
            int.class, ValueLayout.JAVA_INT, long.class, ValueLayout.JAVA_LONG, float.class, ValueLayout.JAVA_FLOAT,
            double.class, ValueLayout.JAVA_DOUBLE, boolean.class, ValueLayout.JAVA_BOOLEAN);

    private final @Nullable TypeAccess access;
    /** The records whose structs are being built, innermost last: a record met again contains itself. */
    private final Deque<Class<?>> building = new ArrayDeque<>();
    private final Map<Class<?>, Struct> structs = new HashMap<>();

    /** @param access how to reach the user's types, or null to lay out structs without their handles */
    TypeTable(@Nullable TypeAccess access) {
        this.access = access;
    }

    /**
     * Maps one type.
     *
     * @param type the Java type, with its type arguments
     * @param where its annotations (the parameter, the method for a result, the record component)
     * @param role where it stands
     * @param free the function that frees a returned string, or null
     * @return the mapping, or empty for {@code void}
     */
    Optional<Mapping> map(Type type, AnnotatedElement where, Role role, @Nullable MethodHandle free) {
        Class<?> raw = raw(type);
        // Most parameters and results carry no annotation: then none is looked up, and no annotation
        // class is loaded (each costs a fresh JVM a class load; `a && b.class` never evaluates b.class).
        boolean annotated = where.getDeclaredAnnotations().length > 0;
        if (raw == void.class) {
            if (!role.result()) {
                throw new IllegalArgumentException("void is not a parameter type");
            }
            return Optional.empty();
        }
        boolean cLong = annotated && where.isAnnotationPresent(CLong.class);
        boolean sizeT = annotated && where.isAnnotationPresent(SizeT.class);
        if (cLong || sizeT) {
            if (raw != long.class) {
                throw new IllegalArgumentException("@" + (cLong ? "CLong" : "SizeT") + " applies to long, not to "
                        + raw.getName());
            }
            MemoryLayout c = Linker.nativeLinker().canonicalLayouts().get(cLong ? "long" : "size_t");
            return Optional.of(c.byteSize() == 8 ? new Scalar.Value(ValueLayout.JAVA_LONG)
                    : new Scalar.Narrowed(ValueLayout.JAVA_INT));
        }
        Unsigned unsigned = annotated ? where.getAnnotation(Unsigned.class) : null;
        if (unsigned != null) {
            return Optional.of(unsigned(raw, unsigned.value()));
        }
        Direction array = direction(raw, where, annotated);
        ValueLayout primitive = PRIMITIVES.get(raw);
        if (primitive != null) {
            return Optional.of(new Scalar.Value(primitive));
        }
        if (role == Role.FIELD) {
            return Optional.of(field(raw, where, annotated));
        }
        Count count = annotated ? where.getAnnotation(Count.class) : null;
        if (count != null) {
            return Optional.of(counted(raw, count, role));
        }
        if (raw == MemorySegment.class) {
            Size size = annotated ? where.getAnnotation(Size.class) : null;
            boolean sized = size != null && (role == Role.RESULT || role == Role.CALLBACK_PARAMETER);
            return Optional.of(new Pointers.Address(sized ? size.value() : -1));
        }
        if (raw == String.class) {
            if (role == Role.CALLBACK_RESULT) {
                throw new IllegalArgumentException("a callback cannot return a String: C could not know when to free it");
            }
            return Optional.of(new Pointers.Text(free));
        }
        if (raw.isEnum()) {
            return Optional.of(Scalar.Enumeration.of(raw));
        }
        if (raw.isArray()) {
            return Optional.of(array(raw, array, role));
        }
        if (raw == Ref.class) {
            return Optional.of(ref(type, role));
        }
        if (raw.isRecord()) {
            boolean byReference = annotated && where.isAnnotationPresent(ByReference.class);
            if (byReference && role == Role.CALLBACK_RESULT) {
                throw new IllegalArgumentException("a callback cannot return a struct pointer: C could not know how "
                        + "long it lives; return the record by value, or a MemorySegment");
            }
            return Optional.of(struct(raw).byReference(byReference));
        }
        if (raw.isInterface() && abstractMethods(raw).size() == 1) {
            return Optional.of(Callback.of(this, access, raw, role));
        }
        throw new IllegalArgumentException("type " + raw.getName() + " has no C counterpart; see docs/binding.md");
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalArgumentException("type " + type.getTypeName() + " has no C counterpart; see docs/binding.md");
    }

    /** The array annotations, checked against the type they stand on; null when there are none. */
    private static @Nullable Direction direction(Class<?> raw, AnnotatedElement where, boolean annotated) {
        if (!annotated) {
            return null;
        }
        List<String> given = new ArrayList<>();
        Direction direction = null;
        if (where.isAnnotationPresent(In.class)) {
            given.add("@In");
            direction = Direction.IN;
        }
        if (where.isAnnotationPresent(Out.class)) {
            given.add("@Out");
            direction = Direction.OUT;
        }
        if (where.isAnnotationPresent(Heap.class)) {
            given.add("@Heap");
            direction = Direction.HEAP;
        }
        if (given.isEmpty()) {
            return null;
        }
        if (!raw.isArray() || !raw.getComponentType().isPrimitive()) {
            throw new IllegalArgumentException(given.getFirst() + " applies to primitive arrays, not to " + raw.getName());
        }
        if (given.size() > 1) {
            throw new IllegalArgumentException(String.join(" and ", given) + " exclude each other: an array is copied "
                    + "in and out (no annotation), in only (@In), out only (@Out) or not at all (@Heap)");
        }
        return direction;
    }

    private Mapping array(Class<?> type, Direction direction, Role role) {
        if (role != Role.PARAMETER) {
            throw new IllegalArgumentException("arrays are parameters only; take a MemorySegment (with @Size) instead of "
                    + type.getSimpleName());
        }
        Class<?> element = type.getComponentType();
        if (element == MemorySegment.class) {
            return new ArrayMappings.PointerArray();
        }
        ValueLayout layout = PRIMITIVES.get(element);
        if (layout == null || element == boolean.class) {
            throw new IllegalArgumentException("arrays of " + element.getName() + " have no C counterpart");
        }
        return new ArrayMappings.PrimitiveArray(type, direction == null ? Direction.BOTH : direction);
    }

    /** A C unsigned integer of {@code bits} in the wider Java type {@code raw}. */
    private static Mapping unsigned(Class<?> raw, int bits) {
        ValueLayout c = switch (bits) {
            case 8 -> ValueLayout.JAVA_BYTE;
            case 16 -> ValueLayout.JAVA_SHORT;
            case 32 -> ValueLayout.JAVA_INT;
            default -> throw new IllegalArgumentException("@Unsigned(" + bits + "): the width is 8, 16 or 32 bits; "
                    + "for uint64_t use a plain long and Long's unsigned methods");
        };
        ValueLayout java = PRIMITIVES.get(raw);
        if (java == null || raw == boolean.class || raw == char.class || raw == float.class || raw == double.class
                || java.byteSize() <= c.byteSize()) {
            throw new IllegalArgumentException("@Unsigned(" + bits + ") needs a Java integer type wider than "
                    + bits + " bits, such as " + (bits == 32 ? "long" : "int") + ", not " + raw.getName());
        }
        return new Scalar.Unsigned(c, raw);
    }

    private static Mapping counted(Class<?> raw, Count count, Role role) {
        if (role != Role.CALLBACK_PARAMETER && role != Role.RESULT) {
            throw new IllegalArgumentException("@Count applies to a result or a callback's parameters, whose count "
                    + "another argument gives; in a call you make, pass an array");
        }
        if (count.value() < 0) {
            throw new IllegalArgumentException("@Count(" + count.value() + ") must name another parameter of type "
                    + "int, long or short, by its index from 0");
        }
        if (raw == String[].class) {
            return new ArrayMappings.Counted(count.value(), ValueLayout.ADDRESS.byteSize(), true);
        }
        if (raw != MemorySegment.class) {
            throw new IllegalArgumentException("@Count applies to a MemorySegment or a String[] (char**), not to "
                    + raw.getName());
        }
        long element = count.elementSize() == 0 ? ValueLayout.ADDRESS.byteSize() : count.elementSize();
        if (element < 0) {
            throw new IllegalArgumentException("@Count(elementSize = " + element + ") must be positive");
        }
        return new ArrayMappings.Counted(count.value(), element, false);
    }

    private Mapping ref(Type type, Role role) {
        if (role != Role.PARAMETER) {
            throw new IllegalArgumentException("a Ref is an out-parameter, so a parameter only");
        }
        Type held = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        if (!(held instanceof Class<?> record) || !record.isRecord()) {
            throw new IllegalArgumentException("a Ref holds a record (a struct); for a number, pass an array of one "
                    + "element, such as int[1], instead of " + type.getTypeName());
        }
        return Pointers.Out.of(struct(record));
    }

    /** The mapping of a record component that is not a primitive. */
    private Mapping.Field field(Class<?> raw, AnnotatedElement where, boolean annotated) {
        Length length = annotated ? where.getAnnotation(Length.class) : null;
        if (length != null) {
            if (length.value() <= 0) {
                throw new IllegalArgumentException("@Length(" + length.value() + ") must be positive");
            }
            if (raw == String.class) {
                return new ArrayMappings.InlineArray(String.class, ValueLayout.JAVA_BYTE, length.value());
            }
            ValueLayout element = raw.isArray() ? PRIMITIVES.get(raw.getComponentType()) : null;
            if (element == null || raw.getComponentType() == boolean.class) {
                throw new IllegalArgumentException("@Length applies to a String (char[n]) or an array of numbers, not to "
                        + raw.getName());
            }
            return new ArrayMappings.InlineArray(raw, element, length.value());
        }
        if (raw == MemorySegment.class) {
            return new Pointers.Address(-1);
        }
        if (raw.isEnum()) {
            return Scalar.Enumeration.of(raw);
        }
        if (raw.isRecord()) {
            return struct(raw);
        }
        if (raw == String.class) {
            throw new IllegalArgumentException("a String field needs @Length(n) for an inline char[n]; for a char* "
                    + "field, declare a MemorySegment and read it with CString.read");
        }
        if (raw.isArray()) {
            throw new IllegalArgumentException("an array field needs @Length(n), the length of the C array it stands for");
        }
        throw new IllegalArgumentException("type " + raw.getName() + " cannot be a C struct field");
    }

    /**
     * The struct of a record, passed by value: its components mapped as fields.
     *
     * @throws IllegalArgumentException if the record is empty, contains itself, or has a component
     *         with no C counterpart
     */
    Struct struct(Class<?> record) {
        Struct known = structs.get(record);
        if (known != null) {
            return known;
        }
        if (building.contains(record)) {
            StringJoiner path = new StringJoiner(" -> ");
            boolean inCycle = false;
            for (Class<?> c : building) {
                inCycle |= c == record;
                if (inCycle) {
                    path.add(c.getSimpleName());
                }
            }
            path.add(record.getSimpleName());
            throw new IllegalArgumentException("record " + record.getSimpleName() + " contains itself (" + path
                    + "), which no C struct can; make the inner one a MemorySegment, a pointer");
        }
        RecordComponent[] components = record.getRecordComponents();
        if (components.length == 0) {
            throw new IllegalArgumentException("record " + record.getName() + " has no components, and C has no "
                    + "empty struct; declare its fields, or pass a MemorySegment");
        }
        building.addLast(record);
        try {
            List<Struct.Member> members = new ArrayList<>();
            for (RecordComponent c : components) {
                Mapping.Field field;
                try {
                    field = (Mapping.Field) map(c.getGenericType(), c, Role.FIELD, null).orElseThrow();
                } catch (IllegalArgumentException e) {
                    if (e.getMessage().startsWith("record ")) {
                        throw e;
                    }
                    throw new IllegalArgumentException("component " + c.getName() + " of record " + record.getName()
                            + ": " + e.getMessage());
                }
                members.add(new Struct.Member(c, field));
            }
            Struct struct = Struct.of(record, members, access == null ? null : access.lookupFor(record));
            structs.put(record, struct);
            return struct;
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("record " + record.getName() + " is not accessible: " + e.getMessage());
        } finally {
            building.removeLast();
        }
    }

    /** The abstract methods of an interface, less those of {@code Object}: one for a functional interface. */
    static List<Method> abstractMethods(Class<?> type) {
        List<Method> methods = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isAbstract(m.getModifiers()) && !TypeAccess.isObjectMethod(m)) {
                methods.add(m);
            }
        }
        return methods;
    }
}
