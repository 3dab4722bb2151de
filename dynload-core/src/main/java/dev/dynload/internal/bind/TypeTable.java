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
 *
 * <p>The table reads types through {@link JavaType}, so the annotation processor runs it on the
 * compiler's model: there {@code access} is null and the types being compiled have no class, so the
 * mappings it makes carry layouts and rules, not conversions.
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
    private final Deque<String> building = new ArrayDeque<>();
    private final Map<String, Struct> structs = new HashMap<>();

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
    Optional<Mapping> map(JavaType type, Marks where, Role role, @Nullable MethodHandle free) {
        if (type.kind() == JavaType.Kind.OTHER) {
            throw new IllegalArgumentException("type " + type.name() + " has no C counterpart; see docs/binding.md");
        }
        Class<?> raw = type.known(); // null for a type being compiled: a record, an enum, a callback
        // Most parameters and results carry no annotation: then none is looked up, and no annotation
        // class is loaded (each costs a fresh JVM a class load; `a && b.class` never evaluates b.class).
        boolean annotated = where.annotated();
        if (raw == void.class) {
            if (!role.result()) {
                throw new IllegalArgumentException("void is not a parameter type");
            }
            return Optional.empty();
        }
        boolean cLong = annotated && where.get(CLong.class) != null;
        boolean sizeT = annotated && where.get(SizeT.class) != null;
        if (cLong || sizeT) {
            if (raw != long.class) {
                throw new IllegalArgumentException("@" + (cLong ? "CLong" : "SizeT") + " applies to long, not to "
                        + type.name());
            }
            MemoryLayout c = Linker.nativeLinker().canonicalLayouts().get(cLong ? "long" : "size_t");
            return Optional.of(c.byteSize() == 8 ? new Scalar.Value(ValueLayout.JAVA_LONG)
                    : new Scalar.Narrowed(ValueLayout.JAVA_INT));
        }
        Unsigned unsigned = annotated ? where.get(Unsigned.class) : null;
        if (unsigned != null) {
            return Optional.of(unsigned(type, unsigned.value()));
        }
        Direction array = direction(type, where, annotated);
        ValueLayout primitive = raw == null ? null : PRIMITIVES.get(raw);
        if (primitive != null) {
            return Optional.of(new Scalar.Value(primitive));
        }
        if (role == Role.FIELD) {
            return Optional.of(field(type, where, annotated));
        }
        Count count = annotated ? where.get(Count.class) : null;
        if (count != null) {
            return Optional.of(counted(type, count, role));
        }
        if (raw == MemorySegment.class) {
            Size size = annotated ? where.get(Size.class) : null;
            boolean sized = size != null && (role == Role.RESULT || role == Role.CALLBACK_PARAMETER);
            return Optional.of(new Pointers.Address(sized ? size.value() : -1));
        }
        if (raw == String.class) {
            if (role == Role.CALLBACK_RESULT) {
                throw new IllegalArgumentException("a callback cannot return a String: C could not know when to free it");
            }
            return Optional.of(new Pointers.Text(free));
        }
        JavaType.Kind kind = type.kind();
        if (kind == JavaType.Kind.ENUM) {
            return Optional.of(Scalar.Enumeration.of(raw));
        }
        if (kind == JavaType.Kind.ARRAY) {
            return Optional.of(array(type, array, role));
        }
        if (raw == Ref.class) {
            return Optional.of(ref(type, role));
        }
        if (kind == JavaType.Kind.RECORD) {
            boolean byReference = annotated && where.get(ByReference.class) != null;
            if (byReference && role == Role.CALLBACK_RESULT) {
                throw new IllegalArgumentException("a callback cannot return a struct pointer: C could not know how "
                        + "long it lives; return the record by value, or a MemorySegment");
            }
            return Optional.of(struct(type).byReference(byReference));
        }
        if (kind == JavaType.Kind.INTERFACE) {
            List<JavaMethod> methods = type.abstractMethods();
            if (methods.size() == 1) {
                return Optional.of(Callback.of(this, access, type, methods.getFirst(), role));
            }
        }
        throw new IllegalArgumentException("type " + type.name() + " has no C counterpart; see docs/binding.md");
    }

    /** The array annotations, checked against the type they stand on; null when there are none. */
    private static @Nullable Direction direction(JavaType type, Marks where, boolean annotated) {
        if (!annotated) {
            return null;
        }
        List<String> given = new ArrayList<>();
        Direction direction = null;
        if (where.get(In.class) != null) {
            given.add("@In");
            direction = Direction.IN;
        }
        if (where.get(Out.class) != null) {
            given.add("@Out");
            direction = Direction.OUT;
        }
        if (where.get(Heap.class) != null) {
            given.add("@Heap");
            direction = Direction.HEAP;
        }
        if (given.isEmpty()) {
            return null;
        }
        if (type.kind() != JavaType.Kind.ARRAY || type.component().kind() != JavaType.Kind.PRIMITIVE) {
            throw new IllegalArgumentException(given.getFirst() + " applies to primitive arrays, not to " + type.name());
        }
        if (given.size() > 1) {
            throw new IllegalArgumentException(String.join(" and ", given) + " exclude each other: an array is copied "
                    + "in and out (no annotation), in only (@In), out only (@Out) or not at all (@Heap)");
        }
        return direction;
    }

    private Mapping array(JavaType type, Direction direction, Role role) {
        if (role != Role.PARAMETER) {
            throw new IllegalArgumentException("arrays are parameters only; take a MemorySegment (with @Size) instead of "
                    + type.simpleName());
        }
        Class<?> element = type.component().known();
        if (element == MemorySegment.class) {
            return new ArrayMappings.PointerArray();
        }
        ValueLayout layout = element == null ? null : PRIMITIVES.get(element);
        if (layout == null || element == boolean.class) {
            throw new IllegalArgumentException("arrays of " + type.component().name() + " have no C counterpart");
        }
        return new ArrayMappings.PrimitiveArray(type.known(), direction == null ? Direction.BOTH : direction);
    }

    /** A C unsigned integer of {@code bits} in the wider Java type {@code raw}. */
    private static Mapping unsigned(JavaType type, int bits) {
        Class<?> raw = type.known();
        ValueLayout c = switch (bits) {
            case 8 -> ValueLayout.JAVA_BYTE;
            case 16 -> ValueLayout.JAVA_SHORT;
            case 32 -> ValueLayout.JAVA_INT;
            default -> throw new IllegalArgumentException("@Unsigned(" + bits + "): the width is 8, 16 or 32 bits; "
                    + "for uint64_t use a plain long and Long's unsigned methods");
        };
        ValueLayout java = raw == null ? null : PRIMITIVES.get(raw);
        if (java == null || raw == boolean.class || raw == char.class || raw == float.class || raw == double.class
                || java.byteSize() <= c.byteSize()) {
            throw new IllegalArgumentException("@Unsigned(" + bits + ") needs a Java integer type wider than "
                    + bits + " bits, such as " + (bits == 32 ? "long" : "int") + ", not " + type.name());
        }
        return new Scalar.Unsigned(c, raw);
    }

    private static Mapping counted(JavaType type, Count count, Role role) {
        Class<?> raw = type.known();
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
                    + type.name());
        }
        long element = count.elementSize() == 0 ? ValueLayout.ADDRESS.byteSize() : count.elementSize();
        if (element < 0) {
            throw new IllegalArgumentException("@Count(elementSize = " + element + ") must be positive");
        }
        return new ArrayMappings.Counted(count.value(), element, false);
    }

    private Mapping ref(JavaType type, Role role) {
        if (role != Role.PARAMETER) {
            throw new IllegalArgumentException("a Ref is an out-parameter, so a parameter only");
        }
        List<JavaType> held = type.arguments();
        if (held.isEmpty() || held.getFirst().kind() != JavaType.Kind.RECORD) {
            throw new IllegalArgumentException("a Ref holds a record (a struct); for a number, pass an array of one "
                    + "element, such as int[1], instead of " + type);
        }
        return Pointers.Out.of(struct(held.getFirst()));
    }

    /** The mapping of a record component that is not a primitive. */
    private Mapping.Field field(JavaType type, Marks where, boolean annotated) {
        Class<?> raw = type.known();
        JavaType.Kind kind = type.kind();
        Length length = annotated ? where.get(Length.class) : null;
        if (length != null) {
            if (length.value() <= 0) {
                throw new IllegalArgumentException("@Length(" + length.value() + ") must be positive");
            }
            if (raw == String.class) {
                return new ArrayMappings.InlineArray(String.class, ValueLayout.JAVA_BYTE, length.value());
            }
            Class<?> component = kind == JavaType.Kind.ARRAY ? type.component().known() : null;
            ValueLayout element = component == null ? null : PRIMITIVES.get(component);
            if (element == null || component == boolean.class) {
                throw new IllegalArgumentException("@Length applies to a String (char[n]) or an array of numbers, not to "
                        + type.name());
            }
            return new ArrayMappings.InlineArray(raw, element, length.value());
        }
        if (raw == MemorySegment.class) {
            return new Pointers.Address(-1);
        }
        if (kind == JavaType.Kind.ENUM) {
            return Scalar.Enumeration.of(raw);
        }
        if (kind == JavaType.Kind.RECORD) {
            return struct(type);
        }
        if (raw == String.class) {
            throw new IllegalArgumentException("a String field needs @Length(n) for an inline char[n]; for a char* "
                    + "field, declare a MemorySegment and read it with CString.read");
        }
        if (kind == JavaType.Kind.ARRAY) {
            throw new IllegalArgumentException("an array field needs @Length(n), the length of the C array it stands for");
        }
        throw new IllegalArgumentException("type " + type.name() + " cannot be a C struct field");
    }

    /**
     * The struct of a record, passed by value: its components mapped as fields.
     *
     * @throws IllegalArgumentException if the record is empty, contains itself, or has a component
     *         with no C counterpart
     */
    Struct struct(JavaType record) {
        String name = record.name();
        Struct known = structs.get(name);
        if (known != null) {
            return known;
        }
        if (building.contains(name)) {
            StringJoiner path = new StringJoiner(" -> ");
            boolean inCycle = false;
            for (String c : building) {
                inCycle |= c.equals(name);
                if (inCycle) {
                    path.add(simple(c));
                }
            }
            path.add(record.simpleName());
            throw new IllegalArgumentException("record " + record.simpleName() + " contains itself (" + path
                    + "), which no C struct can; make the inner one a MemorySegment, a pointer");
        }
        List<JavaVariable> components = record.components();
        if (components.isEmpty()) {
            throw new IllegalArgumentException("record " + name + " has no components, and C has no "
                    + "empty struct; declare its fields, or pass a MemorySegment");
        }
        building.addLast(name);
        try {
            List<Struct.Member> members = new ArrayList<>();
            for (JavaVariable c : components) {
                Mapping.Field field;
                try {
                    field = (Mapping.Field) map(c.type(), c, Role.FIELD, null).orElseThrow();
                } catch (IllegalArgumentException e) {
                    if (e.getMessage().startsWith("record ")) {
                        throw e;
                    }
                    throw new IllegalArgumentException("component " + c.name() + " of record " + name
                            + ": " + e.getMessage());
                }
                members.add(new Struct.Member(c, field));
            }
            Struct struct = Struct.of(record, members, access == null ? null : access.lookupFor(record.known()));
            structs.put(name, struct);
            return struct;
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("record " + name + " is not accessible: " + e.getMessage());
        } finally {
            building.removeLast();
        }
    }

    /** The simple name of a class named as {@link Class#getName} names it (a nested record: after its '$'). */
    private static String simple(String name) {
        return name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf('$')) + 1);
    }
}
