package dev.dynload.bind;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Where the functions of a bound interface are, when they are not the library's exports: a table of
 * function pointers the library hands out (a plugin's interface table, a C "vtable", an API struct such
 * as a driver's dispatch table). {@link dev.dynload.Library#bind(Class, FunctionTable)} binds each
 * method to the address {@link #find} gives for its name (or its {@link Symbol}).
 *
 * {@snippet lang=c :
 * struct greeter { uint32_t size; uint32_t minor; const char *(*greet)(const char *); };
 * const struct greeter *get_greeter(void);
 * }
 * {@snippet :
 * MemorySegment t = ((MemorySegment) getGreeter.invokeExact()).reinterpret(16);
 * Greeter g = lib.bind(Greeter.class, name -> name.equals("greet")
 *         ? Optional.of(t.get(ValueLayout.ADDRESS, 8)) : Optional.empty());
 * }
 *
 * <p>A table may lack a function (an older version of the table): an abstract method it lacks throws
 * {@link UnsupportedOperationException} with {@link #absent}'s message when called, and a default method
 * it lacks keeps its Java body. A default method the table has calls the table's function.
 *
 * <h2>Safety</h2>
 * The addresses must be functions of the described signatures, and stay valid while the library is
 * open: dynload cannot check either.
 */
@FunctionalInterface
public interface FunctionTable {

    /**
     * The address of a function.
     *
     * @param function the method's name, or its {@link Symbol}
     * @return its address, or empty when the table lacks it
     */
    Optional<MemorySegment> find(String function);

    /**
     * Why a method the table lacks cannot be called, for the {@link UnsupportedOperationException} it
     * throws.
     *
     * @param method the bound interface's method
     * @return the message: which table, which versions
     */
    default String absent(Method method) {
        return method.getName() + " is not in the table " + method.getDeclaringClass().getSimpleName() + " is bound to";
    }
}
