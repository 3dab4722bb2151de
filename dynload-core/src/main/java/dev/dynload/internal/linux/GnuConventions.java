package dev.dynload.internal.linux;

import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfSymbol;
import dev.dynload.internal.Conventions;
import dev.dynload.internal.posix.SystemFolders;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Linux, with glibc or musl: ELF files named {@code libNAME.so}, installed as {@code libNAME.so.MAJOR}
 * with the unversioned name only a development symlink; {@code /etc/ld.so.conf}; glibc's messages.
 */
public record GnuConventions() implements Conventions {

    /** Compiled when first needed, not on every load. */
    private static final class Patterns {
        static final Pattern VERSION = Pattern.compile("[0-9]+(\\.[0-9]+)*");
        /** glibc: "libdependency.so: cannot open shared object file: No such file or directory". */
        static final Pattern MISSING = Pattern.compile("^(.+?): cannot open shared object file");
        static final Pattern UNDEFINED = Pattern.compile("undefined symbol: (\\S+)");
    }

    /** The exact file, then versioned files ({@code libz.so.1} for {@code libz.so}), newest major first. */
    @Override
    public List<Path> candidates(Path folder, String fileName) {
        List<Path> found = new ArrayList<>();
        Path exact = folder.resolve(fileName);
        if (Files.exists(exact)) {
            found.add(exact);
        }
        if (!fileName.endsWith(".so") || !Files.isDirectory(folder)) {
            return found;
        }
        String prefix = fileName + ".";
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(f -> {
                        String n = f.getFileName().toString();
                        return n.startsWith(prefix) && Patterns.VERSION.matcher(n.substring(prefix.length())).matches();
                    })
                    .sorted(Comparator.comparingInt((Path f) -> major(f, prefix)).reversed()
                            .thenComparingInt(f -> f.getFileName().toString().length()))
                    .forEach(found::add);
        } catch (IOException | RuntimeException e) {
            // An unreadable folder holds nothing we can load; the search goes on.
        }
        return found;
    }

    /** Only the major version orders candidates: libz.so.1 and libz.so.1.2.13 are the same library. */
    private static int major(Path file, String prefix) {
        String v = file.getFileName().toString().substring(prefix.length());
        int dot = v.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public Optional<String> missingDependency(String loaderMessage) {
        return Conventions.group(Patterns.MISSING, loaderMessage);
    }

    @Override
    public Optional<String> undefinedSymbol(String loaderMessage) {
        return Conventions.group(Patterns.UNDEFINED, loaderMessage);
    }

    @Override
    public List<String> exports(Path file) {
        try {
            return ElfFile.read(file).symbols().stream().map(ElfSymbol::name).toList();
        } catch (IOException | RuntimeException e) {
            // Suggestions are a courtesy: a file that cannot be read again just gets none.
            return List.of();
        }
    }

    @Override
    public List<Path> systemFolders(String pathVariable, List<String> defaults) {
        return SystemFolders.of(pathVariable, defaults, true);
    }

    /** {@code $XDG_CACHE_HOME/dynload} when that is an absolute path, else {@code ~/.cache/dynload}. */
    @Override
    public Path cacheFolder(String home) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && xdg.startsWith("/") ? Path.of(xdg, "dynload") : Path.of(home, ".cache", "dynload");
    }
}
