package dev.dynload.internal.bind;

import java.lang.classfile.ClassBuilder;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Writes the class that implements a bound interface: each method loads its arguments and makes one
 * {@code invokedynamic}, which the class's own bootstrap links, through {@link BoundClass}, to the
 * method's native call on first use. A linked call site is constant, so the JIT inlines it down to the
 * native call. The generated code names no dynload class: its bootstrap reaches its {@link BoundClass}
 * as a {@link BiFunction} held in its class data, so nothing of dynload is exported to the user's module.
 */
final class ClassGenerator {

    /** Where a class that could not be hidden keeps its links: a private static field of its own. */
    private static final String FIELD = "links$";
    private static final String BOOTSTRAP = "link$";
    private static final ClassDesc CD_BI_FUNCTION = ClassDesc.of(BiFunction.class.getName());
    private static final MethodTypeDesc BOOTSTRAP_TYPE = MethodTypeDesc.of(ConstantDescs.CD_CallSite,
            ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String, ConstantDescs.CD_MethodType,
            ConstantDescs.CD_int);
    private static final AtomicLong COUNTER = new AtomicLong();

    private ClassGenerator() {
    }

    /**
     * Defines the implementation beside the interface and makes one instance.
     *
     * @param host a lookup with package access in the interface's package
     * @param iface the interface
     * @param bindings the library's bindings, which the class's links register with
     * @param methods the abstract methods, in the order of {@code handles}
     * @param handles for each method, what makes a handle of exactly its type (without receiver)
     * @param description what {@code toString()} returns
     */
    static Object instantiate(MethodHandles.Lookup host, Class<?> iface, Bindings bindings, List<Method> methods,
                              List<Supplier<MethodHandle>> handles, String description) throws Throwable {
        String pkg = host.lookupClass().getPackageName();
        String name = iface.getSimpleName() + bindings.mark() + COUNTER.incrementAndGet();
        ClassDesc self = ClassDesc.of(pkg.isEmpty() ? name : pkg + "." + name);
        BoundClass links = new BoundClass(bindings, handles);
        boolean hidden = host.hasFullPrivilegeAccess();
        // No stack maps: no generated method has a branch, so none needs a frame, and generating the
        // empty tables is a good part of the cost of writing 50 methods.
        byte[] bytes = ClassFile.of(ClassFile.StackMapsOption.DROP_STACK_MAPS)
                .build(self, new Body(self, iface, methods, description, hidden));
        MethodHandles.Lookup own;
        if (hidden) {
            // A hidden class, whose class data is its links: unloaded with the last bound object.
            own = host.defineHiddenClassWithClassData(bytes, links, true);
        } else {
            // An interface of another module, reached by privateLookupIn (package access, not module):
            // a normal class, which lives as long as its class loader, and keeps its links in a private
            // field, set through a private lookup (its package is open to dynload, or we would not be here).
            Class<?> defined = host.defineClass(bytes);
            own = MethodHandles.privateLookupIn(defined, MethodHandles.lookup());
            own.findStaticVarHandle(defined, FIELD, Object.class).set(links);
        }
        bindings.register(links);
        Class<?> generated = own.lookupClass();
        return own.findConstructor(generated, java.lang.invoke.MethodType.methodType(void.class)).invoke();
    }

    /*
     * The class and its methods are written by named classes, not lambdas: binding runs mostly in a
     * fresh JVM, where each lambda costs a class spun at run time.
     */

    /** The class: a constructor, one method per interface method, and toString. */
    private record Body(ClassDesc self, Class<?> iface, List<Method> methods, String description, boolean hidden)
            implements Consumer<ClassBuilder> {
        @Override
        public void accept(ClassBuilder c) {
            c.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            c.withSuperclass(ConstantDescs.CD_Object);
            c.withInterfaceSymbols(iface.describeConstable().orElseThrow());
            if (!hidden) {
                c.withField(FIELD, ConstantDescs.CD_Object, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC
                        | ClassFile.ACC_SYNTHETIC);
            }
            c.withMethodBody(BOOTSTRAP, BOOTSTRAP_TYPE, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC
                    | ClassFile.ACC_SYNTHETIC, new Bootstrap(self, hidden));
            c.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                    new Code(null, null, -1, ConstantDescs.MTD_void, null));
            for (int i = 0; i < methods.size(); i++) {
                Method m = methods.get(i);
                Class<?>[] parameters = m.getParameterTypes();
                ClassDesc[] descs = new ClassDesc[parameters.length];
                for (int p = 0; p < parameters.length; p++) {
                    descs[p] = ClassDesc.ofDescriptor(parameters[p].descriptorString());
                }
                MethodTypeDesc type = MethodTypeDesc.of(ClassDesc.ofDescriptor(m.getReturnType().descriptorString()), descs);
                c.withMethodBody(m.getName(), type, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                        new Code(self, m.getName(), i, type, null));
            }
            c.withMethodBody("toString", MethodTypeDesc.of(ConstantDescs.CD_String), ClassFile.ACC_PUBLIC,
                    new Code(null, null, -1, null, description));
        }
    }

    /**
     * One method's code: the constructor (no name, no text), toString (its text), or a bound method,
     * which loads its arguments and makes its one invokedynamic.
     */
    private record Code(@Nullable ClassDesc self, @Nullable String name, int index, @Nullable MethodTypeDesc type,
                        @Nullable String text)
            implements Consumer<CodeBuilder> {
        @Override
        public void accept(CodeBuilder code) {
            if (text != null) {
                code.ldc(text).areturn();
            } else if (name == null) {
                code.aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                        .return_();
            } else {
                int slot = 1;
                for (ClassDesc p : type.parameterList()) {
                    TypeKind kind = TypeKind.from(p);
                    code.loadLocal(kind, slot);
                    slot += kind.slotSize();
                }
                DirectMethodHandleDesc bootstrap = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, self,
                        BOOTSTRAP, BOOTSTRAP_TYPE);
                code.invokedynamic(DynamicCallSiteDesc.of(bootstrap, name, type, index));
                code.return_(TypeKind.from(type.returnType()));
            }
        }
    }

    /**
     * The class's bootstrap: {@code return (CallSite) links.apply(index, type)}, where {@code links} is
     * the class data of a hidden class, or the private field of a normal one.
     */
    private record Bootstrap(ClassDesc self, boolean hidden) implements Consumer<CodeBuilder> {
        @Override
        public void accept(CodeBuilder code) {
            if (hidden) {
                code.aload(0).ldc(ConstantDescs.DEFAULT_NAME).ldc(ConstantDescs.CD_Object)
                        .invokestatic(ConstantDescs.CD_MethodHandles, "classData", MethodTypeDesc.of(
                                ConstantDescs.CD_Object, ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String,
                                ConstantDescs.CD_Class));
            } else {
                code.getstatic(self, FIELD, ConstantDescs.CD_Object);
            }
            code.checkcast(CD_BI_FUNCTION)
                    .iload(3)
                    .invokestatic(ConstantDescs.CD_Integer, "valueOf", MethodTypeDesc.of(ConstantDescs.CD_Integer,
                            ConstantDescs.CD_int))
                    .aload(2)
                    .invokeinterface(CD_BI_FUNCTION, "apply", MethodTypeDesc.of(ConstantDescs.CD_Object,
                            ConstantDescs.CD_Object, ConstantDescs.CD_Object))
                    .checkcast(ConstantDescs.CD_CallSite)
                    .areturn();
        }
    }
}
