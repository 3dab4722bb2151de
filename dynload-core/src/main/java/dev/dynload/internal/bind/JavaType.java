package dev.dynload.internal.bind;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A Java type as the binding rules ({@link TypeTable}, {@link BindingRules}) ask about it. At run time
 * it wraps a reflected type ({@link Reflected}); in the annotation processor, a type of the compiler's
 * model. The rules are written once against this view, so a mistake gets the same words at compile time
 * as at {@code bind}.
 */
public interface JavaType {

    /** What kind of type this is. */
    enum Kind {
        /** {@code void}, or a primitive */
        PRIMITIVE,
        /** an array */
        ARRAY,
        /** an enum */
        ENUM,
        /** a record */
        RECORD,
        /** an interface */
        INTERFACE,
        /** any other class */
        CLASS,
        /** a type variable or a wildcard */
        OTHER
    }

    /** {@return its kind} */
    Kind kind();

    /**
     * {@return its class where it exists as one: always at run time; at compile time for primitives,
     * arrays of them, and the JDK's and dynload's types, which are on the processor's path; null for the
     * types being compiled}
     */
    @Nullable Class<?> known();

    /** {@return its name as {@link Class#getName} spells it} */
    String name();

    /** {@return its simple name as {@link Class#getSimpleName} spells it} */
    String simpleName();

    /** {@return the type of an array's elements} */
    JavaType component();

    /** {@return its type arguments, empty for a raw or plain type} */
    List<JavaType> arguments();

    /** {@return a record's components, in order} */
    List<JavaVariable> components();

    /** {@return an interface's abstract methods, less those of Object, in no particular order} */
    List<JavaMethod> abstractMethods();

    /** {@return the annotations on the type itself} */
    Marks marks();
}
