package dev.dynload.processor;

import dev.dynload.internal.bind.JavaMethod;
import dev.dynload.internal.bind.JavaType;
import dev.dynload.internal.bind.JavaVariable;
import dev.dynload.internal.bind.Marks;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

import org.jspecify.annotations.Nullable;

/**
 * The binding rules' view of the compiler's model: types, methods, parameters and record components
 * as {@link JavaType}, {@link JavaMethod} and {@link JavaVariable}, so that dynload-core's type table
 * runs on code that is not compiled yet. A type of the JDK or of dynload has its class here (the
 * processor runs beside them); a type being compiled has none, and the rules ask only its kind, names,
 * components and methods.
 */
final class Mirrors {

    /** Packages whose classes the processor can load to compare: those the rules name. */
    private static final Set<String> KNOWN_PACKAGES = Set.of("java.lang", "java.lang.foreign", "dev.dynload.bind");

    private final Elements elements;
    private final Types types;

    Mirrors(Elements elements, Types types) {
        this.elements = elements;
        this.types = types;
    }

    /** {@return the package {@code e} is in} */
    javax.lang.model.element.PackageElement packageOf(Element e) {
        return elements.getPackageOf(e);
    }

    /** {@return the view of {@code type}} */
    JavaType type(TypeMirror type) {
        return new MirrorType(type);
    }

    /** {@return the view of an interface's method, its types as declared} */
    JavaMethod method(ExecutableElement m) {
        return new MirrorMethod(m);
    }

    /** {@return the method element behind a view this class made} */
    static ExecutableElement element(JavaMethod m) {
        return ((MirrorMethod) m).element;
    }

