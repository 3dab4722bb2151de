package dev.dynload.internal.bind;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Writes the class that implements a bound interface: one {@code static final MethodHandle} per method,
 * handed over by {@link Handoff} when the class initialises, and methods that do nothing but
 * {@code invokeExact} it. The JIT sees constant handles and inlines them down to the native call.
 */
final class ClassGenerator {

    private static final ClassDesc CD_METHOD_HANDLES = ClassDesc.of("java.lang.invoke.MethodHandles");
    private static final ClassDesc CD_LOOKUP = ClassDesc.of("java.lang.invoke.MethodHandles$Lookup");
    private static final ClassDesc CD_HANDOFF = ClassDesc.of(Handoff.class.getName());
    private static final ClassDesc CD_HANDLES = ConstantDescs.CD_MethodHandle.arrayType();
    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private ClassGenerator() {
    }

    /**
     * Defines the implementation beside the interface and makes one instance.
     *
     * @param host a lookup with package access in the interface's package
     * @param iface the interface
     * @param methods the abstract methods, in the order of {@code handles}
     * @param handles for each method, a handle of exactly its type (without receiver)
     * @param description what {@code toString()} returns
     */
    static Object instantiate(MethodHandles.Lookup host, Class<?> iface, List<Method> methods,
                              List<MethodHandle> handles, String description) throws Throwable {
        String pkg = host.lookupClass().getPackageName();
        String name = iface.getSimpleName() + "$Dynload$" + COUNTER.incrementAndGet();
        ClassDesc self = ClassDesc.of(pkg.isEmpty() ? name : pkg + "." + name);
        byte[] bytes = ClassFile.of().build(self, c -> {
            c.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            c.withSuperclass(ConstantDescs.CD_Object);
            c.withInterfaceSymbols(iface.describeConstable().orElseThrow());
            for (int i = 0; i < handles.size(); i++) {
                c.withField("h" + i, ConstantDescs.CD_MethodHandle,
                        ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL);
            }
            c.withMethodBody(ConstantDescs.CLASS_INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_STATIC, code -> {
                code.invokestatic(CD_METHOD_HANDLES, "lookup", MethodTypeDesc.of(CD_LOOKUP))
                        .invokestatic(CD_HANDOFF, "take", MethodTypeDesc.of(CD_HANDLES, CD_LOOKUP))
                        .astore(0);
                for (int i = 0; i < handles.size(); i++) {
                    code.aload(0)
                            .loadConstant(i)
                            .aaload()
                            .putstatic(self, "h" + i, ConstantDescs.CD_MethodHandle);
                }
                code.return_();
            });
            c.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, code -> code
                    .aload(0)
                    .invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                    .return_());
            for (int i = 0; i < methods.size(); i++) {
                Method m = methods.get(i);
                MethodTypeDesc type = MethodTypeDesc.ofDescriptor(
                        java.lang.invoke.MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString());
                int index = i;
                c.withMethodBody(m.getName(), type, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                        code -> invoke(code, self, index, type));
            }
            c.withMethodBody("toString", MethodTypeDesc.of(ConstantDescs.CD_String), ClassFile.ACC_PUBLIC,
                    code -> code.ldc(description).areturn());
        });
        Class<?> generated = host.defineClass(bytes);
        // The generated class, in the user's module, calls Handoff from its static initialiser.
        Handoff.class.getModule().addExports(Handoff.class.getPackageName(), generated.getModule());
        Handoff.register(generated, handles);
        return host.findConstructor(generated, java.lang.invoke.MethodType.methodType(void.class)).invoke();
    }

    private static void invoke(CodeBuilder code, ClassDesc self, int index, MethodTypeDesc type) {
        code.getstatic(self, "h" + index, ConstantDescs.CD_MethodHandle);
        int slot = 1;
        for (ClassDesc p : type.parameterList()) {
            TypeKind kind = TypeKind.from(p);
            code.loadLocal(kind, slot);
            slot += kind.slotSize();
        }
        code.invokevirtual(ConstantDescs.CD_MethodHandle, "invokeExact", type);
        code.return_(TypeKind.from(type.returnType()));
    }
}
