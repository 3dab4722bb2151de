package dev.dynload.elf;

import static dev.dynload.elf.ElfImage.hex;

/** The dynamic section's tags ({@code DT_*}) that dynload reads or checks, and their names. */
final class DynamicTags {

    static final long DT_NEEDED = 1;
    static final long DT_PLTRELSZ = 2;
    static final long DT_PLTGOT = 3;
    static final long DT_HASH = 4;
    static final long DT_STRTAB = 5;
    static final long DT_SYMTAB = 6;
    static final long DT_RELA = 7;
    static final long DT_RELASZ = 8;
    static final long DT_RELAENT = 9;
    static final long DT_STRSZ = 10;
    static final long DT_SYMENT = 11;
    static final long DT_INIT = 12;
    static final long DT_FINI = 13;
    static final long DT_SONAME = 14;
    static final long DT_RPATH = 15;
    static final long DT_REL = 17;
    static final long DT_RELSZ = 18;
    static final long DT_RELENT = 19;
    static final long DT_PLTREL = 20;
    static final long DT_TEXTREL = 22;
    static final long DT_JMPREL = 23;
    static final long DT_INIT_ARRAY = 25;
    static final long DT_FINI_ARRAY = 26;
    static final long DT_INIT_ARRAYSZ = 27;
    static final long DT_FINI_ARRAYSZ = 28;
    static final long DT_RUNPATH = 29;
    static final long DT_FLAGS = 30;
    static final long DT_PREINIT_ARRAY = 32;
    static final long DT_PREINIT_ARRAYSZ = 33;
    static final long DT_RELRSZ = 35;
    static final long DT_RELR = 36;
    static final long DT_RELRENT = 37;
    static final long DT_GNU_HASH = 0x6ffffef5L;
    static final long DT_VERSYM = 0x6ffffff0L;
    static final long DT_RELACOUNT = 0x6ffffff9L;
    static final long DT_RELCOUNT = 0x6ffffffaL;
    static final long DT_FLAGS_1 = 0x6ffffffbL;
    static final long DT_VERDEF = 0x6ffffffcL;
    static final long DT_VERDEFNUM = 0x6ffffffdL;
    static final long DT_VERNEED = 0x6ffffffeL;
    static final long DT_VERNEEDNUM = 0x6fffffffL;
    static final long DT_AUXILIARY = 0x7ffffffdL;
    static final long DT_FILTER = 0x7fffffffL;

    private DynamicTags() {
    }

    static String tagName(long tag) {
        return switch ((int) tag) {
            case 1 -> "DT_NEEDED";
            case 2 -> "DT_PLTRELSZ";
            case 3 -> "DT_PLTGOT";
            case 4 -> "DT_HASH";
            case 5 -> "DT_STRTAB";
            case 6 -> "DT_SYMTAB";
            case 7 -> "DT_RELA";
            case 8 -> "DT_RELASZ";
            case 9 -> "DT_RELAENT";
            case 10 -> "DT_STRSZ";
            case 11 -> "DT_SYMENT";
            case 12 -> "DT_INIT";
            case 13 -> "DT_FINI";
            case 14 -> "DT_SONAME";
            case 15 -> "DT_RPATH";
            case 17 -> "DT_REL";
            case 18 -> "DT_RELSZ";
            case 19 -> "DT_RELENT";
            case 20 -> "DT_PLTREL";
            case 23 -> "DT_JMPREL";
            case 25 -> "DT_INIT_ARRAY";
            case 26 -> "DT_FINI_ARRAY";
            case 27 -> "DT_INIT_ARRAYSZ";
            case 28 -> "DT_FINI_ARRAYSZ";
            case 29 -> "DT_RUNPATH";
            case 32 -> "DT_PREINIT_ARRAY";
            case 35 -> "DT_RELRSZ";
            case 36 -> "DT_RELR";
            case 37 -> "DT_RELRENT";
            case 0x6ffffef5 -> "DT_GNU_HASH";
            case 0x6ffffff9 -> "DT_RELACOUNT";
            case 0x6ffffffa -> "DT_RELCOUNT";
            case 0x6ffffff0 -> "DT_VERSYM";
            case 0x6ffffffc -> "DT_VERDEF";
            case 0x6ffffffd -> "DT_VERDEFNUM";
            case 0x6ffffffe -> "DT_VERNEED";
            case 0x6fffffff -> "DT_VERNEEDNUM";
            case 0x7ffffffd -> "DT_AUXILIARY";
            case 0x7fffffff -> "DT_FILTER";
            default -> "dynamic tag " + hex(tag);
        };
    }}
