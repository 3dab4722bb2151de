package dev.dynload.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Makes structurally damaged copies of a real library: one to three fields of one region changed, code
 * bytes untouched. Where the fields are is taken from {@code readelf}'s section and program header
 * listings of the intact file, not from dynload's own reader, so that the two cannot share a blind spot.
 */
final class Mutator {

    /** The parts of a library the loader trusts, mutated one at a time. */
    enum Region {
        HEADER, PROGRAM_HEADERS, SECTION_HEADERS, DYNAMIC, SYMBOLS, RELOCATIONS, VERSIONS, HASH_TABLES
    }

    /** A field: where it is and how wide. */
    record Field(int offset, int width, String name) {
    }

    /** One damaged copy: what was changed, for the report. */
    record Mutant(byte[] bytes, Region region, String description) {
        /** {@return the same mutant without its bytes, to be counted once it has been opened} */
        Mutant withoutBytes() {
            return new Mutant(null, region, description);
        }
    }

    private final byte[] original;
    private final String name;
    private final Map<Region, List<Field>> fields = new EnumMap<>(Region.class);

    Mutator(Path library) throws IOException, InterruptedException {
        this.original = Files.readAllBytes(library);
        this.name = library.getFileName().toString();
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        for (Region r : Region.values()) {
            fields.put(r, new ArrayList<>());
        }
        header();
        long phoff = b.getLong(32);
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            struct(Region.PROGRAM_HEADERS, (int) phoff + i * 56, "phdr" + i,
                    new int[] {4, 4, 8, 8, 8, 8, 8, 8}, "type flags offset vaddr paddr filesz memsz align");
        }
        long shoff = b.getLong(40);
        int shnum = Short.toUnsignedInt(b.getShort(60));
        for (int i = 0; i < shnum && shoff + (long) (i + 1) * 64 <= original.length; i++) {
            struct(Region.SECTION_HEADERS, (int) shoff + i * 64, "shdr" + i,
                    new int[] {4, 4, 8, 8, 8, 8, 4, 4, 8, 8}, "name type flags addr offset size link info addralign entsize");
        }
        for (Section s : sections(library)) {
            switch (s.name) {
                case ".dynamic" -> array(Region.DYNAMIC, s, 16, new int[] {8, 8}, "tag value", true);
                case ".dynsym" -> array(Region.SYMBOLS, s, 24, new int[] {4, 1, 1, 2, 8, 8}, "name info other shndx value size", false);
                case ".rela.dyn", ".rela.plt" -> array(Region.RELOCATIONS, s, 24, new int[] {8, 4, 4, 8}, "offset type symbol addend", false);
                case ".gnu.version" -> array(Region.VERSIONS, s, 2, new int[] {2}, "versym", false);
                case ".gnu.version_r" -> verneed(s);
                case ".gnu.version_d" -> verdef(s);
                case ".gnu.hash" -> gnuHash(s);
                case ".hash" -> array(Region.HASH_TABLES, s, 4, new int[] {4}, "word", false);
                default -> {
                }
            }
        }
    }

    /** {@return the regions this library has fields in} */
    List<Region> regions() {
        return fields.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    int fieldCount(Region region) {
        return fields.get(region).size();
    }

    /** A copy with one to three fields of {@code region} changed. */
    Mutant mutate(Region region, Random random) {
        byte[] bytes = original.clone();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Field> candidates = fields.get(region);
        int changes = 1 + random.nextInt(3);
        StringBuilder what = new StringBuilder(name).append(' ').append(region).append(':');
        for (int i = 0; i < changes; i++) {
            Field f = candidates.get(random.nextInt(candidates.size()));
            long old = read(b, f);
            long value = newValue(old, f, candidates, b, random);
            write(b, f, value);
            what.append(' ').append(f.name).append(" 0x").append(Long.toHexString(old)).append("->0x")
                    .append(Long.toHexString(read(b, f)));
        }
        return new Mutant(bytes, region, what.toString());
    }

    private long newValue(long old, Field f, List<Field> sameRegion, ByteBuffer b, Random random) {
        long mask = f.width == 8 ? -1L : (1L << (f.width * 8)) - 1;
        return switch (random.nextInt(12)) {
            case 0 -> random.nextLong();
            case 1 -> 0;
            case 2 -> mask;
            case 3 -> old + 1 + random.nextInt(16);
            case 4 -> old - 1 - random.nextInt(16);
            case 5 -> old ^ (1L << random.nextInt(f.width * 8));
            case 6 -> old ^ (1L << random.nextInt(Math.min(f.width * 8, 16)));
            case 7 -> old + (random.nextBoolean() ? 0x1000 : 0x100000) * (1 + random.nextInt(8));
            case 8 -> old * (random.nextBoolean() ? 2 : 16);
            case 9 -> original.length - random.nextInt(64);
            case 10 -> old + 8L * (1 + random.nextInt(64)) * (random.nextBoolean() ? 1 : -1);
            default -> {
                Field other = sameRegion.get(random.nextInt(sameRegion.size()));
                yield other.width == f.width ? read(b, other) : old ^ 0x80;
            }
        };
    }

    private static long read(ByteBuffer b, Field f) {
        return switch (f.width) {
            case 1 -> Byte.toUnsignedLong(b.get(f.offset));
            case 2 -> Short.toUnsignedLong(b.getShort(f.offset));
            case 4 -> Integer.toUnsignedLong(b.getInt(f.offset));
            default -> b.getLong(f.offset);
        };
    }

    private static void write(ByteBuffer b, Field f, long v) {
        switch (f.width) {
            case 1 -> b.put(f.offset, (byte) v);
            case 2 -> b.putShort(f.offset, (short) v);
            case 4 -> b.putInt(f.offset, (int) v);
            default -> b.putLong(f.offset, v);
        }
    }

    private void header() {
        int[][] layout = {{4, 1}, {5, 1}, {6, 1}, {7, 1}, {8, 1}, {16, 2}, {18, 2}, {20, 4}, {24, 8}, {32, 8},
                {40, 8}, {48, 4}, {52, 2}, {54, 2}, {56, 2}, {58, 2}, {60, 2}, {62, 2}};
        String[] names = "class data version osabi abiversion type machine e_version entry phoff shoff flags ehsize phentsize phnum shentsize shnum shstrndx".split(" ");
        for (int i = 0; i < layout.length; i++) {
            fields.get(Region.HEADER).add(new Field(layout[i][0], layout[i][1], "ehdr." + names[i]));
        }
    }

    private void struct(Region region, int at, String prefix, int[] widths, String names) {
        String[] n = names.split(" ");
        int offset = at;
        for (int i = 0; i < widths.length; i++) {
            if (offset + widths[i] <= original.length) {
                fields.get(region).add(new Field(offset, widths[i], prefix + "." + n[i]));
            }
            offset += widths[i];
        }
    }

    private void array(Region region, Section s, int entry, int[] widths, String names, boolean untilNull) {
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = s.offset; at + entry <= s.offset + s.size; at += entry) {
            struct(region, (int) at, s.name + "[" + (at - s.offset) / entry + "]", widths, names);
            if (untilNull && b.getLong((int) at) == 0) {
                break;
            }
        }
    }

    private void verneed(Section s) {
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) s.offset;
        for (int guard = 0; guard < 64 && at + 16 <= s.offset + s.size; guard++) {
            struct(Region.VERSIONS, at, "verneed", new int[] {2, 2, 4, 4, 4}, "version cnt file aux next");
            int aux = at + b.getInt(at + 8);
            for (int g2 = 0; g2 < 64 && aux + 16 <= s.offset + s.size; g2++) {
                struct(Region.VERSIONS, aux, "vernaux", new int[] {4, 2, 2, 4, 4}, "hash flags other name next");
                int next = b.getInt(aux + 12);
                if (next == 0) {
                    break;
                }
                aux += next;
            }
            int next = b.getInt(at + 12);
            if (next == 0) {
                break;
            }
            at += next;
        }
    }

    private void verdef(Section s) {
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) s.offset;
        for (int guard = 0; guard < 64 && at + 20 <= s.offset + s.size; guard++) {
            struct(Region.VERSIONS, at, "verdef", new int[] {2, 2, 2, 2, 4, 4, 4}, "version flags ndx cnt hash aux next");
            int aux = at + b.getInt(at + 12);
            if (aux + 8 <= s.offset + s.size) {
                struct(Region.VERSIONS, aux, "verdaux", new int[] {4, 4}, "name next");
            }
            int next = b.getInt(at + 16);
            if (next == 0) {
                break;
            }
            at += next;
        }
    }

    private void gnuHash(Section s) {
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) s.offset;
        struct(Region.HASH_TABLES, at, "gnu_hash", new int[] {4, 4, 4, 4}, "nbuckets symoffset bloom_size bloom_shift");
        int bloom = b.getInt(at + 8);
        for (int i = 0; i < bloom; i++) {
            fields.get(Region.HASH_TABLES).add(new Field(at + 16 + i * 8, 8, "gnu_hash.bloom[" + i + "]"));
        }
        for (long w = at + 16 + bloom * 8L; w + 4 <= s.offset + s.size; w += 4) {
            fields.get(Region.HASH_TABLES).add(new Field((int) w, 4, "gnu_hash.word@" + Long.toHexString(w)));
        }
    }

    /** A section of the intact file, from readelf. */
    private record Section(String name, long offset, long size) {
    }

    private static List<Section> sections(Path library) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("readelf", "-S", "-W", library.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("readelf failed on " + library + ": " + out);
        }
        List<Section> sections = new ArrayList<>();
        for (String line : out.lines().toList()) {
            // "  [ 7] .rela.dyn  RELA  00000000000006f8 0006f8 0000c0 18   A  3   0  8"
            String l = line.strip();
            if (!l.startsWith("[")) {
                continue;
            }
            String[] f = l.substring(l.indexOf(']') + 1).strip().split("\\s+");
            if (f.length < 6 || !f[0].startsWith(".")) {
                continue;
            }
            sections.add(new Section(f[0], Long.parseLong(f[3], 16), Long.parseLong(f[4], 16)));
        }
        return sections;
    }
}
