package dev.dynload.elf;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a loader needs from a shared library before it loads it, read in one pass of the file: every
 * structural problem {@link ElfFile#verify} finds, and the names its dependencies are found by. Cheaper
 * than {@link ElfFile#read} with {@link ElfFile#verify}: no symbol list is built. dynload runs it before
 * every first load.
 *
 * {@snippet :
 * ElfCheck check = ElfFile.check(Path.of("libplugin.so"));
 * if (check.problems().isEmpty()) {
 *     check.needed();   // [libc.so.6]
 *     check.runPath();  // [$ORIGIN/../lib]
 * }
 * }
 *
 * @param problems what {@link ElfFile#verify} finds; the names below are empty when there is any
 * @param soname its {@code DT_SONAME}, when it has one
 * @param needed its {@code DT_NEEDED} names, in order
 * @param runPath its {@code DT_RUNPATH} entries, else its {@code DT_RPATH} entries, unexpanded
 * @param runPathIsRpath whether {@code runPath} comes from {@code DT_RPATH}, which the loader searches
 *                       before {@code LD_LIBRARY_PATH}
 */
public record ElfCheck(List<ElfProblem> problems, Optional<String> soname, List<String> needed, List<String> runPath,
                       boolean runPathIsRpath) {

    /** Copies the lists. */
    public ElfCheck {
        problems = List.copyOf(problems);
        Objects.requireNonNull(soname, "soname");
        needed = List.copyOf(needed);
        runPath = List.copyOf(runPath);
    }
}
