package dev.dynload.internal.bind;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;

import org.jspecify.annotations.Nullable;

/**
 * The dynload annotations on one place of an interface (a method, a parameter, a record component, a
 * type), as the binding rules ask about them. Reflection answers at run time; the compiler's model
 * answers in the annotation processor, whose {@code Element.getAnnotation} gives the same annotation
 * objects, so the rules read {@code @Count(2).value()} the same way at both times.
 */
public interface Marks {

    /** {@return whether any annotation stands here: when none does, none is looked up (each costs a class load)} */
    boolean annotated();

    /**
     * {@return the annotation of {@code type} standing here, or null}
     *
     * @param type the annotation's type
     * @param <A> the annotation's type
     */
    <A extends Annotation> @Nullable A get(Class<A> type);

    /** {@return the reflected element at run time (Method, Parameter, RecordComponent, Class); null at compile time} */
    @Nullable AnnotatedElement reflected();
}
