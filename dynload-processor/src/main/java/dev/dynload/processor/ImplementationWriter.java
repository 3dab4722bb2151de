package dev.dynload.processor;

import dev.dynload.internal.bind.BindingRules;

import java.util.ArrayList;
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

import org.jspecify.annotations.Nullable;

/**
 * Writes the implementation of a checked library interface: {@code Iface$Dynload}, beside it. It is the
 * source form of the class {@code bind} otherwise writes at run time (see dynload-core's
 * {@code WrittenClass} for how {@code bind} uses it).
 *
 * <p>Each method calls {@code invokeExact} on the {@code static final} handle of a holder class of its
 * own, initialized on the method's first call, which asks the class's {@code links} (set by
 * {@code bind}) for it by the method's name and erased type. The class names nothing of dynload, so the user's module exports
 * nothing to it. Nothing here decides how a type maps: that happens at run time, by the same table
 * that checked the interface.
 */
final class ImplementationWriter {

    private final TypeElement type;
    private final Mirrors mirrors;
    private final String binary;
    private final String packageName;
    private final String simpleName;

    ImplementationWriter(TypeElement type, Mirrors mirrors) {
        this.type = type;
        this.mirrors = mirrors;
        this.binary = mirrors.binaryName(type.asType());
        int dot = binary.lastIndexOf('.');
        this.packageName = dot < 0 ? "" : binary.substring(0, dot);
        this.simpleName = binary.substring(dot + 1) + BindingRules.IMPLEMENTATION_SUFFIX;
    }

