package dev.dynload.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static dev.dynload.format.MachO.*;

/**
 * Reads a Mach-O image's load commands into {@link MachO.Parsed}, checking each as dyld would before it
 * trusts it: sizes, the strings they carry, where the tables they point at lie, and which commands may
 * appear only once.
 */
final class LoadCommands {

    private static final String PART = "load commands";

    private LoadCommands() {
    }

    static void read(MachO.Parsed p, ByteBuffer cmds, long ncmds) {
        int align = p.w64 ? 8 : 4;
        Map<Integer, Integer> once = new HashMap<>();
        int at = 0;
        long i = 0;
        for (; i < ncmds; i++) {
            if (at + 8 > cmds.limit()) {
                p.problem(PART, "the header counts " + ncmds + " commands, and only " + i + " fit in its "
                        + p.sizeofcmds + " bytes of commands");
                return;
            }
            int cmd = cmds.getInt(at);
            long cmdsize = Integer.toUnsignedLong(cmds.getInt(at + 4));
            String name = "command " + i + " (" + name(cmd) + ")";
            if (cmdsize < 8 || cmdsize > cmds.limit() - at) {
                p.problem(PART, name + " is " + cmdsize + " bytes, and " + (cmds.limit() - at)
                        + " bytes of commands are left (sizeofcmds " + p.sizeofcmds + ")");
                return;
            }
            if (cmdsize % align != 0) {
                p.problem(PART, name + " is " + cmdsize + " bytes, not a multiple of " + align);
            }
            ByteBuffer c = cmds.slice(at, (int) cmdsize).order(cmds.order());
            int count = once.merge(cmd, 1, Integer::sum);
            if (count == 2 && onlyOnce(cmd)) {
                p.problem(PART, "more than one " + name(cmd) + "; dyld takes one");
            }
            one(p, c, cmd, name);
            at += (int) cmdsize;
        }
        if (at != cmds.limit()) {
            p.problem(PART, "the " + ncmds + " commands take " + at + " bytes, and the header says "
                    + p.sizeofcmds);
        }
        if ((p.filetype == MH_DYLIB) && p.id == null) {
            p.problem(PART, "a dynamic library without LC_ID_DYLIB, the name it is installed under");
        }
    }

    private static boolean onlyOnce(int cmd) {
        return cmd == LC_SYMTAB || cmd == LC_DYSYMTAB || cmd == LC_ID_DYLIB || cmd == LC_DYLD_INFO
                || cmd == LC_DYLD_INFO_ONLY || cmd == LC_CODE_SIGNATURE || cmd == LC_DYLD_EXPORTS_TRIE
                || cmd == LC_DYLD_CHAINED_FIXUPS || cmd == LC_UUID || cmd == LC_MAIN || cmd == LC_FUNCTION_STARTS;
    }

    private static void one(MachO.Parsed p, ByteBuffer c, int cmd, String name) {
        int size = c.limit();
        switch (cmd) {
            case LC_SEGMENT_64, LC_SEGMENT -> segment(p, c, cmd == LC_SEGMENT_64, name);
            case LC_SYMTAB -> {
                if (fits(p, name, size, 24)) {
                    p.symtab = new long[] {u32(c, 8), u32(c, 12), u32(c, 16), u32(c, 20)};
                    p.linkedit.add(new LinkeditRange("symbol table", u32(c, 8), u32(c, 12) * (p.w64 ? 16 : 12)));
                    p.linkedit.add(new LinkeditRange("string table", u32(c, 16), u32(c, 20)));
                }
            }
            case LC_DYSYMTAB -> {
                if (fits(p, name, size, 80)) {
                    long[] d = new long[18];
                    for (int k = 0; k < 18; k++) {
                        d[k] = u32(c, 8 + 4 * k);
                    }
                    p.dysymtab = d;
                    p.linkedit.add(new LinkeditRange("indirect symbol table", d[12], d[13] * 4));
                    p.linkedit.add(new LinkeditRange("external relocations", d[14], d[15] * 8));
                    p.linkedit.add(new LinkeditRange("local relocations", d[16], d[17] * 8));
                }
            }
            case LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB -> {
                String lib = string(p, c, 8, 24, name);
                p.dylibs.add(new Dylib(lib == null ? "" : lib, cmd));
            }
            case LC_ID_DYLIB -> p.id = string(p, c, 8, 24, name);
            case LC_RPATH -> {
                String path = string(p, c, 8, 12, name);
                if (path != null) {
                    p.rpaths.add(path);
                }
            }
            case LC_DYLD_INFO, LC_DYLD_INFO_ONLY -> {
                if (fits(p, name, size, 48)) {
                    String[] parts = {"rebase opcodes", "bind opcodes", "weak bind opcodes", "lazy bind opcodes",
                            "export trie"};
                    for (int k = 0; k < parts.length; k++) {
                        long off = u32(c, 8 + 8 * k);
                        long len = u32(c, 12 + 8 * k);
                        if (len != 0) {
                            p.linkedit.add(new LinkeditRange(parts[k], off, len));
                        }
                    }
                    if (u32(c, 44) != 0) {
                        p.exportTrie = new long[] {u32(c, 40), u32(c, 44)};
                    }
                }
            }
            case LC_DYLD_EXPORTS_TRIE, LC_DYLD_CHAINED_FIXUPS, LC_CODE_SIGNATURE, LC_FUNCTION_STARTS,
                 LC_DATA_IN_CODE, LC_SEGMENT_SPLIT_INFO, LC_DYLIB_CODE_SIGN_DRS, LC_LINKER_OPTIMIZATION_HINT -> {
                if (fits(p, name, size, 16)) {
                    long off = u32(c, 8);
                    long len = u32(c, 12);
                    p.linkedit.add(new LinkeditRange(name(cmd), off, len));
                    if (cmd == LC_DYLD_EXPORTS_TRIE && len != 0) {
                        p.exportTrie = new long[] {off, len};
                    }
                    if (cmd == LC_DYLD_CHAINED_FIXUPS) {
                        p.chainedFixups = new long[] {off, len};
                    }
                    if (cmd == LC_CODE_SIGNATURE && off % 16 != 0) {
                        p.problem(PART, name + " begins at " + Input.hex(off) + ", not on 16 bytes");
                    }
                }
            }
            default -> {
                // Build versions, UUIDs, source versions, entry points: nothing dyld trusts about the file's layout.
            }
        }
    }

