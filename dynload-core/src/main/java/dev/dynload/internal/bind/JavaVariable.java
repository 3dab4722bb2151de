package dev.dynload.internal.bind;

/** A parameter or a record component, as the binding rules see it: its name, type and annotations. */
public interface JavaVariable extends Marks {

    /** {@return its name} */
    String name();

    /** {@return its type, with its type arguments} */
    JavaType type();
}