    /**
     * {@return why no class written beside {@code type} can implement it, or null when one can}
     *
     * @param methods the methods it would implement
     */
    @Nullable String unreachable(List<ExecutableElement> methods) {
        if (!type.getTypeParameters().isEmpty()) {
            return "it has type parameters";
        }
        for (ExecutableElement m : methods) {
            if (!m.getTypeParameters().isEmpty()) {
                return m.getSimpleName() + " has type parameters";
            }
            List<TypeMirror> signature = new ArrayList<>();
            signature.add(m.getReturnType());
            for (var p : m.getParameters()) {
                signature.add(p.asType());
            }
            for (TypeMirror t : signature) {
                String why = unreachable(t);
                if (why != null) {
                    return m.getSimpleName() + " names " + why;
                }
            }
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

    /**
     * {@return why a type in a method's signature cannot be named from a class beside the interface: a
     * type variable (of an interface it extends), or a type private, or protected in another package; or
     * null}
     */
    private @Nullable String unreachable(TypeMirror t) {
        switch (t.getKind()) {
            case TYPEVAR, WILDCARD, INTERSECTION, UNION, ERROR:
                return "a type variable or a type the compiler could not resolve (" + t + ")";
            case ARRAY:
                return unreachable(((ArrayType) t).getComponentType());
            case DECLARED:
                for (TypeMirror argument : ((DeclaredType) t).getTypeArguments()) {
                    String why = unreachable(argument);
                    if (why != null) {
                        return why;
                    }
                }
                for (Element e = ((DeclaredType) t).asElement(); e instanceof TypeElement te; e = e.getEnclosingElement()) {
                    if (te.getModifiers().contains(Modifier.PRIVATE)
                            || (te.getModifiers().contains(Modifier.PROTECTED)
                                    && !mirrors.packageOf(te).equals(mirrors.packageOf(type)))) {
                        return "the type " + te.getQualifiedName() + ", which is not visible beside it";
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /** {@return the interface's binary name} */
    String binaryName() {
        return binary;
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
        List<String> implemented = new ArrayList<>();
        for (ExecutableElement m : methods) {
            implemented.add(mirrors.nameAndDescriptor(m));
        }
        s.append("/**\n * The implementation of {@link ").append(iface).append("} that dynload's annotation processor\n")
                .append(" * wrote; {@code Library.bind} makes its instances. Do not edit: dynload.processor.BindingProcessor\n")
                .append(" * writes it again on every compilation. (No @Generated: a module that binds would need java.compiler.)\n")
                .append(" */\n")
                .append("@SuppressWarnings({\"deprecation\", \"removal\"})\n")
                .append("final class ").append(simpleName).append(" implements ").append(iface).append(" {\n\n")
                .append("    /** Set once, by the constructor, for bind: what each method's holder asks for its handle. */\n")
                .append("    private static volatile java.util.function.BiFunction<Object, Object, Object> links;\n\n")
                .append("    /** The methods this class implements, which bind checks against the interface as it is now. */\n")
                .append("    private static final String IMPLEMENTED = \"")
                .append(BindingRules.implementedKey(implemented)).append("\";\n\n")
                .append("    private final String description;\n\n    ")
                .append(simpleName).append("(String description, java.util.function.BiFunction<Object, Object, Object> links,\n")
                .append("            String implemented) {\n")
                .append("        if (!IMPLEMENTED.equals(implemented)) {\n")
                .append("            throw new IllegalStateException(\"written for another version of the interface\");\n")
                .append("        }\n")
                .append("        synchronized (").append(simpleName).append(".class) {\n")
                .append("            if (").append(simpleName).append(".links != null) {\n")
                .append("                throw new IllegalStateException(\"this class serves another bind\");\n")
                .append("            }\n")
                .append("            ").append(simpleName).append(".links = links;\n")
                .append("        }\n")
                .append("        this.description = description;\n    }\n");
        for (int i = 0; i < methods.size(); i++) {
            method(s, methods.get(i), i);
        }
        s.append("""

                    @Override
                    public String toString() {
                        return description;
                    }

                    private static java.lang.invoke.MethodHandle link(String name, Class<?> result, Class<?>... parameters) {
                        return (java.lang.invoke.MethodHandle) links.apply(name,
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

    /**
     * One method, and the holder of its handle: a class of its own, initialized on the method's first
     * call, so that only the methods called have their native calls made.
     */
    private void method(StringBuilder s, ExecutableElement m, int index) {
        StringJoiner classes = new StringJoiner(", ");
        classes.add(erased(m.getReturnType()) + ".class");
        StringJoiner declared = new StringJoiner(", ");
        StringJoiner passed = new StringJoiner(", ");
        for (int i = 0; i < m.getParameters().size(); i++) {
            TypeMirror p = m.getParameters().get(i).asType();
            classes.add(erased(p) + ".class");
            declared.add(p + " a" + i);
            passed.add("a" + i);
        }
        s.append("\n    private static final class M").append(index).append(" {\n")
                .append("        static final java.lang.invoke.MethodHandle H = link(\"").append(m.getSimpleName())
                .append("\", ").append(classes).append(");\n    }\n");
        TypeMirror result = m.getReturnType();
        String call = "M" + index + ".H.invokeExact(" + passed + ")";
        String body = result.getKind() == TypeKind.VOID ? call + ";" : "return (" + erased(result) + ") " + call + ";";
        s.append("\n    @Override\n    public ").append(result).append(' ').append(m.getSimpleName()).append('(')
                .append(declared).append(") {\n        try {\n            ").append(body).append("\n")
                .append("        } catch (Throwable t) {\n            throw ").append(simpleName)
                .append(".<RuntimeException>rethrow(t);\n        }\n    }\n");
    }

    /**
     * {@return the source name of a type's erasure, without annotations: what a cast or a class literal
     * names} No type variable reaches here: {@link #unreachable} writes no class for one.
     */
    private static String erased(TypeMirror t) {
        return switch (t.getKind()) {
            case ARRAY -> erased(((ArrayType) t).getComponentType()) + "[]";
            case DECLARED -> ((TypeElement) ((DeclaredType) t).asElement()).getQualifiedName().toString();
            default -> t.getKind().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