    private static void segment(MachO.Parsed p, ByteBuffer c, boolean w64, String name) {
        int head = w64 ? 72 : 56;
        int entry = w64 ? 80 : 68;
        if (!fits(p, name, c.limit(), head)) {
            return;
        }
        String seg = fixedString(c, 8);
        long vmaddr = w64 ? c.getLong(24) : u32(c, 24);
        long vmsize = w64 ? c.getLong(32) : u32(c, 28);
        long fileoff = w64 ? c.getLong(40) : u32(c, 32);
        long filesize = w64 ? c.getLong(48) : u32(c, 36);
        int maxprot = c.getInt(w64 ? 56 : 40);
        int initprot = c.getInt(w64 ? 60 : 44);
        long nsects = u32(c, w64 ? 64 : 48);
        String what = name + " " + seg;
        if (p.segments.size() >= MAX_SEGMENTS) {
            if (!p.tooManySegments) {
                p.tooManySegments = true;
                p.problem(PART, "more than " + MAX_SEGMENTS + " segments; the rest are not read");
            }
            return;
        }
        if (nsects > (c.limit() - head) / entry || head + nsects * entry != c.limit()) {
            p.problem(PART, what + " holds " + nsects + " sections of " + entry + " bytes in "
                    + (c.limit() - head) + " bytes");
            nsects = Math.min(nsects, (c.limit() - head) / entry);
        }
        if (!p.in.contains(fileoff, filesize)) {
            p.problem("segments", what + " maps " + Long.toUnsignedString(filesize) + " bytes at file offset "
                    + Input.hex(fileoff) + ", past the end of the file (" + p.in.size() + " bytes)");
        }
        if (Long.compareUnsigned(filesize, vmsize) > 0) {
            p.problem("segments", what + " maps " + Long.toUnsignedString(filesize) + " bytes of the file into "
                    + Long.toUnsignedString(vmsize) + " bytes of memory");
        }
        if (Long.compareUnsigned(vmaddr + vmsize, vmaddr) < 0) {
            p.problem("segments", what + " at " + Input.hex(vmaddr) + " for " + Long.toUnsignedString(vmsize)
                    + " bytes wraps around the address space");
        }
        if (((maxprot | initprot) & ~7) != 0) {
            p.problem("segments", what + " has protections " + Input.hex(initprot) + "/" + Input.hex(maxprot)
                    + " beyond read, write and execute");
        }
        if ((initprot & ~maxprot) != 0) {
            p.problem("segments", what + " starts with protections " + initprot + " beyond its maximum "
                    + maxprot);
        }
        for (MachO.Segment other : p.segments) {
            if (vmsize != 0 && other.vmsize() != 0 && Long.compareUnsigned(vmaddr, other.vmaddr() + other.vmsize()) < 0
                    && Long.compareUnsigned(other.vmaddr(), vmaddr + vmsize) < 0) {
                p.problem("segments", what + " overlaps segment " + other.name() + " in memory at "
                        + Input.hex(Math.max(vmaddr, other.vmaddr())));
                break;
            }
        }
        MachO.Segment segment = new MachO.Segment(seg, vmaddr, vmsize, fileoff, filesize, maxprot, initprot, 0);
        p.segments.add(segment);
        if (p.sections.size() + nsects > MAX_SECTIONS) {
            p.problem("sections", what + " brings the image to " + (p.sections.size() + nsects) + " sections; a "
                    + "symbol can name at most " + MAX_SECTIONS + ", and only those are read");
            nsects = Math.max(0, MAX_SECTIONS - p.sections.size());
        }
        for (int k = 0; k < nsects; k++) {
            int s = head + k * entry;
            String sectname = fixedString(c, s);
            String segname = fixedString(c, s + 16);
            long addr = w64 ? c.getLong(s + 32) : u32(c, s + 32);
            long size = w64 ? c.getLong(s + 40) : u32(c, s + 36);
            long offset = u32(c, s + (w64 ? 48 : 40));
            int flags = c.getInt(s + (w64 ? 64 : 56));
            MachO.Section section = new MachO.Section(segname, sectname, addr, size, offset, flags, p.sections.size() + 1);
            p.sections.add(section);
            String where = "section " + segname + "," + sectname;
            if (p.filetype != MH_OBJECT && !segment.containsAddress(addr, size)) {
                p.problem("sections", where + " at " + Input.hex(addr) + " for " + Long.toUnsignedString(size)
                        + " bytes lies outside its segment " + seg + " (" + Input.hex(vmaddr) + ", "
                        + Long.toUnsignedString(vmsize) + " bytes)");
            }
            if (!section.zeroFill() && size != 0 && !p.in.contains(offset, size)) {
                p.problem("sections", where + " holds " + Long.toUnsignedString(size) + " bytes at file offset "
                        + Input.hex(offset) + ", past the end of the file (" + p.in.size() + " bytes)");
            }
        }
    }

