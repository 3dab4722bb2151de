package dev.dynload.internal.bind;

import dev.dynload.bind.In;
import dev.dynload.bind.Out;
import dev.dynload.bind.SizeT;
import dev.dynload.bind.Unsigned;
import org.junit.jupiter.api.Test;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TypeTable} on its own: the mapping each Java type gets where it stands, and the words of its
 * refusals, which complete "parameter 2 ..." in a {@code BindingException}. Laid out without access
 * ({@code new TypeTable(null)}), as signatures are.
 */
class TypeTableTest {

    record Point(int x, double y) {
    }

    record Empty() {
    }

    record Node(int value, Node next) {
    }

    interface Comparator {
        int compare(MemorySegment a, MemorySegment b);
    }

    interface Sample {
        void scalars(int i, long l, double d, boolean b, @SizeT long size, @Unsigned(8) int u);

        void pointers(String s, MemorySegment m, int[] both, @In int[] in, @Out double[] out, Comparator c);

        void structs(Point p, Empty e, Node n);

        void wrong(Object o, Thread t);

        Comparator returnsCallback();

        void nothing();
    }

    private final TypeTable table = new TypeTable(null);

    private static Parameter parameter(String method, int index) {
        for (Method m : Sample.class.getMethods()) {
            if (m.getName().equals(method)) {
                return m.getParameters()[index];
            }
        }
        throw new IllegalArgumentException(method);
    }

    private Mapping parameterMapping(String method, int index) {
        Parameter p = parameter(method, index);
        JavaVariable v = Reflected.method((Method) p.getDeclaringExecutable()).parameters().get(index);
        return table.map(v.type(), v, TypeTable.Role.PARAMETER, null).orElseThrow();
    }

    private String refusal(String method, int index) {
        return assertThrows(IllegalArgumentException.class, () -> parameterMapping(method, index)).getMessage();
    }

    @Test
    void primitivesAreTheirValueLayouts() {
        assertEquals(ValueLayout.JAVA_INT, parameterMapping("scalars", 0).layout());
        assertEquals(ValueLayout.JAVA_LONG, parameterMapping("scalars", 1).layout());
        assertEquals(ValueLayout.JAVA_DOUBLE, parameterMapping("scalars", 2).layout());
        assertEquals(ValueLayout.JAVA_BOOLEAN, parameterMapping("scalars", 3).layout());
        assertTrue(parameterMapping("scalars", 0).direct(), "an int goes to C as it is");
        assertEquals(java.lang.foreign.Linker.nativeLinker().canonicalLayouts().get("size_t").byteSize(),
                parameterMapping("scalars", 4).layout().byteSize());
        assertFalse(parameterMapping("scalars", 5).direct(), "an unsigned byte is widened on the way back");
    }

    @Test
    void stringsSegmentsArraysAndCallbacksArePointers() {
        assertInstanceOf(Pointers.Text.class, parameterMapping("pointers", 0));
        assertEquals(new Pointers.Address(-1), parameterMapping("pointers", 1));
        assertEquals(ArrayMappings.Direction.BOTH, ((ArrayMappings.PrimitiveArray) parameterMapping("pointers", 2)).direction());
        assertEquals(ArrayMappings.Direction.IN, ((ArrayMappings.PrimitiveArray) parameterMapping("pointers", 3)).direction());
        assertEquals(ArrayMappings.Direction.OUT, ((ArrayMappings.PrimitiveArray) parameterMapping("pointers", 4)).direction());
        Mapping callback = parameterMapping("pointers", 5);
        assertInstanceOf(Callback.class, callback);
        assertEquals(ValueLayout.ADDRESS, callback.layout());
    }

    @Test
    void aRecordIsAStructLaidOutAsCWouldWithItsPadding() {
        Struct point = table.struct(Reflected.of(Point.class));
        GroupLayout layout = point.groupLayout();
        assertEquals(16, layout.byteSize(), "int, 4 bytes of padding, double");
        assertEquals(8, layout.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("y")));
        assertTrue(table.struct(Reflected.of(Point.class)) == point, "one struct per record, made once");
    }

    @Test
    void anEmptyOrSelfContainingRecordIsRefusedSayingWhatToWrite() {
        String empty = refusal("structs", 1);
        assertTrue(empty.contains("has no components, and C has no empty struct"), empty);
        String cycle = refusal("structs", 2);
        assertTrue(cycle.contains("contains itself (Node -> Node)") && cycle.contains("MemorySegment"), cycle);
    }

    @Test
    void aTypeWithoutCCounterpartIsRefusedPointingAtTheDocs() {
        assertEquals("type java.lang.Object has no C counterpart; see docs/binding.md", refusal("wrong", 0));
        assertTrue(refusal("wrong", 1).contains("java.lang.Thread"));
    }

    @Test
    void voidIsOnlyAResultAndACallbackOnlyAParameter() throws NoSuchMethodException {
        Method nothing = Sample.class.getMethod("nothing");
        assertEquals(Optional.empty(), table.map(Reflected.of(void.class), Reflected.method(nothing), TypeTable.Role.RESULT, null));
        assertEquals("void is not a parameter type", assertThrows(IllegalArgumentException.class,
                () -> table.map(Reflected.of(void.class), Reflected.method(nothing), TypeTable.Role.PARAMETER, null)).getMessage());
        Method returns = Sample.class.getMethod("returnsCallback");
        String m = assertThrows(IllegalArgumentException.class,
                () -> table.map(Reflected.method(returns).result(), Reflected.method(returns), TypeTable.Role.RESULT, null)).getMessage();
        assertEquals("a callback (Comparator) can only be a parameter", m);
        Method s = Sample.class.getMethod("pointers", String.class, MemorySegment.class, int[].class, int[].class,
                double[].class, Comparator.class);
        String cannot = assertThrows(IllegalArgumentException.class,
                () -> table.map(Reflected.of(String.class), Reflected.method(s), TypeTable.Role.CALLBACK_RESULT, null)).getMessage();
        assertTrue(cannot.contains("a callback cannot return a String"), cannot);
    }

    @Test
    void rolesAndFunctionalInterfaces() {
        assertTrue(TypeTable.Role.CALLBACK_RESULT.callback() && TypeTable.Role.CALLBACK_RESULT.result());
        assertFalse(TypeTable.Role.FIELD.callback() || TypeTable.Role.PARAMETER.result());
        assertEquals(1, Reflected.of(Comparator.class).abstractMethods().size(), "equals and hashCode do not count");
        assertEquals(6, Reflected.of(Sample.class).abstractMethods().size());
    }
}
