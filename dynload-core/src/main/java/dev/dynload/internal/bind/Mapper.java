package dev.dynload.internal.bind;

import dev.dynload.bind.ByReference;
import dev.dynload.bind.CLong;
import dev.dynload.bind.Heap;
import dev.dynload.bind.In;
import dev.dynload.bind.Size;
import dev.dynload.bind.SizeT;

import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The type table: which Java type stands for which C type, in which position. Problems are reported as
 * {@link IllegalArgumentException}s whose message completes "parameter 2 ...", "the return type ...".
 */
final class Mapper {

    /** Where a type stands; not every type may stand everywhere. */
    enum Role {
        PARAMETER, RESULT, CALLBACK_PARAMETER, CALLBACK_RESULT;

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

    private final Access access;

    Mapper(Access access) {
        this.access = access;
    }

    /**
     * Maps one type.
     *
     * @param type the Java type
     * @param where its annotations (the parameter, or the method for a result)
     * @param role where it stands
     * @param free the function that frees a returned string, or null
     * @return the mapping, or null for {@code void}
     */
    Mapping map(Class<?> type, AnnotatedElement where, Role role, MethodHandle free) {
        // Most parameters and results carry no annotation: then none is looked up, and no annotation
        // class is loaded (each costs a fresh JVM a class load; `a && b.class` never evaluates b.class).
        boolean annotated = where.getDeclaredAnnotations().length > 0;
        boolean cLong = annotated && where.isAnnotationPresent(CLong.class);
        boolean sizeT = annotated && where.isAnnotationPresent(SizeT.class);
        if ((cLong || sizeT) && type != long.class) {
            throw new IllegalArgumentException("@" + (cLong ? "CLong" : "SizeT") + " applies to long, not to "
                    + type.getName());
        }
        boolean primitiveArray = type.isArray() && type.getComponentType().isPrimitive();
        boolean heap = annotated && where.isAnnotationPresent(Heap.class);
        boolean in = annotated && where.isAnnotationPresent(In.class);
        if (heap && !primitiveArray) {
            throw new IllegalArgumentException("@Heap applies to primitive arrays, not to " + type.getName());
        }
        if (in) {
            if (!primitiveArray) {
                throw new IllegalArgumentException("@In applies to primitive arrays, not to " + type.getName());
            }
            if (heap) {
                throw new IllegalArgumentException("@In and @Heap exclude each other: a @Heap array is not copied at all");
            }
        }
        if (type == void.class) {
            if (!role.result()) {
                throw new IllegalArgumentException("void is not a parameter type");
            }
            return null;
        }
        if (cLong || sizeT) {
            MemoryLayout c = Linker.nativeLinker().canonicalLayouts().get(cLong ? "long" : "size_t");
            return c.byteSize() == 8 ? new Mapping.Direct(ValueLayout.JAVA_LONG) : new Mapping.Narrowed(ValueLayout.JAVA_INT);
        }
        ValueLayout primitive = PRIMITIVES.get(type);
        if (primitive != null) {
            return new Mapping.Direct(primitive);
        }
        if (type == MemorySegment.class) {
            Size size = annotated ? where.getAnnotation(Size.class) : null;
            if (size != null && (role == Role.RESULT || role == Role.CALLBACK_PARAMETER)) {
                return new Mapping.SizedPointer(size.value());
            }
            return new Mapping.Direct(ValueLayout.ADDRESS);
        }
        if (type == String.class) {
            if (role == Role.CALLBACK_RESULT) {
                throw new IllegalArgumentException("a callback cannot return a String: C could not know when to free it");
            }
            return new Mapping.Text(free);
        }
        if (type.isEnum()) {
            return Mapping.Enumeration.of(type);
        }
        if (type.isArray()) {
            return array(type, heap, in, role);
        }
        if (type.isRecord()) {
            if (role.callback()) {
                throw new IllegalArgumentException("records cannot cross a callback; pass a MemorySegment");
            }
            try {
                return Struct.of(type, access.lookupFor(type)).byReference(annotated && where.isAnnotationPresent(ByReference.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("record " + type.getName() + " is not accessible: " + e.getMessage());
            }
        }
        if (type.isInterface() && abstractMethods(type).size() == 1) {
            return callback(type, role);
        }
        throw new IllegalArgumentException("type " + type.getName() + " has no C counterpart; see docs/binding.md");
    }

    private Mapping array(Class<?> type, boolean heap, boolean in, Role role) {
        if (role != Role.PARAMETER) {
            throw new IllegalArgumentException("arrays are parameters only; return a MemorySegment instead of "
                    + type.getSimpleName());
        }
        Class<?> element = type.getComponentType();
        if (element == MemorySegment.class) {
            return new Mapping.PointerArray();
        }
        ValueLayout layout = PRIMITIVES.get(element);
        if (layout == null || element == boolean.class) {
            throw new IllegalArgumentException("arrays of " + element.getName() + " have no C counterpart");
        }
        return new Mapping.PrimitiveArray(layout, heap, in);
    }

    /** The abstract methods of an interface, less those of {@code Object}: one for a functional interface. */
    static List<Method> abstractMethods(Class<?> type) {
        List<Method> methods = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isAbstract(m.getModifiers()) && !Access.isObjectMethod(m)) {
                methods.add(m);
            }
        }
        return methods;
    }

    private Mapping callback(Class<?> type, Role role) {
        if (role != Role.PARAMETER) {
            throw new IllegalArgumentException("a callback (" + type.getSimpleName() + ") can only be a parameter");
        }
        Method sam = abstractMethods(type).getFirst();
        List<String> problems = new ArrayList<>();
        Mapping[] parameters = new Mapping[sam.getParameterCount()];
        for (int i = 0; i < parameters.length; i++) {
            try {
                parameters[i] = map(sam.getParameterTypes()[i], sam.getParameters()[i], Role.CALLBACK_PARAMETER, null);
            } catch (IllegalArgumentException e) {
                problems.add("parameter " + i + " of its " + sam.getName() + ": " + e.getMessage());
            }
        }
        Mapping result = null;
        try {
            result = map(sam.getReturnType(), sam, Role.CALLBACK_RESULT, null);
        } catch (IllegalArgumentException e) {
            problems.add("its " + sam.getName() + "'s result: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("callback " + type.getSimpleName() + ": " + String.join("; ", problems));
        }
        try {
            MethodHandles.Lookup lookup = access.lookupFor(type);
            return new Callback(lookup.unreflect(sam), parameters, result);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("callback interface " + type.getName() + " is not accessible: "
                    + e.getMessage());
        }
    }
}
