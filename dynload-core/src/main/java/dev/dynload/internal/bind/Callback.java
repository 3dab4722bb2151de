package dev.dynload.internal.bind;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A Java functional interface as a C function pointer. A Java exception must not unwind through C
 * frames (FFM would end the JVM), so the stub catches it, leaves it with the call running on the
 * thread, returns zero to C, and the outer call rethrows it once C has returned. Until then, later
 * calls of the callbacks of that call are skipped and also return zero: a row callback that threw on
 * one row does not run again for the next ones.
 *
 * <p>An upcall stub costs microseconds to make, so the stub of the last callback object passed is kept
 * and used again when the same object comes back (a method reference or a lambda held in a field);
 * stubs live in automatic arenas the garbage collector frees. A method that takes an {@code Arena}
 * gets a stub in that arena instead, for functions that keep the pointer.
 */
final class Callback implements Mapping.Pointer {

    private static final MethodHandle FAILED = Handles.find(MethodHandles.lookup(), "failed", Object.class,
            Object.class, Throwable.class);
    private static final MethodHandle SKIP = Handles.find(MethodHandles.lookup(), "skip", boolean.class);

    /** The last callback object and its stub. */
    private record Cached(Object instance, MemorySegment stub) {
    }

    /**
     * The mapping of a functional interface standing as a parameter, its method's parameters and result
     * mapped by {@code table}.
     *
     * @param access how to reach the interface, or null for its layout only
     * @throws IllegalArgumentException naming each of its parameters and its result that has no mapping
     */
    static Callback of(TypeTable table, @Nullable TypeAccess access, JavaType type, JavaMethod sam,
                       TypeTable.Role role) {
        if (role != TypeTable.Role.PARAMETER) {
            throw new IllegalArgumentException("a callback (" + type.simpleName() + ") can only be a parameter");
        }
        List<String> problems = new ArrayList<>();
        List<JavaVariable> views = sam.parameters();
        Mapping[] parameters = new Mapping[views.size()];
        for (int i = 0; i < parameters.length; i++) {
            try {
                parameters[i] = table.map(views.get(i).type(), views.get(i), TypeTable.Role.CALLBACK_PARAMETER, null)
                        .orElseThrow();
            } catch (IllegalArgumentException e) {
                problems.add("parameter " + i + " of its " + sam.name() + ": " + e.getMessage());
            }
        }
        for (int i = 0; i < parameters.length; i++) {
            int at = parameters[i] == null ? -1 : parameters[i].countAt();
            if (at >= 0 && (at == i || !BindingRules.countType(at < parameters.length ? views.get(at).type() : null))) {
                problems.add("parameter " + i + " of its " + sam.name() + ": @Count(" + at + ") must name "
                        + "another parameter of type int, long or short");
            }
        }
        Optional<Mapping> result = Optional.empty();
        try {
            result = table.map(sam.result(), sam, TypeTable.Role.CALLBACK_RESULT, null);
        } catch (IllegalArgumentException e) {
            problems.add("its " + sam.name() + "'s result: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("callback " + type.simpleName() + ": " + String.join("; ", problems));
        }
        if (access == null) {
            return new Callback(null, parameters, result); // its layout only, for a signature
        }
        try {
            MethodHandles.Lookup lookup = access.lookupFor(type.known());
            return new Callback(lookup.unreflect((Method) sam.reflected()), parameters, result);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("callback interface " + type.name() + " is not accessible: "
                    + e.getMessage());
        }
    }

    private final @Nullable MethodHandle method;
    private final Mapping[] parameters;
    private final Optional<Mapping> result;
    private final FunctionDescriptor descriptor;
    private final MethodType carrierType;
    private volatile @Nullable Cached cached;

    /** {@return the C signature of the function pointer: what an upcall stub for it is made for} */
    FunctionDescriptor descriptor() {
        return descriptor;
    }

    /**
     * @param method the interface's abstract method, taking the instance first
     * @param parameters how each C argument becomes a Java one
     * @param result how the Java result becomes C's; empty for void
     */
    Callback(@Nullable MethodHandle method, Mapping[] parameters, Optional<Mapping> result) {
        this.method = method;
        this.parameters = parameters;
        this.result = result;
        MemoryLayout[] layouts = new MemoryLayout[parameters.length];
        for (int i = 0; i < layouts.length; i++) {
            layouts[i] = parameters[i].layout();
        }
        this.descriptor = result.isEmpty() ? FunctionDescriptor.ofVoid(layouts)
                : FunctionDescriptor.of(result.get().layout(), layouts);
        this.carrierType = descriptor.toMethodType();
    }


    @Override
    public @Nullable Object toNative(@Nullable Object value, @Nullable CallContext context) {
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
    public @Nullable Object toJava(@Nullable Object carrier) {
        throw new UnsupportedOperationException("callbacks are parameters only");
    }

    @Override
    public boolean callsBack() {
        return true;
    }

    /**
     * The stub's target, of the C signature's carrier types: the instance's method with each argument
     * and the result converted, every exception caught, and skipped while an exception waits.
     */
    private MethodHandle target(Object instance) {
        MethodHandle h = method.bindTo(instance);
        for (int i = 0; i < parameters.length; i++) {
            Mapping p = parameters[i];
            if (!p.direct() && p.countAt() < 0) {
                Class<?> javaType = h.type().parameterType(i);
                h = MethodHandles.filterArguments(h, i, p.callbackArgument()
                        .asType(MethodType.methodType(javaType, carrierType.parameterType(i))));
            }
        }
        // A counted argument takes its count from another: (..., p, ...) becomes (..., p, ..., count)
        // by collecting (pointer, count), then the count slot is fed from the count argument.
        for (int i = 0; i < parameters.length; i++) {
            int at = parameters[i].countAt();
            if (at >= 0) {
                MethodType before = h.type();
                MethodHandle filter = parameters[i].withCount().asType(MethodType.methodType(
                        before.parameterType(i), carrierType.parameterType(i), before.parameterType(at)));
                MethodHandle collected = MethodHandles.collectArguments(h, i, filter);
                int[] reorder = new int[collected.type().parameterCount()];
                for (int k = 0; k < reorder.length; k++) {
                    reorder[k] = k <= i ? k : k == i + 1 ? at : k - 1;
                }
                h = MethodHandles.permuteArguments(collected, before.changeParameterType(i, carrierType.parameterType(i)),
                        reorder);
            }
        }
        if (result.isPresent()) {
            // Every result, direct or not: a pointer C gets must not be null or on the Java heap, which the
            // linker would only find out outside this stub's catch, ending the JVM.
            h = MethodHandles.filterReturnValue(h, result.get().callbackResult()
                    .asType(MethodType.methodType(carrierType.returnType(), h.type().returnType())));
        }
        h = h.asType(carrierType);
        Object zero = result.isEmpty() ? null : result.get().zero();
        MethodHandle handler = MethodHandles.insertArguments(FAILED, 0, zero)
                .asType(MethodType.methodType(carrierType.returnType(), Throwable.class));
        handler = MethodHandles.dropArguments(handler, 1, carrierType.parameterList());
        MethodHandle caught = MethodHandles.catchException(h, Throwable.class, handler);
        MethodHandle skipped = result.isEmpty()
                ? MethodHandles.empty(carrierType)
                : MethodHandles.dropArguments(MethodHandles.constant(carrierType.returnType(), zero), 0,
                        carrierType.parameterList());
        return MethodHandles.guardWithTest(MethodHandles.dropArguments(SKIP, 0, carrierType.parameterList()),
                skipped, caught);
    }

    /** Whether the bound call this callback runs in has an exception waiting, so the callback is skipped. */
    private static boolean skip() {
        return CallContext.failing();
    }

    /** Hands a callback's exception to {@link CallContext#callbackFailed}; C gets {@code zero}. */
    private static Object failed(Object zero, Throwable t) {
        CallContext.callbackFailed(t);
        return zero;
    }
}
