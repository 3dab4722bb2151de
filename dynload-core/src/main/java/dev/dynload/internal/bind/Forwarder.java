package dev.dynload.internal.bind;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import org.jspecify.annotations.Nullable;

/**
 * An implementation of a bound interface that forwards every call to the object its {@link Switch}
 * holds now: what lets a plugin's bound interfaces move to a reloaded copy of the plugin, atomically, while
 * callers keep the object they were given.
 *
 * <p>Each method reads the switch's target (one volatile read), and calls it. While the switch is held
 * (during a reload), a call waits for its release. A call that reached a target unlinked under it (the
 * reload unbound the old copy after the call read it, {@link Bindings.Unlinked}: the call never reached
 * the library) waits for the release, and runs again on what the switch holds then, unless that is the
 * very target that refused it (the plugin stopped): then the refusal is thrown. A default method is not
 * run again (its body may have made native calls before the refusal): it throws the refusal. A call
 * from the thread that holds the switch throws rather than wait for itself. The generated class names
 * no dynload type: the switch reaches it as a {@link BiFunction}, as {@link ClassGenerator}'s links do.
 */
public final class Forwarder {

    private static final ClassDesc CD_BI_FUNCTION = ClassDesc.of(BiFunction.class.getName());
    private static final MethodTypeDesc APPLY = MethodTypeDesc.of(ConstantDescs.CD_Object, ConstantDescs.CD_Object,
            ConstantDescs.CD_Object);
    private static final ClassDesc CD_ISE = ClassDesc.of(IllegalStateException.class.getName());
    private static final String FIELD = "target$";
    private static final AtomicLong COUNTER = new AtomicLong();
    /** Per interface, the constructor of its forwarding class, made by its first forwarder. */
    private static final ClassValue<AtomicReference<MethodHandle>> CLASSES = new ClassValue<>() {
        @Override
        protected AtomicReference<MethodHandle> computeValue(Class<?> type) {
            return new AtomicReference<>();
        }
    };

    private Forwarder() {
    }

    /**
     * Where a forwarder's calls go: a target, or none while held. Held and released by one thread at a
     * time (the plugin host's lifecycle thread); read by every caller.
     */
    public static final class Switch implements BiFunction<@Nullable Object, @Nullable Object, Object> {
        private volatile @Nullable Object target;
        /** The thread that holds it: a call from there would wait for itself. */
        private volatile @Nullable Thread holder;
        private final Object lock = new Object();

        /** @param target where calls go first */
        public Switch(Object target) {
            this.target = target;
        }

        /** {@return where calls go now, or null while held} */
        public @Nullable Object target() {
            return target;
        }

        /** Holds the calls that start from now on, until {@link #release}. */
        public void hold() {
            holder = Thread.currentThread();
            target = null;
        }

        /**
         * Sends calls to {@code to}, and wakes the calls that wait.
         *
         * @param to the new target
         */
        public void release(Object to) {
            synchronized (lock) {
                target = to;
                holder = null;
                lock.notifyAll();
            }
        }

        /**
         * The generated code's one door: {@code apply(null, null)} is the target to call (waiting while
         * held); {@code apply(used, thrown)}, after {@code used} threw, returns to have the call made again,
         * or throws {@code thrown}.
         */
        @Override
        public Object apply(@Nullable Object used, @Nullable Object thrown) {
            if (thrown == null) {
                Object t = target;
                return t != null ? t : released();
            }
            if (thrown instanceof Bindings.Unlinked && released() != used) {
                return Boolean.TRUE; // moved since: the call never started on the old target, and runs on the new
            }
            throw (RuntimeException) thrown;
        }