    /** Whether a command is at least {@code need} bytes, reporting it when not. */
    private static boolean fits(MachO.Parsed p, String name, int size, int need) {
        if (size < need) {
            p.problem(PART, name + " is " + size + " bytes, shorter than its " + need + "-byte layout");
            return false;
        }
        return true;
    }

    /**
     * The string a command carries: its offset at {@code field}, which must lie past the command's fixed
     * part ({@code fixed} bytes) and inside it, and a NUL before the command ends.
     */
    private static String string(MachO.Parsed p, ByteBuffer c, int field, int fixed, String name) {
        if (!fits(p, name, c.limit(), fixed)) {
            return null;
        }
        long offset = u32(c, field);
        if (offset < fixed || offset >= c.limit()) {
            p.problem(PART, name + " places its name at offset " + offset + ", outside the command's "
                    + (c.limit() - fixed) + " bytes of text");
            return null;
        }
        for (int i = (int) offset; i < c.limit(); i++) {
            if (c.get(i) == 0) {
                byte[] b = new byte[i - (int) offset];
                c.get((int) offset, b);
                String s = new String(b, StandardCharsets.UTF_8);
                if (s.isEmpty()) {
                    p.problem(PART, name + " gives an empty name");
                }
                return s;
            }
        }
        p.problem(PART, name + " has a name without a terminating NUL inside the command");
        return null;
    }

    /** A 16-byte name field, NUL-padded. */
    static String fixedString(ByteBuffer c, int at) {
        int end = at;
        while (end < at + 16 && c.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - at];
        c.get(at, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    /** A command's name as {@code <mach-o/loader.h>} spells it. */
    static String name(int cmd) {
        return switch (cmd) {
            case LC_SEGMENT -> "LC_SEGMENT";
            case LC_SEGMENT_64 -> "LC_SEGMENT_64";
            case LC_SYMTAB -> "LC_SYMTAB";
            case LC_DYSYMTAB -> "LC_DYSYMTAB";
            case LC_LOAD_DYLIB -> "LC_LOAD_DYLIB";
            case LC_ID_DYLIB -> "LC_ID_DYLIB";
            case LC_LOAD_WEAK_DYLIB -> "LC_LOAD_WEAK_DYLIB";
            case LC_REEXPORT_DYLIB -> "LC_REEXPORT_DYLIB";
            case LC_LAZY_LOAD_DYLIB -> "LC_LAZY_LOAD_DYLIB";
            case LC_LOAD_UPWARD_DYLIB -> "LC_LOAD_UPWARD_DYLIB";
            case LC_RPATH -> "LC_RPATH";
            case LC_DYLD_INFO -> "LC_DYLD_INFO";
            case LC_DYLD_INFO_ONLY -> "LC_DYLD_INFO_ONLY";
            case LC_DYLD_EXPORTS_TRIE -> "LC_DYLD_EXPORTS_TRIE";
            case LC_DYLD_CHAINED_FIXUPS -> "LC_DYLD_CHAINED_FIXUPS";
            case LC_CODE_SIGNATURE -> "LC_CODE_SIGNATURE";
            case LC_FUNCTION_STARTS -> "LC_FUNCTION_STARTS";
            case LC_DATA_IN_CODE -> "LC_DATA_IN_CODE";
            case LC_SEGMENT_SPLIT_INFO -> "LC_SEGMENT_SPLIT_INFO";
            case LC_DYLIB_CODE_SIGN_DRS -> "LC_DYLIB_CODE_SIGN_DRS";
            case LC_LINKER_OPTIMIZATION_HINT -> "LC_LINKER_OPTIMIZATION_HINT";
            case LC_UUID -> "LC_UUID";
            case LC_MAIN -> "LC_MAIN";
            case 0x32 -> "LC_BUILD_VERSION";
            case 0x2a -> "LC_SOURCE_VERSION";
            default -> Input.hex(Integer.toUnsignedLong(cmd));
        };
    }
}
