package dev.dynload.processor;

import dev.dynload.internal.bind.BindingRules;

import java.util.List;
import java.util.StringJoiner;

import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Types;

import org.jspecify.annotations.Nullable;

/**
 * Writes the implementation of a checked library interface: {@code Iface$Dynload}, beside it. It is the
 * source form of the class {@code bind} otherwise writes at run time, and {@code bind} defines it the
 * same way, as a hidden class with its own constants per bind (dynload-core's {@code GeneratedClass}).
 *
 * <p>Each method calls {@code invokeExact} on a {@code static final} handle, which the class's static
 * initializer asks its class data for, by the method's name and erased type; the handle links the
 * native call on its first call. The class names nothing of dynload, so the user's module exports
 * nothing to it. Nothing here decides how a type maps: that happens at run time, by the same table
 * that checked the interface.
 */
final class ImplementationWriter {

    private final TypeElement type;
    private final Types types;
    private final String packageName;
    private final String simpleName;

    ImplementationWriter(TypeElement type, Mirrors mirrors, Types types) {
        this.type = type;
        this.types = types;
        String binary = mirrors.binaryName(type.asType());
        int dot = binary.lastIndexOf('.');
        this.packageName = dot < 0 ? "" : binary.substring(0, dot);
        this.simpleName = binary.substring(dot + 1) + BindingRules.IMPLEMENTATION_SUFFIX;
    }

    /** {@return why no class can implement {@code type} from outside it, or null when one can} */
    static @Nullable String unreachable(TypeElement type) {
        if (!type.getTypeParameters().isEmpty()) {
            return "it has type parameters";
        }
        for (Element e = type; e instanceof TypeElement t; e = e.getEnclosingElement()) {
            if (t.getNestingKind() == NestingKind.LOCAL || t.getNestingKind() == NestingKind.ANONYMOUS) {
                return "it is local to a method";
            }
            if (t.getModifiers().contains(Modifier.PRIVATE)) {
                return "it is private" + (t == type ? "" : " to " + t.getSimpleName());
            }
        }
        return null;
    }

    /** {@return the written class's qualified name} */
    String qualifiedName() {
        return packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
    }

    /** {@return the written class's source, implementing {@code methods}} */
    String source(List<ExecutableElement> methods) {
        StringBuilder s = new StringBuilder();
        if (!packageName.isEmpty()) {
            s.append("package ").append(packageName).append(";\n\n");
        }
        String iface = type.getQualifiedName().toString();
        s.append("/**\n * The implementation of {@link ").append(iface).append("} that dynload's annotation processor\n")
                .append(" * wrote. {@code Library.bind} defines it as a hidden class for each bind; it is never loaded by\n")
                .append(" * name. Do not edit: dynload.processor.BindingProcessor writes it again on every compilation.\n")
                .append(" * (No @Generated: it would make a module that binds need java.compiler.)\n */\n")
                .append("final class ").append(simpleName).append(" implements ").append(iface).append(" {\n\n")
                .append("    private static final java.util.function.BiFunction<Object, Object, Object> LINKS = links();\n");
        for (int i = 0; i < methods.size(); i++) {
            ExecutableElement m = methods.get(i);
            StringJoiner classes = new StringJoiner(", ");
            classes.add(erased(m.getReturnType()) + ".class");
            for (var p : m.getParameters()) {
                classes.add(erased(p.asType()) + ".class");
            }
            s.append("    private static final java.lang.invoke.MethodHandle M").append(i).append(" = link(\"")
                    .append(m.getSimpleName()).append("\", ").append(classes).append(");\n");
        }
        s.append("\n    ").append(simpleName).append("() {\n    }\n");
        for (int i = 0; i < methods.size(); i++) {
            method(s, methods.get(i), i);
        }
        s.append("""

                    @Override
                    public String toString() {
                        return (String) LINKS.apply("toString", null);
                    }

                    @SuppressWarnings("unchecked")
                    private static java.util.function.BiFunction<Object, Object, Object> links() {
                        Object data;
                        try {
                            data = java.lang.invoke.MethodHandles.classData(java.lang.invoke.MethodHandles.lookup(), "_",
                                    Object.class);
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException(e);
                        }
                        if (data == null) {
                            throw new IllegalStateException("this class is defined by dynload's Library.bind, not loaded by name");
                        }
                        return (java.util.function.BiFunction<Object, Object, Object>) data;
                    }

                    private static java.lang.invoke.MethodHandle link(String name, Class<?> result, Class<?>... parameters) {
                        return (java.lang.invoke.MethodHandle) LINKS.apply(name,
                                java.lang.invoke.MethodType.methodType(result, parameters));
                    }

                    /** Throws what the call threw, as the class bind writes at run time does: unwrapped. */
                    @SuppressWarnings("unchecked")
                    private static <T extends Throwable> T rethrow(Throwable t) throws T {
                        throw (T) t;
                    }
                }
                """);
        return s.toString();
    }

    private void method(StringBuilder s, ExecutableElement m, int index) {
        StringJoiner declared = new StringJoiner(", ");
        StringJoiner passed = new StringJoiner(", ");
        for (int i = 0; i < m.getParameters().size(); i++) {
            declared.add(m.getParameters().get(i).asType() + " a" + i);
            passed.add("a" + i);
        }
        TypeMirror result = m.getReturnType();
        String call = "M" + index + ".invokeExact(" + passed + ")";
        String body = result.getKind() == TypeKind.VOID ? call + ";" : "return (" + erased(result) + ") " + call + ";";
        s.append("\n    @Override\n    public ").append(result).append(' ').append(m.getSimpleName()).append('(')
                .append(declared).append(") {\n        try {\n            ").append(body).append("\n")
                .append("        } catch (Throwable t) {\n            throw ").append(simpleName)
                .append(".<RuntimeException>rethrow(t);\n        }\n    }\n");
    }

    /** {@return the source name of a type's erasure, without annotations: what a cast or a class literal names} */
    private String erased(TypeMirror t) {
        return switch (t.getKind()) {
            case ARRAY -> erased(((ArrayType) t).getComponentType()) + "[]";
            case DECLARED -> ((TypeElement) ((DeclaredType) t).asElement()).getQualifiedName().toString();
            case TYPEVAR -> erased(types.erasure(t));
            default -> t.getKind().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
