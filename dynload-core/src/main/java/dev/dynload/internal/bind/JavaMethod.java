package dev.dynload.internal.bind;

import java.util.List;

/** A method of an interface to bind (or of a callback interface), as the binding rules see it. */
public interface JavaMethod extends Marks {

    /**
     * {@return the run-time view of a reflected method}
     *
     * @param m the method
     */
    static JavaMethod of(java.lang.reflect.Method m) {
        return Reflected.method(m);
    }

    /** {@return its name} */
    String name();

    /** {@return its result type} */
    JavaType result();

    /** {@return its parameters} */
    List<JavaVariable> parameters();

    /** {@return whether it is a Java varargs method} */
    boolean varArgs();
}