        /** Waits while held; an interrupt is kept for the caller, and the wait goes on (a reload always releases). */
        private Object released() {
            Object t = target;
            if (t != null) {
                return t;
            }
            if (holder == Thread.currentThread()) {
                throw new IllegalStateException("a call through a plugin's interface from the thread that is reloading "
                        + "the plugin (its logger, or the plugin's own lifecycle code) would wait for itself; call it "
                        + "from another thread, or once the reload has returned");
            }
            boolean interrupted = false;
            try {
                synchronized (lock) {
                    while ((t = target) == null) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    return t;
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * {@return the refusal of a call that never reached its target because the target is being replaced or
     * stopped: a forwarder runs such a call again on the switch's next target, when there is another}
     *
     * @param message what it says when it reaches the caller
     */
    public static IllegalStateException refusal(String message) {
        return new Bindings.Unlinked(message);
    }

    /**
     * Makes a forwarder of {@code iface} to {@code target}; the first of each interface defines its class,
     * beside the interface.
     *
     * @param iface the interface
     * @param target where its calls go
     * @param lookup the caller's lookup, or null to ask for private access to the interface's package
     * @param <T> the interface's type
     * @return the forwarder
     * @throws IllegalStateException if the class cannot be defined
     */
    public static <T> T make(Class<T> iface, Switch target, MethodHandles.@Nullable Lookup lookup) {
        AtomicReference<MethodHandle> made = CLASSES.get(iface);
        MethodHandle constructor = made.get();
        try {
            if (constructor == null) {
                constructor = define(iface, new TypeAccess(lookup).lookupFor(iface));
                if (!made.compareAndSet(null, constructor)) {
                    constructor = made.get(); // another thread's class won; this one is unused
                }
            }
            return iface.cast(constructor.invoke((BiFunction<?, ?, ?>) target));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("generating the forwarder of " + iface.getName() + " failed: " + t, t);
        }
    }

    private static MethodHandle define(Class<?> iface, MethodHandles.Lookup host) throws Throwable {
        String pkg = host.lookupClass().getPackageName();
        String name = iface.getSimpleName() + "$DynloadForward$" + COUNTER.incrementAndGet();
        ClassDesc self = ClassDesc.of(pkg.isEmpty() ? name : pkg + "." + name);
        ClassDesc ifaceDesc = iface.describeConstable().orElseThrow();
        List<Method> methods = forwarded(iface);
        ClassLoader loader = iface.getClassLoader();
        ClassFile file = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                .orElse(ClassHierarchyResolver.ofClassLoading(loader != null ? loader
                        : ClassLoader.getPlatformClassLoader()))));
        byte[] bytes = file.build(self, new Body(self, ifaceDesc, methods));
        // The class's own lookup (hidden) or the host's (package access): a public constructor either way.
        MethodHandles.Lookup own = host.hasFullPrivilegeAccess() ? host.defineHiddenClass(bytes, true) : host;
        Class<?> defined = own == host ? host.defineClass(bytes) : own.lookupClass();
        return own.findConstructor(defined, MethodType.methodType(void.class, BiFunction.class))
                .asType(MethodType.methodType(Object.class, BiFunction.class));
    }

    /*
     * The class and its methods are written by named classes, not lambdas: a plugin's first bind runs in a
     * fresh JVM, where each lambda costs a class spun at run time (ClassGenerator does the same).
     */

    /** The class: its field, its constructor, and one forwarding method per interface method. */
    private record Body(ClassDesc self, ClassDesc iface, List<Method> methods)
            implements java.util.function.Consumer<java.lang.classfile.ClassBuilder> {
        @Override
        public void accept(java.lang.classfile.ClassBuilder c) {
            c.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            c.withSuperclass(ConstantDescs.CD_Object);
            c.withInterfaceSymbols(iface);
            c.withField(FIELD, CD_BI_FUNCTION, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL);
            c.withMethodBody(ConstantDescs.INIT_NAME, MethodTypeDesc.of(ConstantDescs.CD_void, CD_BI_FUNCTION),
                    ClassFile.ACC_PUBLIC, new Code(self, iface, null, null, false));
            for (Method m : methods) {
                MethodTypeDesc type = MethodTypeDesc.ofDescriptor(MethodType.methodType(m.getReturnType(),
                        m.getParameterTypes()).toMethodDescriptorString());
                // A default method may make several native calls: run again, it would repeat those made
                // before the refusal, so it is not run again (one native call either ran or never started).
                c.withMethodBody(m.getName(), type, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                        new Code(self, iface, m.getName(), type, !m.isDefault()));
            }
        }
    }

    /** One method's code: the constructor (no name), or a forwarding method. */
    private record Code(ClassDesc self, ClassDesc iface, @Nullable String name, @Nullable MethodTypeDesc type,
                        boolean again) implements java.util.function.Consumer<CodeBuilder> {
        @Override
        public void accept(CodeBuilder code) {
            if (name == null || type == null) {
                code.aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                        .aload(0).aload(1).putfield(self, FIELD, CD_BI_FUNCTION).return_();
            } else {
                forward(code, self, iface, name, type, again);
            }
        }
    }

    /**
     * {@code Object t = target$.apply(null, null); try { return ((I) t).m(args); } catch
     * (IllegalStateException e) { target$.apply(t, e); return this.m(args); }}
     */
    private static void forward(CodeBuilder code, ClassDesc self, ClassDesc iface, String name, MethodTypeDesc type,
                                boolean again) {
        TypeKind result = TypeKind.from(type.returnType());
        if (!again) {
            code.aload(0).getfield(self, FIELD, CD_BI_FUNCTION).aconst_null().aconst_null()
                    .invokeinterface(CD_BI_FUNCTION, "apply", APPLY).checkcast(iface);
            loadArguments(code, type);
            code.invokeinterface(iface, name, type);
            code.return_(result);
            return;
        }
        int target = code.allocateLocal(TypeKind.REFERENCE);
        int thrown = code.allocateLocal(TypeKind.REFERENCE);
        Label start = code.newLabel();
        Label end = code.newLabel();
        Label handler = code.newLabel();
        code.aload(0).getfield(self, FIELD, CD_BI_FUNCTION).aconst_null().aconst_null()
                .invokeinterface(CD_BI_FUNCTION, "apply", APPLY).astore(target);
        code.labelBinding(start);
        code.aload(target).checkcast(iface);
        loadArguments(code, type);
        code.invokeinterface(iface, name, type);
        code.labelBinding(end);
        code.return_(result);
        code.labelBinding(handler);
        code.astore(thrown);
        code.aload(0).getfield(self, FIELD, CD_BI_FUNCTION).aload(target).aload(thrown)
                .invokeinterface(CD_BI_FUNCTION, "apply", APPLY).pop();
        code.aload(0);
        loadArguments(code, type);
        code.invokeinterface(iface, name, type);
        code.return_(result);
        code.exceptionCatch(start, end, handler, CD_ISE);
    }

    private static void loadArguments(CodeBuilder code, MethodTypeDesc type) {
        int slot = 1;
        for (ClassDesc p : type.parameterList()) {
            TypeKind kind = TypeKind.from(p);
            code.loadLocal(kind, slot);
            slot += kind.slotSize();
        }
    }

    /** The interface's instance methods, default ones too (the target decides what they do), each signature once. */
    private static List<Method> forwarded(Class<?> iface) {
        List<Method> methods = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Method m : iface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || TypeAccess.isObjectMethod(m)) {
                continue;
            }
            if (seen.add(m.getName() + MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                    .toMethodDescriptorString())) {
                methods.add(m);
            }
        }
        return methods;
    }
}
