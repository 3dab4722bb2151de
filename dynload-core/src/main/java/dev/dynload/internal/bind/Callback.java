package dev.dynload.internal.bind;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A Java functional interface as a C function pointer: an upcall stub that lives for the call, or for
 * the arena the method takes. A Java exception must not unwind through C frames (FFM would end the
 * JVM), so the stub catches it, returns zero to C, and the outer call rethrows it once C has returned.
 */
final class Callback implements Mapping {

    private static final MethodHandle UPCALL;

    static {
        try {
            UPCALL = MethodHandles.lookup().findVirtual(Callback.class, "upcall",
                    MethodType.methodType(Object.class, Object.class, CallContext.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MethodHandle method;
    private final Mapping[] parameters;
    private final Mapping result;
    private final FunctionDescriptor descriptor;
    private final MethodType carrierType;

    /**
     * @param method the interface's abstract method, taking the instance first
     * @param parameters how each C argument becomes a Java one
     * @param result how the Java result becomes C's, or null for void
     */
    Callback(MethodHandle method, Mapping[] parameters, Mapping result) {
        this.method = method.asSpreader(Object[].class, parameters.length)
                .asType(MethodType.methodType(Object.class, Object.class, Object[].class));
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
    public MemoryLayout layout() {
        return ValueLayout.ADDRESS;
    }

    @Override
    public Object toNative(Object value, CallContext context) {
        if (value == null) {
            return MemorySegment.NULL;
        }
        MethodHandle target = MethodHandles.insertArguments(UPCALL, 0, this, value, context)
                .asCollector(Object[].class, parameters.length)
                .asType(carrierType);
        return Linker.nativeLinker().upcallStub(target, descriptor, context.callbackArena());
    }

    @Override
    public Object toJava(Object carrier, CallContext context) {
        throw new UnsupportedOperationException("callbacks are parameters only");
    }

    /** Runs the Java callback for C; never lets an exception reach the C frames below. */
    private Object upcall(Object instance, CallContext context, Object[] carriers) {
        try {
            Object[] arguments = new Object[carriers.length];
            for (int i = 0; i < carriers.length; i++) {
                arguments[i] = parameters[i].toJava(carriers[i], context);
            }
            Object value = method.invokeExact(instance, arguments);
            return result == null ? null : result.toNative(value, context);
        } catch (Throwable t) {
            context.callbackFailed(t);
            return result == null ? null : result.zero();
        }
    }
}
