package dev.dynload.elf;

import dev.dynload.elf.ElfImage.Segment;
import dev.dynload.elf.ElfProblem.Part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.dynload.elf.ElfImage.hex;
import static dev.dynload.elf.ElfImage.inside;
import static dev.dynload.elf.DynamicTags.*;

/**
 * The symbol version tables: the DT_VERNEED and DT_VERDEF chains glibc walks without bounds (each entry
 * inside its segment, version 1, names inside the string table with their hashes), and DT_VERSYM, whose
 * indices glibc uses unchecked into the table it builds from them. Also what they say, for
 * {@link ElfFile}: the versions a library needs from each dependency and the ones it defines.
 */
final class VersionTables {

    private static final int VER_FLG_BASE = 1;

    private final Verification v;
    private final SymbolTables symbols;
    private final ElfImage image;
    private final boolean w64;
    private ByteBuffer versym;
    /** Version indices that glibc fills from VERNEED and VERDEF. */
    private final java.util.Set<Integer> versionIndices = new java.util.HashSet<>();
    private int highestVersion;
    private final java.util.Map<String, List<String>> required = new java.util.LinkedHashMap<>();
    private final List<String> defined = new java.util.ArrayList<>();

    VersionTables(Verification v, SymbolTables symbols, ElfImage image) {
        this.v = v;
        this.symbols = symbols;
        this.image = image;
        this.w64 = image.w64;
    }

    /** {@return the versions needed from each library, by its DT_NEEDED name, in table order} */
    java.util.Map<String, List<String>> required() {
        return required;
    }

    /** {@return the versions this library defines, without its base version} */
    List<String> defined() {
        return defined;
    }

    /** Walks DT_VERNEED and DT_VERDEF, reporting damage and collecting what they say. */
    void walk() throws IOException {
        if (image.has(DT_VERNEED)) {
            verneed(image.value(DT_VERNEED));
        }
        if (image.has(DT_VERDEF)) {
            verdef(image.value(DT_VERDEF));
        }
    }

    /** {@return symbol {@code index}'s version index (DT_VERSYM, hidden bit cleared), or -1 without DT_VERSYM} */
    int versionOf(long index) {
        return versym == null || index * 2 + 2 > versym.limit() ? -1
                : Short.toUnsignedInt(versym.getShort((int) index * 2)) & 0x7fff;
    }

    /** Walks the chains, then checks every DT_VERSYM index against what they define. */
    void check() throws IOException {
        walk();
        if (image.has(DT_VERSYM) && (image.has(DT_VERNEED) || image.has(DT_VERDEF)) && highestVersion == 0) {
            v.problem(Part.VERSIONS, "DT_VERSYM, but no version table gives any version an index: the loader would "
                    + "index a version table it never made");
            return;
        }
        if (image.has(DT_VERSYM) && symbols.count() >= 0 && symbols.present()) {
            versym = v.table(Part.VERSIONS, image.value(DT_VERSYM), symbols.count() * 2,
                    "DT_VERSYM (" + symbols.count() + " entries)");
            if (versym == null) {
                return;
            }
            for (int i = 0; i < symbols.count(); i++) {
                int index = Short.toUnsignedInt(versym.getShort(i * 2)) & 0x7fff;
                if (index > 1 && !versionIndices.contains(index)) {
                    v.problem(Part.VERSIONS, "symbol " + i + " has version index " + index + ", which neither DT_VERNEED "
                            + "nor DT_VERDEF defines (the highest is " + highestVersion + ")");
                    return;
                }
            }
        }
    }

