package dev.dynload.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Honest unloading: after a plugin's library was handed back to the loader, whether the loader really
 * unmapped it. glibc keeps a library mapped when it is marked NODELETE ({@code -z nodelete}), when it
 * registered thread-local destructors that have not run (a Rust {@code thread_local!} with a {@code Drop},
 * C++ {@code thread_local} objects: rust#59629), or while another part of the process holds it. Such a
 * library's memory is not returned, and a rebuilt file loads beside it. Said once per file. Linux only
 * (it reads {@code /proc/self/maps}); elsewhere nothing is said.
 */
final class StaysMapped {

    private static final Path MAPS = Path.of("/proc/self/maps");
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private StaysMapped() {
    }

    /**
     * {@return what to say of {@code d}'s file if the process still maps the copy that was loaded at
     * {@code address} (an address inside it; 0: any copy of the file), once per file; else empty} The
     * address tells a reloaded plugin's old copy from its new one, which has the same name.
     */
    static Optional<String> check(PluginDescriptor d, long address) {
        if (d.bundle().isPresent() || !Files.isReadable(MAPS)) {
            return Optional.empty();
        }
        String real;
        try {
            real = d.file().toRealPath().toString();
        } catch (IOException e) {
            return Optional.empty(); // gone since: nothing to compare with
        }
        // A sealed private copy shows as the memory file dynload named for it (LinuxLoader.memoryFile).
        String memfd = "/memfd:dynload:" + d.file().getFileName();
        boolean mapped;
        try (var lines = Files.lines(MAPS)) {
            mapped = lines.anyMatch(l -> (l.endsWith(" " + real) || l.contains(" " + memfd + " (deleted)")
                    || l.endsWith(" " + memfd)) && (address == 0 || covers(l, address)));
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
        if (!mapped || !SAID.add(real)) {
            return Optional.empty();
        }
        boolean noDelete;
        try {
            noDelete = dev.dynload.elf.ElfFile.read(d.file()).noDelete();
        } catch (IOException | RuntimeException e) {
            noDelete = false;
        }
        return Optional.of("stays mapped after its unload: the system loader kept " + d.file() + (noDelete
                ? " because it is marked NODELETE (DF_1_NODELETE, as ld -z nodelete marks it), which the loader "
                + "never unloads"
                : " (it registered thread-local destructors that have not run, as a Rust thread_local! with Drop "
                + "does, or another part of this process holds it)") + "; its memory is not returned until the "
                + "process ends, and a rebuilt file loads beside it. See docs/plugins.md#unloading");
    }

    /** Whether a line of /proc/self/maps ({@code start-end perms ...}) covers {@code address}. */
    private static boolean covers(String line, long address) {
        int dash = line.indexOf('-');
        int space = line.indexOf(' ');
        if (dash <= 0 || space <= dash) {
            return false;
        }
        try {
            long start = Long.parseUnsignedLong(line, 0, dash, 16);
            long end = Long.parseUnsignedLong(line, dash + 1, space, 16);
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
