package dev.dynload.internal.bind;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The binding rules' view of a type at run time, from reflection. Written with loops and named
 * classes (no lambdas): it runs on every bind, mostly in a fresh JVM.
 */
final class Reflected implements JavaType {

    private final Type type;
    private final @Nullable Class<?> raw;

    private Reflected(Type type) {
        this.type = type;
        this.raw = erasure(type);
    }

    /** {@return the class of a type, an array's erased (T[] is Object[]); null for a type variable or wildcard} */
    private static @Nullable Class<?> erasure(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType a) {
            Class<?> component = erasure(a.getGenericComponentType());
            return (component == null ? Object.class : component).arrayType();
        }
        return null;
    }

    /** {@return the view of {@code type}} */
    static JavaType of(Type type) {
        return new Reflected(type);
    }

    /** {@return the view of an interface's method} */
    static JavaMethod method(Method m) {
        return new ReflectedMethod(m);
    }

    @Override
    public Kind kind() {
        if (raw == null) {
            return Kind.OTHER;
        }
        if (raw.isPrimitive()) {
            return Kind.PRIMITIVE;
        }
        if (raw.isArray()) {
            return Kind.ARRAY;
        }
        if (raw.isEnum()) {
            return Kind.ENUM;
        }
        if (raw.isRecord()) {
            return Kind.RECORD;
        }
        return raw.isInterface() ? Kind.INTERFACE : Kind.CLASS;
    }

    @Override
    public @Nullable Class<?> known() {
        return raw;
    }

    @Override
    public String name() {
        return raw != null ? raw.getName() : type.getTypeName();
    }

    @Override
    public String simpleName() {
        if (type instanceof GenericArrayType a) {
            return new Reflected(a.getGenericComponentType()).simpleName() + "[]"; // T[], as the compiler names it
        }
        return raw != null ? raw.getSimpleName() : type.getTypeName();
    }

    @Override
    public JavaType component() {
        return new Reflected(type instanceof GenericArrayType a ? a.getGenericComponentType() : raw.getComponentType());
    }

    @Override
    public List<JavaType> arguments() {
        List<JavaType> arguments = new ArrayList<>();
        if (type instanceof ParameterizedType p) {
            for (Type t : p.getActualTypeArguments()) {
                arguments.add(new Reflected(t));
            }
        }
        return arguments;
    }

    @Override
    public List<JavaVariable> components() {
        List<JavaVariable> components = new ArrayList<>();
        for (RecordComponent c : raw.getRecordComponents()) {
            components.add(new ReflectedVariable(c, c.getName(), c.getGenericType()));
        }
        return components;
    }

    @Override
    public List<JavaMethod> abstractMethods() {
        List<JavaMethod> methods = new ArrayList<>();
        List<Method> seen = new ArrayList<>();
        for (Method m : raw.getMethods()) {
            if (Modifier.isAbstract(m.getModifiers()) && !TypeAccess.isObjectMethod(m) && !sameAsOneOf(m, seen)) {
                seen.add(m);
                methods.add(new ReflectedMethod(m));
            }
        }
        return methods;
    }

    /**
     * Whether {@code m} is a method already seen, inherited along another path: two interfaces an
     * interface extends may declare the same method, and {@code getMethods} gives it once for each.
     */
    private static boolean sameAsOneOf(Method m, List<Method> seen) {
        for (Method other : seen) {
            if (other.getName().equals(m.getName()) && other.getReturnType() == m.getReturnType()
                    && java.util.Arrays.equals(other.getParameterTypes(), m.getParameterTypes())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Marks marks() {
        return new ReflectedVariable(raw, raw.getName(), raw);
    }

    @Override
    public String toString() {
        return type.getTypeName();
    }

    private static boolean annotated(AnnotatedElement e) {
        return e.getDeclaredAnnotations().length > 0;
    }

    /** The annotations of a reflected element: those reflection reads, looked up only where there are any. */
    private interface ReflectedMarks extends Marks {
        @Override
        AnnotatedElement reflected();

        @Override
        default boolean annotated() {
            return Reflected.annotated(reflected());
        }

        @Override
        default <A extends Annotation> @Nullable A get(Class<A> type) {
            return reflected().getAnnotation(type);
        }
    }

    /** A parameter, a record component, or a class's own annotations. */
    private record ReflectedVariable(AnnotatedElement reflected, String name, Type generic)
            implements JavaVariable, ReflectedMarks {
        @Override
        public JavaType type() {
            return new Reflected(generic);
        }

    }

    private record ReflectedMethod(Method reflected) implements JavaMethod, ReflectedMarks {
        @Override
        public String name() {
            return reflected.getName();
        }

        @Override
        public JavaType result() {
            return new Reflected(reflected.getGenericReturnType());
        }

        @Override
        public List<JavaVariable> parameters() {
            Parameter[] parameters = reflected.getParameters();
            Type[] generic = reflected.getGenericParameterTypes();
            List<JavaVariable> views = new ArrayList<>();
            for (int i = 0; i < parameters.length; i++) {
                views.add(new ReflectedVariable(parameters[i], parameters[i].getName(),
                        generic.length == parameters.length ? generic[i] : parameters[i].getType()));
            }
            return views;
        }

        @Override
        public boolean varArgs() {
            return reflected.isVarArgs();
        }

    }
}
