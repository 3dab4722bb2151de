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
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Writes the class that implements a bound interface: each method loads its arguments and makes one
 * {@code invokedynamic}, which {@link Handoff} links to the method's native call on first use. A linked
 * call site is constant, so the JIT inlines it down to the native call.
 */
final class ClassGenerator {

    private static final ClassDesc CD_HANDOFF = ClassDesc.of(Handoff.class.getName());
    private static final DirectMethodHandleDesc LINK = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC,
            CD_HANDOFF, "link", MethodTypeDesc.of(ConstantDescs.CD_CallSite, ConstantDescs.CD_MethodHandles_Lookup,
                    ConstantDescs.CD_String, ConstantDescs.CD_MethodType, ConstantDescs.CD_int));
    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private ClassGenerator() {
    }

    /**
     * Defines the implementation beside the interface and makes one instance.
     *
     * @param host a lookup with package access in the interface's package
     * @param iface the interface
     * @param target the library the methods call into
     * @param methods the abstract methods, in the order of {@code handles}
     * @param handles for each method, what makes a handle of exactly its type (without receiver)
     * @param description what {@code toString()} returns
     */
    static Object instantiate(MethodHandles.Lookup host, Class<?> iface, Target target, List<Method> methods,
                              List<Supplier<MethodHandle>> handles, String description) throws Throwable {
        String pkg = host.lookupClass().getPackageName();
        String name = iface.getSimpleName() + "$Dynload$" + COUNTER.incrementAndGet();
        ClassDesc self = ClassDesc.of(pkg.isEmpty() ? name : pkg + "." + name);
        // No stack maps: no generated method has a branch, so none needs a frame, and generating the
        // empty tables is a good part of the cost of writing 50 methods.
        byte[] bytes = ClassFile.of(ClassFile.StackMapsOption.DROP_STACK_MAPS)
                .build(self, new Body(iface, methods, description));
        Handoff.Binding binding = new Handoff.Binding(target, handles);
        MethodHandles.Lookup own;
        if (host.hasFullPrivilegeAccess()) {
            // A hidden class, whose class data is its binding: unloaded with the last bound object.
            own = host.defineHiddenClassWithClassData(bytes, binding, true);
        } else {
            // An interface of another module, reached by privateLookupIn (package access, not module):
            // a normal class, which lives as long as its class loader.
            own = host.in(host.defineClass(bytes));
            host.findStaticVarHandle(own.lookupClass(), Handoff.FIELD, Object.class).set(binding);
        }
        Class<?> generated = own.lookupClass();
        // The generated class, in the user's module, bootstraps its methods through Handoff.
        Handoff.class.getModule().addExports(Handoff.class.getPackageName(), generated.getModule());
        return own.findConstructor(generated, java.lang.invoke.MethodType.methodType(void.class)).invoke();
    }

    /*
     * The class and its methods are written by named classes, not lambdas: binding runs mostly in a
     * fresh JVM, where each lambda costs a class spun at run time.
     */

    /** The class: a constructor, one method per interface method, and toString. */
    private record Body(Class<?> iface, List<Method> methods, String description) implements Consumer<ClassBuilder> {
        @Override
        public void accept(ClassBuilder c) {
            c.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            c.withSuperclass(ConstantDescs.CD_Object);
            c.withInterfaceSymbols(iface.describeConstable().orElseThrow());
            // Package-private: set once by dynload, read by Handoff through the class's own lookup. A hidden
            // class leaves it null: its binding is its class data.
            c.withField(Handoff.FIELD, ConstantDescs.CD_Object, ClassFile.ACC_STATIC | ClassFile.ACC_SYNTHETIC);
            c.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                    new Code(null, -1, ConstantDescs.MTD_void, null));
            for (int i = 0; i < methods.size(); i++) {
                Method m = methods.get(i);
                Class<?>[] parameters = m.getParameterTypes();
                ClassDesc[] descs = new ClassDesc[parameters.length];
                for (int p = 0; p < parameters.length; p++) {
                    descs[p] = ClassDesc.ofDescriptor(parameters[p].descriptorString());
                }
                MethodTypeDesc type = MethodTypeDesc.of(ClassDesc.ofDescriptor(m.getReturnType().descriptorString()), descs);
                c.withMethodBody(m.getName(), type, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                        new Code(m.getName(), i, type, null));
            }
            c.withMethodBody("toString", MethodTypeDesc.of(ConstantDescs.CD_String), ClassFile.ACC_PUBLIC,
                    new Code(null, -1, null, description));
        }
    }

    /**
     * One method's code: the constructor (no name, no text), toString (its text), or a bound method,
     * which loads its arguments and makes its one invokedynamic.
     */
    private record Code(String name, int index, MethodTypeDesc type, String text) implements Consumer<CodeBuilder> {
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
                code.invokedynamic(DynamicCallSiteDesc.of(LINK, name, type, index));
                code.return_(TypeKind.from(type.returnType()));
            }
        }
    }
}
