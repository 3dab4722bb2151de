package dev.dynload.internal.bind;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A Java functional interface as a C function pointer. A Java exception must not unwind through C
 * frames (FFM would end the JVM), so the stub catches it, leaves it with the call running on the
 * thread, returns zero to C, and the outer call rethrows it once C has returned.
 *
 * <p>An upcall stub costs microseconds to make, so the stub of the last callback object passed is kept
 * and used again when the same object comes back (a method reference or a lambda held in a field);
 * stubs live in automatic arenas the garbage collector frees. A method that takes an {@code Arena}
 * gets a stub in that arena instead, for functions that keep the pointer.
 */
final class Callback implements Mapping.Pointer {

    private static final MethodHandle SIZED;
    private static final MethodHandle TO_JAVA;
    private static final MethodHandle TO_NATIVE;
    private static final MethodHandle FAILED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SIZED = lookup.findStatic(Callback.class, "sized",
                    MethodType.methodType(MemorySegment.class, MemorySegment.class, long.class));
            TO_JAVA = lookup.findStatic(Callback.class, "toJava",
                    MethodType.methodType(Object.class, Mapping.class, Object.class));
            TO_NATIVE = lookup.findStatic(Callback.class, "toNative",
                    MethodType.methodType(Object.class, Mapping.class, Object.class));
            FAILED = lookup.findStatic(Callback.class, "failed",
                    MethodType.methodType(Object.class, Object.class, Throwable.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The last callback object and its stub. */
    private record Cached(Object instance, MemorySegment stub) {
    }

    private final MethodHandle method;
    private final Mapping[] parameters;
    private final Mapping result;
    private final FunctionDescriptor descriptor;
    private final MethodType carrierType;
    private volatile Cached cached;

    /**
     * @param method the interface's abstract method, taking the instance first
     * @param parameters how each C argument becomes a Java one
     * @param result how the Java result becomes C's, or null for void
     */
    Callback(MethodHandle method, Mapping[] parameters, Mapping result) {
        this.method = method;
        this.parameters = parameters;
        this.result = result;
        MemoryLayout[] layouts = new MemoryLayout[parameters.length];
        for (int i = 0; i < layouts.length; i++) {
            layouts[i] = parameters[i].layout();
        }
        this.descriptor = result == null ? FunctionDescriptor.ofVoid(layouts) : FunctionDescriptor.of(result.layout(), layouts);
        this.carrierType = descriptor.toMethodType();
    }

    @Override
    public Object toNative(Object value, CallContext context) {
        if (value == null) {
            return MemorySegment.NULL;
        }
        if (context.lifetime() != null) {
            return Linker.nativeLinker().upcallStub(target(value), descriptor, context.lifetime());
        }
        Cached last = cached;
        if (last != null && last.instance == value) {
            return last.stub;
        }
        MemorySegment stub = Linker.nativeLinker().upcallStub(target(value), descriptor, Arena.ofAuto());
        cached = new Cached(value, stub);
        return stub;
    }

    @Override
    public Object toJava(Object carrier, CallContext context) {
        throw new UnsupportedOperationException("callbacks are parameters only");
    }

    /**
     * The stub's target, of the C signature's carrier types: the instance's method with each argument
     * and the result converted, and every exception caught.
     */
    private MethodHandle target(Object instance) {
        MethodHandle h = method.bindTo(instance);
        for (int i = 0; i < parameters.length; i++) {
            Mapping p = parameters[i];
            Class<?> javaType = h.type().parameterType(i);
            MethodHandle filter;
            if (p instanceof Mapping.SizedPointer sized) {
                filter = MethodHandles.insertArguments(SIZED, 1, sized.size());
            } else if (p.direct()) {
                continue;
            } else {
                filter = MethodHandles.insertArguments(TO_JAVA, 0, p);
            }
            h = MethodHandles.filterArguments(h, i, filter.asType(MethodType.methodType(javaType, carrierType.parameterType(i))));
        }
        if (result != null && !result.direct()) {
            h = MethodHandles.filterReturnValue(h, MethodHandles.insertArguments(TO_NATIVE, 0, result)
                    .asType(MethodType.methodType(carrierType.returnType(), h.type().returnType())));
        }
        h = h.asType(carrierType);
        MethodHandle handler = result == null
                ? MethodHandles.insertArguments(FAILED, 0, (Object) null).asType(MethodType.methodType(void.class, Throwable.class))
                : MethodHandles.insertArguments(FAILED, 0, result.zero())
                        .asType(MethodType.methodType(carrierType.returnType(), Throwable.class));
        handler = MethodHandles.dropArguments(handler, 1, carrierType.parameterList());
        return MethodHandles.catchException(h, Throwable.class, handler);
    }

    private static MemorySegment sized(MemorySegment pointer, long size) {
        return pointer.address() == 0 ? pointer : pointer.reinterpret(size);
    }

    private static Object toJava(Mapping mapping, Object carrier) throws Throwable {
        return mapping.toJava(carrier, null);
    }

    private static Object toNative(Mapping mapping, Object value) throws Throwable {
        return mapping.toNative(value, null);
    }

    /** Hands a callback's exception to {@link CallContext#callbackFailed}; C gets {@code zero}. */
    private static Object failed(Object zero, Throwable t) {
        CallContext.callbackFailed(t);
        return zero;
    }
}
