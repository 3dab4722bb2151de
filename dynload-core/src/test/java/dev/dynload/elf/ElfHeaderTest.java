package dev.dynload.elf;

import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ElfHeaderTest {

    @Test
    void machineNamesAndHostMappingAgree() {
        assertEquals(62, ElfHeader.machineOf("amd64"));
        assertEquals(62, ElfHeader.machineOf("x86_64"));
        assertEquals(183, ElfHeader.machineOf("aarch64"));
        assertEquals(3, ElfHeader.machineOf("i686"));
        assertEquals(-1, ElfHeader.machineOf("pdp11"));
        for (String arch : new String[] {"amd64", "aarch64", "x86", "arm", "riscv64", "ppc64le", "s390x", "loongarch64"}) {
            ElfHeader h = new ElfHeader(64, ByteOrder.LITTLE_ENDIAN, ElfHeader.machineOf(arch), ElfType.SHARED_OBJECT);
            assertEquals(false, h.machineName().startsWith("machine "), arch);
        }
        assertEquals("machine 9999", new ElfHeader(64, ByteOrder.BIG_ENDIAN, 9999, ElfType.OTHER).machineName());
        assertEquals("64-bit AArch64", new ElfHeader(64, ByteOrder.LITTLE_ENDIAN, 183, ElfType.SHARED_OBJECT).describe());
    }

    @Test
    void typeFollowsETypeValues() {
        assertEquals(ElfType.RELOCATABLE, ElfType.of(1));
        assertEquals(ElfType.EXECUTABLE, ElfType.of(2));
        assertEquals(ElfType.SHARED_OBJECT, ElfType.of(3));
        assertEquals(ElfType.CORE, ElfType.of(4));
        assertEquals(ElfType.OTHER, ElfType.of(0xfe00));
    }
}
