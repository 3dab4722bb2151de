package dev.dynload.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Relocations}, {@link RelocationTypes} and {@link Writes}: each rule for a relocation table,
 * against one field of the real C fixture's {@code .rela.dyn} changed the way damage changes it. The
 * rules ElfVerifierTest already meets (PLT slots, GOT entries, relative pointers out of the library)
 * are not repeated here.
 */
class RelocationsTest {

    private static final long DT_RELASZ = 8;
    private static final long DT_RELACOUNT = 0x6ffffff9L;
    private static final int RELA = 24;

    @TempDir
    Path dir;

    private List<ElfProblem> verify(Consumer<ElfVerifierTest.Copy> damage) throws IOException {
        ElfVerifierTest.Copy c = new ElfVerifierTest.Copy();
        damage.accept(c);
        return ElfFile.verify(Files.write(dir.resolve("libdamaged.so"), c.bytes));
    }

    private void assertRefused(String says, Consumer<ElfVerifierTest.Copy> damage) throws IOException {
        List<ElfProblem> problems = verify(damage);
        assertTrue(problems.stream().anyMatch(p -> p.part() == ElfProblem.Part.RELOCATIONS && p.detail().contains(says)),
                says + " in " + problems);
    }

    /** {@return the file offset of .rela.dyn's entry {@code i}} */
    private static int rela(ElfVerifierTest.Copy c, int i) {
        return c.entry(".rela.dyn", i, RELA);
    }

    /** {@return the index in .rela.dyn of the first entry of {@code type}} */
    private static int firstOfType(ElfVerifierTest.Copy c, int type) {
        int count = (int) (c.b.getLong(c.sectionHeader(".rela.dyn") + 0x20) / RELA);
        for (int i = 0; i < count; i++) {
            if (c.b.getInt(rela(c, i) + 8) == type) {
                return i;
            }
        }
        throw new IllegalArgumentException("no relocation of type " + type);
    }

    @Test
    void theFixturesTablesAreSound() throws IOException {
        assertEquals(List.of(), verify(c -> { }));
    }

    @Test
    void eachMachinesTypesAreKnownAndAnotherMachineHasNone() {
        RelocationTypes.Machine x86 = RelocationTypes.machine(62);
        assertTrue(x86.known());
        assertTrue(x86.rela());
        assertEquals(RelocationTypes.Role.RELATIVE, x86.kinds().get(8).role());
        assertEquals(RelocationTypes.Role.IRELATIVE, x86.kinds().get(37).role());
        assertTrue(x86.kinds().get(7).plt(), "JUMP_SLOT belongs in the PLT relocations");
        RelocationTypes.Machine arm = RelocationTypes.machine(183);
        assertTrue(arm.known());
        assertEquals(1025, arm.globDat());
        assertEquals(1026, arm.jumpSlot());
        RelocationTypes.Machine mips = RelocationTypes.machine(8);
        assertFalse(mips.known());
        assertTrue(mips.name().contains("8"), mips.name());
    }

    @Test
    void aTableSizeThatIsNoWholeNumberOfEntriesOrMoreThanTheFileIsRefused() throws IOException {
        assertRefused("not a whole number of 24-byte entries", c -> c.b.putLong(c.dynamic(DT_RELASZ),
                c.b.getLong(c.dynamic(DT_RELASZ)) + 8));
        assertRefused("more than the file holds", c -> c.b.putLong(c.dynamic(DT_RELASZ), 24L << 36));
    }

    @Test
    void aRelativeCountPastTheTableOrOverAnEntryThatIsNotRelativeIsRefused() throws IOException {
        assertRefused("count of relative relocations (1000) is more than its", c -> c.b.putLong(c.dynamic(DT_RELACOUNT), 1000));
        assertRefused("counted as relative by DT_RELACOUNT, but it is not", c -> c.b.putLong(c.dynamic(DT_RELACOUNT),
                firstOfType(c, 6) + 1));
    }

    @Test
    void aTypeTheLoaderDoesNotKnowOrACopyRelocationIsRefused() throws IOException {
        assertRefused("a relocation type the x86-64 loader does not know", c -> c.b.putInt(rela(c, firstOfType(c, 6)) + 8, 200));
        assertRefused("a copy relocation, which only executables may have", c -> c.b.putInt(rela(c, firstOfType(c, 6)) + 8, 5));
    }

    @Test
    void aSymbolIndexPastTheTableIsRefused() throws IOException {
        assertRefused("symbols of the table", c -> c.b.putInt(rela(c, firstOfType(c, 6)) + 12, 100_000));
    }

    @Test
    void aWriteOutsideTheLibraryOrIntoItsCodeIsRefused() throws IOException {
        assertRefused("bytes outside every loadable segment", c -> c.b.putLong(rela(c, firstOfType(c, 6)), 0x7fff_0000_0000L));
        assertRefused("writes into read-only memory", c -> c.b.putLong(rela(c, firstOfType(c, 6)),
                c.b.getLong(c.sectionHeader(".text") + 0x10)));
    }

    @Test
    void twoWritesToOneWordOrAWriteIntoWhatTheLoaderReadsIsRefused() throws IOException {
        // Writes: a relative relocation's offset moved onto the next one's word.
        assertRefused("two relocations write the bytes at", c -> c.b.putLong(rela(c, 0), c.b.getLong(rela(c, 1))));
        // Writes: a relative relocation's offset moved into .dynamic, which the loader reads (it is writable).
        assertRefused("inside the dynamic section, which the loader reads", c -> c.b.putLong(rela(c, 0),
                c.b.getLong(c.sectionHeader(".dynamic") + 0x10) + 8));
    }
}