    /** {@return the abstract methods of an interface, less those of Object, as the rules see them} */
    List<ExecutableElement> abstractMethods(TypeElement type) {
        List<ExecutableElement> methods = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Element e : elements.getAllMembers(type)) {
            if (e.getKind() == ElementKind.METHOD && e.getModifiers().contains(Modifier.ABSTRACT)
                    && !objectMethod((ExecutableElement) e)
                    && !seen.contains(nameAndDescriptor((ExecutableElement) e))) {
                // Once: two interfaces this one extends may declare the same method.
                seen.add(nameAndDescriptor((ExecutableElement) e));
                methods.add((ExecutableElement) e);
            }
        }
        return methods;
    }

    /** Whether {@code m} redeclares a public method of Object (an interface may, abstractly). */
    private boolean objectMethod(ExecutableElement m) {
        TypeElement object = elements.getTypeElement("java.lang.Object");
        for (Element e : object.getEnclosedElements()) {
            if (e.getKind() == ElementKind.METHOD && e.getModifiers().contains(Modifier.PUBLIC)
                    && e.getSimpleName().contentEquals(m.getSimpleName())
                    && sameParameters((ExecutableElement) e, m)) {
                return true;
            }
        }
        return false;
    }

    private boolean sameParameters(ExecutableElement a, ExecutableElement b) {
        if (a.getParameters().size() != b.getParameters().size()) {
            return false;
        }
        for (int i = 0; i < a.getParameters().size(); i++) {
            if (!types.isSameType(types.erasure(a.getParameters().get(i).asType()),
                    types.erasure(b.getParameters().get(i).asType()))) {
                return false;
            }
        }
        return true;
    }

    /** {@return the name {@link Class#getName} gives the erasure of {@code type}} */
    String binaryName(TypeMirror type) {
        return switch (type.getKind()) {
            case ARRAY -> descriptor(type).replace('/', '.');
            case DECLARED -> elements.getBinaryName((TypeElement) ((DeclaredType) type).asElement()).toString();
            default -> plainName(type); // a primitive; or a type variable, as reflection names it ("T")
        };
    }

    private String descriptor(TypeMirror type) {
        return switch (type.getKind()) {
            case BOOLEAN -> "Z";
            case BYTE -> "B";
            case SHORT -> "S";
            case CHAR -> "C";
            case INT -> "I";
            case LONG -> "J";
            case FLOAT -> "F";
            case DOUBLE -> "D";
            case VOID -> "V";
            case ARRAY -> "[" + descriptor(((ArrayType) type).getComponentType());
            case DECLARED -> "L" + binaryName(type).replace('.', '/') + ";";
            default -> descriptor(types.erasure(type));
        };
    }

    /** {@return a method's name and JVM descriptor, as {@code MethodType.toMethodDescriptorString} spells it} */
    String nameAndDescriptor(ExecutableElement m) {
        StringBuilder d = new StringBuilder(m.getSimpleName()).append('(');
        for (VariableElement p : m.getParameters()) {
            d.append(descriptor(p.asType()));
        }
        return d.append(')').append(descriptor(m.getReturnType())).toString();
    }

    /** {@return a primitive's or a type variable's name, without the type-use annotations toString shows} */
    private static String plainName(TypeMirror type) {
        Class<?> primitive = primitive(type.getKind());
        if (primitive != null) {
            return primitive.getName();
        }
        if (type.getKind() == TypeKind.TYPEVAR) {
            return ((javax.lang.model.type.TypeVariable) type).asElement().getSimpleName().toString();
        }
        return type.toString();
    }

    private static @Nullable Class<?> primitive(TypeKind kind) {
        return switch (kind) {
            case BOOLEAN -> boolean.class;
            case BYTE -> byte.class;
            case SHORT -> short.class;
            case CHAR -> char.class;
            case INT -> int.class;
            case LONG -> long.class;
            case FLOAT -> float.class;
            case DOUBLE -> double.class;
            case VOID -> void.class;
            default -> null;
        };
    }

    /** A type of the compiler's model. */
    private final class MirrorType implements JavaType {
        private final TypeMirror mirror;

        MirrorType(TypeMirror mirror) {
            this.mirror = mirror;
        }

        private @Nullable TypeElement element() {
            return mirror.getKind() == TypeKind.DECLARED ? (TypeElement) ((DeclaredType) mirror).asElement() : null;
        }

        @Override
        public Kind kind() {
            TypeKind k = mirror.getKind();
            if (k.isPrimitive() || k == TypeKind.VOID) {
                return Kind.PRIMITIVE;
            }
            if (k == TypeKind.ARRAY) {
                return Kind.ARRAY;
            }
            TypeElement e = element();
            if (e == null) {
                return Kind.OTHER;
            }
            return switch (e.getKind()) {
                case ENUM -> Kind.ENUM;
                case RECORD -> Kind.RECORD;
                case INTERFACE, ANNOTATION_TYPE -> Kind.INTERFACE;
                default -> Kind.CLASS;
            };
        }

        @Override
        public @Nullable Class<?> known() {
            Class<?> primitive = primitive(mirror.getKind());
            if (primitive != null) {
                return primitive;
            }
            if (mirror.getKind() == TypeKind.ARRAY) {
                Class<?> component = new MirrorType(((ArrayType) mirror).getComponentType()).known();
                return component == null ? null : component.arrayType();
            }
            TypeElement e = element();
            if (e == null || !KNOWN_PACKAGES.contains(elements.getPackageOf(e).getQualifiedName().toString())) {
                return null;
            }
            try {
                return Class.forName(binaryName(mirror), false, Mirrors.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError notHere) {
                return null;
            }
        }

        @Override
        public String name() {
            return binaryName(mirror);
        }

        @Override
        public String simpleName() {
            return switch (mirror.getKind()) {
                case ARRAY -> new MirrorType(((ArrayType) mirror).getComponentType()).simpleName() + "[]";
                case DECLARED -> element().getSimpleName().toString();
                default -> plainName(mirror);
            };
        }

        @Override
        public JavaType component() {
            return new MirrorType(((ArrayType) mirror).getComponentType());
        }

        @Override
        public List<JavaType> arguments() {
            List<JavaType> arguments = new ArrayList<>();
            if (mirror.getKind() == TypeKind.DECLARED) {
                for (TypeMirror t : ((DeclaredType) mirror).getTypeArguments()) {
                    arguments.add(new MirrorType(t));
                }
            }
            return arguments;
        }

        @Override
        public List<JavaVariable> components() {
            List<JavaVariable> components = new ArrayList<>();
            for (RecordComponentElement c : element().getRecordComponents()) {
                components.add(new MirrorVariable(c, c.asType()));
            }
            return components;
        }

        @Override
        public List<JavaMethod> abstractMethods() {
            List<JavaMethod> methods = new ArrayList<>();
            for (ExecutableElement m : Mirrors.this.abstractMethods(element())) {
                methods.add(new MirrorMethod(m));
            }
            return methods;
        }

        @Override
        public Marks marks() {
            TypeElement e = element();
            return new MirrorVariable(e, mirror);
        }

        /** As reflection's {@code getTypeName} spells it: binary names, with the type arguments. */
        @Override
        public String toString() {
            if (mirror.getKind() != TypeKind.DECLARED) {
                return mirror.getKind() == TypeKind.ARRAY ? new MirrorType(((ArrayType) mirror).getComponentType()) + "[]"
                        : plainName(mirror);
            }
            java.util.StringJoiner arguments = new java.util.StringJoiner(", ", "<", ">");
            arguments.setEmptyValue("");
            for (TypeMirror t : ((DeclaredType) mirror).getTypeArguments()) {
                arguments.add(new MirrorType(t).toString());
            }
            return binaryName(mirror) + arguments;
        }
    }

    /** The annotations of an element, read as reflection reads them. */
    private abstract static class MirrorMarks implements Marks {
        final @Nullable Element element;

        MirrorMarks(@Nullable Element element) {
            this.element = element;
        }

        @Override
        public boolean annotated() {
            return element != null && !element.getAnnotationMirrors().isEmpty();
        }

        @Override
        public <A extends Annotation> @Nullable A get(Class<A> type) {
            return element == null ? null : element.getAnnotation(type);
        }

        @Override
        public @Nullable AnnotatedElement reflected() {
            return null;
        }
    }

    /** A parameter, a record component, or a type's own annotations. */
    private final class MirrorVariable extends MirrorMarks implements JavaVariable {
        private final TypeMirror type;

        MirrorVariable(@Nullable Element element, TypeMirror type) {
            super(element);
            this.type = type;
        }

        @Override
        public String name() {
            return element == null ? "" : element.getSimpleName().toString();
        }

        @Override
        public JavaType type() {
            return new MirrorType(type);
        }
    }

    private final class MirrorMethod extends MirrorMarks implements JavaMethod {
        private final ExecutableElement element;

        MirrorMethod(ExecutableElement element) {
            super(element);
            this.element = element;
        }

        @Override
        public String name() {
            return element.getSimpleName().toString();
        }

        @Override
        public JavaType result() {
            return new MirrorType(element.getReturnType());
        }

        @Override
        public List<JavaVariable> parameters() {
            List<JavaVariable> parameters = new ArrayList<>();
            for (VariableElement p : element.getParameters()) {
                parameters.add(new MirrorVariable(p, p.asType()));
            }
            return parameters;
        }

        @Override
        public boolean varArgs() {
            return element.isVarArgs();
        }
    }
}
