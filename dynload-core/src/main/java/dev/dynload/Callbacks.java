package dev.dynload;

import dev.dynload.internal.linux.CallbackHandler;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The Java callbacks of one isolated call: a functional interface argument becomes, in the library's
 * process, a trampoline that calls back to the host on the call's own slot; the host runs the Java
 * callback on the calling thread and hands its result back. As in process, an exception does not unwind
 * through C: the callback returns zero, later callbacks of the call are skipped (also zero), and the
 * exception is thrown from the bound method once the call returns.
 */
final class Callbacks implements CallbackHandler {

    private final String function;
    private final Object[] targets = new Object[6];
    private final Method[] methods = new Method[6];
    private @Nullable Throwable thrown;

    Callbacks(String function) {
        this.function = function;
    }

    /** Whether a parameter type is a callback: an interface with one abstract method. */
    static boolean isCallback(Class<?> t) {
        return t.isInterface() && single(t) != null;
    }

    private static @Nullable Method single(Class<?> t) {
        Method found = null;
        for (Method m : t.getMethods()) {
            if (Modifier.isAbstract(m.getModifiers()) && !IsolatedLibrary.isObjectMethod(m)) {
                if (found != null) {
                    return null;
                }
                found = m;
            }
        }
        return found;
    }

    /** Adds to {@code problems} what keeps callback type {@code t} from crossing. */
    static void check(Class<?> t, String where, List<String> problems) {
        Method m = single(t);
        int ints = 0;
        int floats = 0;
        for (Class<?> p : m.getParameterTypes()) {
            if (p == float.class || p == double.class) {
                floats++;
            } else if (p.isPrimitive()) {
                ints++;
            } else {
                problems.add(where + " is a callback (" + t.getName() + ") whose " + m.getName() + " takes a "
                        + p.getName() + "; an isolated callback takes primitives only");
                return;
            }
        }
        if (!m.trySetAccessible()) {
            problems.add(where + " is a callback (" + t.getName() + ") that dynload cannot call: make it public in "
                    + "an exported package, or open " + t.getPackageName() + " to dev.dynload");
            return;
        }
        Class<?> r = m.getReturnType();
        if (!r.isPrimitive()) {
            problems.add(where + " is a callback (" + t.getName() + ") whose " + m.getName() + " returns a "
                    + r.getName() + "; an isolated callback returns a primitive or void");
        } else if (ints > 6 || floats > 6) {
            problems.add(where + " is a callback (" + t.getName() + ") with more than six integer or six "
                    + "floating-point parameters");
        }
    }

    /** Adds callback {@code target} of type {@code t} at integer position {@code position}; {@return its bits} */
    int add(int position, Class<?> t, Object target) {
        Method m = single(t);
        targets[position] = target;
        methods[position] = m;
        Class<?> r = m.getReturnType();
        return (1 << position) | (r == double.class || r == float.class ? 1 << (position + 8) : 0);
    }

    @Override
    public long call(int position, long[] ints, long[] floats) {
        if (position < 0 || position > 5 || targets[position] == null || thrown != null) {
            return 0; // after an exception, the call's later callbacks are skipped
        }
        try {
            return invoke(methods[position], targets[position], ints, floats);
        } catch (java.lang.reflect.InvocationTargetException e) {
            thrown = e.getCause();
            return 0;
        } catch (Throwable e) {
            thrown = e;
            return 0;
        }
    }

    /** The method a callback of type {@code t} is called through. */
    static Method method(Class<?> t) {
        return single(t);
    }

    /**
     * Calls {@code m} of {@code target} with the library's register arguments; {@return its result's bits}
     *
     * @throws java.lang.reflect.InvocationTargetException wrapping what the callback threw
     */
    static long invoke(Method m, Object target, long[] ints, long[] floats) throws Exception {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        int i = 0;
        int f = 0;
        for (int a = 0; a < types.length; a++) {
            Class<?> p = types[a];
            if (p == double.class) {
                args[a] = Double.longBitsToDouble(floats[f++]);
            } else if (p == float.class) {
                args[a] = Float.intBitsToFloat((int) floats[f++]);
            } else if (p == long.class) {
                args[a] = ints[i++];
            } else if (p == int.class) {
                args[a] = (int) ints[i++];
            } else if (p == short.class) {
                args[a] = (short) ints[i++];
            } else if (p == byte.class) {
                args[a] = (byte) ints[i++];
            } else if (p == char.class) {
                args[a] = (char) ints[i++];
            } else {
                args[a] = (ints[i++] & 0xff) != 0;
            }
        }
        Object result = m.invoke(target, args);
        Class<?> r = m.getReturnType();
        if (result == null) {
            return 0;
        } else if (r == double.class) {
            return Double.doubleToRawLongBits((Double) result);
        } else if (r == float.class) {
            return Integer.toUnsignedLong(Float.floatToRawIntBits((Float) result));
        } else if (r == boolean.class) {
            return (Boolean) result ? 1 : 0;
        } else if (r == char.class) {
            return (Character) result;
        }
        return ((Number) result).longValue();
    }

    /** Throws what a callback threw, once the call has returned. */
    void rethrow() {
        Throwable t = thrown;
        if (t instanceof RuntimeException e) {
            throw e;
        } else if (t instanceof Error e) {
            throw e;
        } else if (t != null) {
            throw new java.lang.reflect.UndeclaredThrowableException(t, function + "(): a callback threw " + t);
        }
    }
}
