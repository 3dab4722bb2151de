package dev.dynload.plugin;

import dev.dynload.elf.ElfData;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfFormatException;
import dev.dynload.format.FormatException;
import dev.dynload.format.NativeFile;
import dev.dynload.format.SymbolData;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a plugin's manifest from its file (ELF, Mach-O or PE, whatever the platform) through dynload's readers, without loading the file or
 * running any of its code. Every field is checked against the bytes there are: a truncated, oversized
 * or damaged manifest is a {@link PluginException} naming what is wrong, never a crash or a hang.
 */
final class ManifestReader {

    static final String SYMBOL = "dynload_plugin_manifest";
    private static final byte[] MAGIC = "DLPMANI1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = (int) Abi.MANIFEST_HEADER.byteSize();
    private static final int FORMAT = 1;
    /** How much of the object to read: the header, the most text, its NUL. */
    static final int LIMIT = HEADER + PluginManifest.MAX_TEXT + 1;

    private ManifestReader() {
    }

    static PluginManifest read(Path file) {
        Optional<SymbolData> data;
        try {
            data = manifestData(file);
        } catch (FormatException e) {
            throw new PluginException(PluginException.Reason.NOT_A_LIBRARY, file,
                    "is not a native library (ELF, Mach-O or PE), or is damaged: " + e.getMessage(),
                    "build the plugin again", e);
        } catch (IOException e) {
            throw new PluginException(PluginException.Reason.UNREADABLE, file, "cannot be read: " + e.getMessage(),
                    null, e);
        }
        return parse(file, data);
    }

    /**
     * The manifest object's bytes. An ELF file, the plugin of this platform, is read by {@link ElfFile}
     * directly: the other formats' readers are loaded only for a file that is not ELF (a first start pays
     * for each class it loads; PluginColdBenchmark).
     */
    private static Optional<SymbolData> manifestData(Path file) throws IOException {
        Optional<ElfData> elf;
        try {
            elf = ElfFile.readData(file, SYMBOL, LIMIT);
        } catch (ElfFormatException notElfOrDamaged) {
            return NativeFile.readData(file, SYMBOL, LIMIT); // says which, in the words of its format
        }
        if (elf.isEmpty()) {
            return Optional.empty();
        }
        ElfData d = elf.get();
        return Optional.of(new SymbolData(d.symbol(), d.size(), d.bytes()));
    }

    /** The manifest in what the file's (or bundle's) library exports as {@link #SYMBOL}. */
    static PluginManifest parse(Path file, Optional<SymbolData> found) {
        if (found.isEmpty()) {
            throw new PluginException(PluginException.Reason.NOT_A_PLUGIN, file, "exports no " + SYMBOL
                    + ", so it is not a dynload plugin", "a plugin defines its manifest with DLP_MANIFEST "
                    + "(dynload_plugin.h) or dynload_plugin::manifest! (Rust)", null);
        }
        SymbolData data = found.get();
        ByteBuffer b = data.bytes();
        if (data.size() < HEADER + 1) {
            throw bad(file, "is truncated: " + data.size() + " bytes, where the header and a NUL take "
                    + (HEADER + 1));
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                throw bad(file, "does not start with DLPMANI1");
            }
        }
        int format = b.getInt((int) Abi.MANIFEST_FORMAT);
        if (format != FORMAT) {
            throw new PluginException(PluginException.Reason.BAD_MANIFEST, file, "has a manifest in format "
                    + Integer.toUnsignedString(format) + ", and this host reads format " + FORMAT,
                    "use a dynload version that reads it, or build the plugin against this host's dynload_plugin.h",
                    null);
        }
        long length = Integer.toUnsignedLong(b.getInt((int) Abi.MANIFEST_LENGTH));
        if (length > PluginManifest.MAX_TEXT) {
            throw bad(file, "is oversized: " + length + " bytes of text, more than the " + PluginManifest.MAX_TEXT
                    + " allowed");
        }
        if (HEADER + length + 1 > data.size() || HEADER + length + 1 > b.limit()) {
            throw bad(file, "is truncated: it gives " + length + " bytes of text, and the object holds "
                    + Math.max(0, data.size() - HEADER - 1));
        }
        if (b.get((int) (HEADER + length)) != 0) {
            throw bad(file, "has no NUL after its " + length + " bytes of text");
        }
        ByteBuffer text = b.slice(HEADER, (int) length);
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(text).toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "is not UTF-8 text");
        }
        if (s.indexOf('\0') >= 0) {
            throw bad(file, "holds a NUL inside its text, at character " + s.indexOf('\0'));
        }
        try {
            return PluginManifest.parse(s);
        } catch (IllegalArgumentException e) {
            throw bad(file, "does not parse: " + e.getMessage());
        }
    }

    private static PluginException bad(Path file, String what) {
        return new PluginException(PluginException.Reason.BAD_MANIFEST, file, "its manifest " + what,
                "fix the DLP_MANIFEST text and build the plugin again", null);
    }
}