    private void verneed(long address) throws IOException {
        Segment load = image.loadHolding(address, 16);
        if (load == null) {
            v.problem(Part.VERSIONS, "DT_VERNEED (" + hex(address) + ") does not lie inside a loadable segment");
            return;
        }
        long end = load.vaddr() + Math.min(load.filesz(), load.memsz());
        ByteBuffer all = image.readAt(address, end - address);
        if (all == null) {
            v.problem(Part.VERSIONS, "DT_VERNEED (" + hex(address) + ") does not lie inside the file contents of a "
                    + "loadable segment");
            return;
        }
        long expected = image.has(DT_VERNEEDNUM) ? image.value(DT_VERNEEDNUM) : -1;
        long at = 0;
        int entries = 0;
        while (true) {
            if (at + 16 > all.limit()) {
                v.problem(Part.VERSIONS, "a DT_VERNEED entry at " + hex(address + at) + " runs past its segment");
                return;
            }
            entries++;
            int version = Short.toUnsignedInt(all.getShort((int) at));
            long file = Integer.toUnsignedLong(all.getInt((int) at + 4));
            long aux = Integer.toUnsignedLong(all.getInt((int) at + 8));
            long next = Integer.toUnsignedLong(all.getInt((int) at + 12));
            if (version != 1) {
                v.problem(Part.VERSIONS, "a DT_VERNEED entry has version " + version + ", not 1");
                return;
            }
            String fileName = v.string(Part.VERSIONS, file, "DT_VERNEED's file name");
            if (fileName == null) {
                return;
            }
            if (!v.needed().contains(fileName)) {
                v.problem(Part.VERSIONS, "DT_VERNEED asks versions of " + fileName + ", which is not a DT_NEEDED library: "
                        + "the loader stops the process on this");
                return;
            }
            long a = at + aux;
            while (true) {
                if (aux == 0 || a + 16 > all.limit() || a < 0) {
                    v.problem(Part.VERSIONS, "a version that " + fileName + " must provide lies outside its table");
                    return;
                }
                long hash = Integer.toUnsignedLong(all.getInt((int) a));
                int other = Short.toUnsignedInt(all.getShort((int) a + 6));
                long name = Integer.toUnsignedLong(all.getInt((int) a + 8));
                long auxNext = Integer.toUnsignedLong(all.getInt((int) a + 12));
                String versionName = v.string(Part.VERSIONS, name, "a version needed from " + fileName);
                if (versionName == null) {
                    return;
                }
                if (versionName.isEmpty()) {
                    v.problem(Part.VERSIONS, "a version needed from " + fileName + " has an empty name");
                    return;
                }
                if (hash != elfHash(versionName)) {
                    v.problem(Part.VERSIONS, "version " + versionName + " of " + fileName + " has hash " + hex(hash)
                            + ", not " + hex(elfHash(versionName)));
                    return;
                }
                addVersion(other & 0x7fff);
                List<String> versions = required.get(fileName);
                if (versions == null) {
                    versions = new java.util.ArrayList<>();
                    required.put(fileName, versions);
                }
                versions.add(versionName);
                if (auxNext == 0) {
                    break;
                }
                a += auxNext;
            }
            if (next == 0) {
                break;
            }
            at += next;
        }
        if (expected >= 0 && entries != expected) {
            v.problem(Part.VERSIONS, "DT_VERNEEDNUM says " + expected + " entries, but the chain has " + entries);
        }
    }

    private void verdef(long address) throws IOException {
        Segment load = image.loadHolding(address, 20);
        if (load == null) {
            v.problem(Part.VERSIONS, "DT_VERDEF (" + hex(address) + ") does not lie inside a loadable segment");
            return;
        }
        long end = load.vaddr() + Math.min(load.filesz(), load.memsz());
        ByteBuffer all = image.readAt(address, end - address);
        if (all == null) {
            v.problem(Part.VERSIONS, "DT_VERDEF (" + hex(address) + ") does not lie inside the file contents of a "
                    + "loadable segment");
            return;
        }
        long expected = image.has(DT_VERDEFNUM) ? image.value(DT_VERDEFNUM) : -1;
        long at = 0;
        int entries = 0;
        while (true) {
            if (at + 20 > all.limit()) {
                v.problem(Part.VERSIONS, "a DT_VERDEF entry at " + hex(address + at) + " runs past its segment");
                return;
            }
            entries++;
            int version = Short.toUnsignedInt(all.getShort((int) at));
            int index = Short.toUnsignedInt(all.getShort((int) at + 4));
            long hash = Integer.toUnsignedLong(all.getInt((int) at + 8));
            long aux = Integer.toUnsignedLong(all.getInt((int) at + 12));
            long next = Integer.toUnsignedLong(all.getInt((int) at + 16));
            if (version != 1) {
                v.problem(Part.VERSIONS, "a DT_VERDEF entry has version " + version + ", not 1");
                return;
            }
            long a = at + aux;
            if (aux == 0 || a + 8 > all.limit()) {
                v.problem(Part.VERSIONS, "the name of version definition " + index + " lies outside its table");
                return;
            }
            String name = v.string(Part.VERSIONS, Integer.toUnsignedLong(all.getInt((int) a)), "version definition " + index);
            if (name == null) {
                return;
            }
            if (name.isEmpty()) {
                v.problem(Part.VERSIONS, "version definition " + index + " has an empty name");
                return;
            }
            if (hash != elfHash(name)) {
                v.problem(Part.VERSIONS, "version definition " + name + " has hash " + hex(hash) + ", not "
                        + hex(elfHash(name)));
                return;
            }
            addVersion(index & 0x7fff);
            if ((Short.toUnsignedInt(all.getShort((int) at + 2)) & VER_FLG_BASE) == 0) {
                defined.add(name);
            }
            if (next == 0) {
                break;
            }
            at += next;
        }
        if (expected >= 0 && entries != expected) {
            v.problem(Part.VERSIONS, "DT_VERDEFNUM says " + expected + " entries, but the chain has " + entries);
        }
    }

    private void addVersion(int index) {
        versionIndices.add(index);
        highestVersion = Math.max(highestVersion, index);
    }

    /** The System V ELF hash of a name, which version entries carry. */
    static long elfHash(String name) {
        long h = 0;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 4) + (b & 0xff);
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
            }
            h &= ~g;
        }
        return h & 0xffffffffL;
    }
}
