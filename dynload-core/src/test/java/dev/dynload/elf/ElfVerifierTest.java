package dev.dynload.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier's rules for the dynamic symbols, the relocations and the segments, each against the damage
 * that killed the JVM in a mutation run on seeds the project had not used: one field of the real C fixture
 * changed as the mutant changed it, and the problem the verifier names.
 */
class ElfVerifierTest {

    static final Path FIXTURE = Path.of(System.getProperty("dynload.test.native", "target/native"))
            .resolve("libfixture.so").toAbsolutePath();

    @TempDir
    Path dir;

    /** The fixture's bytes, with where its sections and dynamic entries are. */
    static final class Copy {
        final byte[] bytes;
        final ByteBuffer b;

        Copy() throws IOException {
            bytes = Files.readAllBytes(FIXTURE);
            b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** {@return the file offset of the named section's header} */
        int sectionHeader(String name) {
            long shoff = b.getLong(0x28);
            int shnum = Short.toUnsignedInt(b.getShort(0x3c));
            int names = (int) b.getLong((int) (shoff + 64L * Short.toUnsignedInt(b.getShort(0x3e))) + 0x18);
            for (int i = 0; i < shnum; i++) {
                int at = (int) (shoff + 64L * i);
                if (string(names + b.getInt(at)).equals(name)) {
                    return at;
                }
            }
            throw new IllegalArgumentException("no section " + name);
        }

        /** {@return the NUL-terminated string at file offset {@code at}} */
        String string(int at) {
            int end = at;
            while (bytes[end] != 0) {
                end++;
            }
            return new String(bytes, at, end - at, StandardCharsets.US_ASCII);
        }

        /** {@return the file offset of the named section's contents} */
        int section(String name) {
            return (int) b.getLong(sectionHeader(name) + 0x18);
        }

        /** {@return the file offset of entry {@code index} of a table section of {@code entry}-byte entries} */
        int entry(String section, int index, int entry) {
            return section(section) + index * entry;
        }

        /** {@return the index in .dynsym of the symbol named {@code name}} */
        int symbol(String name) {
            int dynsym = sectionHeader(".dynsym");
            int count = (int) (b.getLong(dynsym + 0x20) / 24);
            int strings = section(".dynstr");
            for (int i = 1; i < count; i++) {
                if (string(strings + b.getInt(section(".dynsym") + i * 24)).equals(name)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no symbol " + name);
        }

        /** {@return the file offset of the first program header of {@code type} and {@code flags} (any, if -1)} */
        int programHeader(int type, int flags) {
            long phoff = b.getLong(0x20);
            for (int i = 0; i < Short.toUnsignedInt(b.getShort(0x38)); i++) {
                int at = (int) phoff + i * 56;
                if (b.getInt(at) == type && (flags < 0 || b.getInt(at + 4) == flags)) {
                    return at;
                }
            }
            throw new IllegalArgumentException("no program header " + type);
        }

        /** {@return the file offset of the value of the dynamic entry {@code tag}} */
        int dynamic(long tag) {
            for (int at = section(".dynamic"); b.getLong(at) != 0; at += 16) {
                if (b.getLong(at) == tag) {
                    return at + 8;
                }
            }
            throw new IllegalArgumentException("no dynamic entry " + tag);
        }
    }

    /** The problems the verifier finds in the fixture damaged by {@code damage}. */
    private List<ElfProblem> verify(Consumer<Copy> damage) throws IOException {
        Copy c = new Copy();
        damage.accept(c);
        Path damaged = Files.write(dir.resolve("libdamaged.so"), c.bytes);
        return ElfFile.verify(damaged);
    }

    private void assertRefused(String says, Consumer<Copy> damage) throws IOException {
        List<ElfProblem> problems = verify(damage);
        assertTrue(problems.stream().anyMatch(p -> p.toString().contains(says)), says + " in " + problems);
    }

    @Test
    void theIntactFixtureVerifies() throws IOException {
        assertEquals(List.of(), verify(c -> { }));
    }

    @Test
    void aLibraryThatExportsNothingVerifiesAndLoads() throws IOException {
        // Its GNU hash table hashes no symbol and says symoffset 1: the count comes from .dynsym then.
        Path noExports = FIXTURE.resolveSibling("libnoexports.so");
        assertEquals(List.of(), ElfFile.verify(noExports));
        dev.dynload.Library.open(noExports).close();
    }

    @Test
    void aBindingOrTypeTheSpecificationDoesNotDefineIsRefused() throws IOException {
        // .dynsym[8].info 0x12 -> 0x2b: weak, of type 11, which lookups skip.
        assertRefused("has type 11, which the ELF specification does not define", c -> c.bytes[c.entry(".dynsym",
                c.symbol("fixture_add"), 24) + 4] = 0x2b);
        assertRefused("has binding 3, which the ELF specification does not define", c -> c.bytes[c.entry(".dynsym",
                c.symbol("fixture_add"), 24) + 4] = 0x32);
    }

    @Test
    void anImportTurnedLocalOrGivenASectionAndAValueOutsideTheSegmentsIsRefused() throws IOException {
        assertRefused("local symbol write (2) follows global ones", c -> c.bytes[c.entry(".dynsym",
                c.symbol("write"), 24) + 4] = 0x02);
        assertRefused("function write at 0x7fff0000 is not the start of a function", c -> {
            int at = c.entry(".dynsym", c.symbol("write"), 24);
            c.b.putShort(at + 6, (short) 0x1234);
            c.b.putLong(at + 8, 0x7fff_0000L);
        });
        // An untyped import (a weak one of the C runtime) so damaged: before, only functions and variables
        // were checked against the segments.
        assertRefused("symbol __gmon_start__ at 0x7fff0000 lies outside the loaded segments", c -> {
            int at = c.entry(".dynsym", c.symbol("__gmon_start__"), 24);
            c.b.putShort(at + 6, (short) 0x1234);
            c.b.putLong(at + 8, 0x7fff_0000L);
        });
        assertRefused("reserved section index 0xff05", c -> c.b.putShort(c.entry(".dynsym", c.symbol("write"), 24) + 6,
                (short) 0xff05));
    }

    @Test
    void anImportRenamedToAnothersNameIsRefused() throws IOException {
        // .dynsym[7].name -> the name of another import of the same version: a call to one goes to the other.
        assertRefused("are both read, of one version", c -> c.b.putInt(c.entry(".dynsym", c.symbol("write"), 24),
                c.b.getInt(c.entry(".dynsym", c.symbol("read"), 24))));
    }

    @Test
    void aDefinedSymbolRenamedOrAHashWordChangedIsRefusedByTheHashTable() throws IOException {
        // An exported function renamed to a C library function's name: the library's own calls, through its
        // PLT, would reach the C library's instead (a mutant hung the JVM so).
        assertRefused("whose name hashes to", c -> c.b.putInt(c.entry(".dynsym", c.symbol("fixture_add"), 24),
                c.b.getInt(c.entry(".dynsym", c.symbol("read"), 24))));
        // A chain word of the GNU hash table changed: a lookup would miss the symbol, or find it for another.
        assertRefused("DT_GNU_HASH holds", c -> {
            int table = c.section(".gnu.hash");
            int buckets = c.b.getInt(table);
            int bloom = c.b.getInt(table + 8);
            int chains = table + 16 + bloom * 8 + buckets * 4;
            c.b.putInt(chains, c.b.getInt(chains) ^ 0x40);
        });
    }

    @Test
    void aFunctionTurnedIntoAnIndirectFunctionInAFileGnuLdLinkedIsRefused() throws IOException {
        // GNU ld marks every file that defines an indirect function ELFOSABI_GNU; the fixture is System V.
        assertRefused("is an indirect function, in a file GNU ld linked without marking it for GNU extensions",
                c -> c.bytes[c.entry(".dynsym", c.symbol("fixture_add"), 24) + 4] = 0x1a);
    }

    @Test
    void indirectFunctionsLinkedByGnuLdOrByLldVerifyAndLoad() throws Throwable {
        // lld (and mold) write OS ABI 0, System V, whatever the file holds, and say who they are in .comment.
        Path lld = FIXTURE.resolveSibling("libifunc-lld.so");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(lld),
                "no lld to link with: the Rust toolchain's rust-lld was not found when the fixtures were built");
        for (Path f : List.of(FIXTURE.resolveSibling("libifunc-bfd.so"), lld)) {
            assertEquals(List.of(), ElfFile.verify(f), f.toString());
            try (dev.dynload.Library lib = dev.dynload.Library.open(f)) {
                int sum = (int) lib.downcall("call_it", java.lang.foreign.FunctionDescriptor.of(
                        java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT)).invokeExact(41);
                assertEquals(42, sum, f.toString());
            }
        }
    }

    @Test
    void aPltSlotMovedOrDoubledIsRefused() throws IOException {
        // .rela.plt[0].offset moved two slots on: the slot it should write keeps an unrelocated address.
        assertRefused("outside the PLT's slots in the GOT", c -> c.b.putLong(c.entry(".rela.plt", 0, 24),
                c.b.getLong(c.entry(".rela.plt", 0, 24)) + 0x10));
        assertRefused("a second PLT slot for write", c -> c.b.putInt(c.entry(".rela.plt", 1, 24) + 12,
                c.b.getInt(c.entry(".rela.plt", 0, 24) + 12)));
        // A GOT entry moved onto the words the loader reserves for lazy binding.
        assertRefused("the three words of DT_PLTGOT the loader reserves", c -> c.b.putLong(c.entry(".rela.dyn", 3, 24),
                c.b.getLong(c.sectionHeader(".got.plt") + 0x10) + 8));
    }

    @Test
    void aRelocationNamingWhatTheLoaderCannotBindItToIsRefused() throws IOException {
        // A second GOT entry for one import: a symbol index damaged into another's.
        assertRefused("a second GOT entry for __gmon_start__", c -> c.b.putInt(c.entry(".rela.dyn", 3, 24) + 12,
                c.b.getInt(c.entry(".rela.dyn", 4, 24) + 12)));
        // A PLT slot for a variable.
        assertRefused("a PLT slot for fixture_counter, which is not a function", c -> c.b.putInt(c.entry(".rela.plt", 0, 24)
                + 12, c.symbol("fixture_counter")));
        // A GOT entry's type damaged to none: what it should write stays unrelocated.
        assertRefused("does nothing, yet names symbol", c -> c.b.putInt(c.entry(".rela.dyn", 5, 24) + 8, 0));
        // A relative pointer out of the library.
        assertRefused("makes a pointer to 0xdead0000, far outside the library's segments", c -> c.b.putLong(
                c.entry(".rela.dyn", 0, 24) + 16, 0xdead_0000L));
    }

    @Test
    void aSegmentWithoutPermissionsOrWithItsFileSizeGrownOverBssIsRefused() throws IOException {
        assertRefused("may be neither read, written nor run", c -> c.b.putInt(c.programHeader(1, 4) + 4, 0));
        // The data segment's file size grown over .bss: its variables would start as the file's bytes.
        assertRefused("fills the zero-initialized section", c -> {
            int data = c.programHeader(1, 6);
            c.b.putLong(data + 32, c.b.getLong(data + 32) + 0x40);
            c.b.putLong(data + 40, Math.max(c.b.getLong(data + 40), c.b.getLong(data + 32)));
        });
    }

    @Test
    void aDataSegmentShrunkBeforeTheEndOfBssIsRefused() throws IOException {
        // phdr.memsz cut short: the end of the zero-initialized variables would lie past what is mapped.
        assertRefused("does not lie inside one segment's memory", c -> {
            int data = c.programHeader(1, 6);
            c.b.putLong(data + 40, c.b.getLong(data + 40) - 2);
        });
    }

    @Test
    void initAndFiniArraysThatOverlapAreRefused() throws IOException {
        // DT_INIT_ARRAYSZ 8 -> 16: the loader would call the finalizer at load, and again at unload.
        assertRefused("DT_INIT_ARRAY and DT_FINI_ARRAY overlap", c -> c.b.putLong(c.dynamic(27), 16));
    }
}
