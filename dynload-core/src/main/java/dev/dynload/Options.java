package dev.dynload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The {@link LoadOption}s of one open call, checked for conflicts. */
record Options(Set<LoadOption.Flag> flags, List<Path> searchPath) {

    static Options of(LoadOption... options) {
        Objects.requireNonNull(options, "options");
        // A HashSet and instanceof, not an EnumSet and a pattern switch: in a fresh JVM each of those
        // costs milliseconds of reflection or class spinning on every first open.
        Set<LoadOption.Flag> flags = new HashSet<>();
        List<Path> folders = new ArrayList<>();
        for (LoadOption option : options) {
            Objects.requireNonNull(option, "a LoadOption is null");
            if (option instanceof LoadOption.Flag flag) {
                flags.add(flag);
            } else if (option instanceof LoadOption.SearchPath path) {
                folders.addAll(path.folders());
            }
        }
        conflict(flags, LoadOption.Flag.LAZY, LoadOption.Flag.NOW);
        conflict(flags, LoadOption.Flag.LOCAL, LoadOption.Flag.GLOBAL);
        return new Options(Set.copyOf(flags), List.copyOf(folders));
    }

    private static void conflict(Set<LoadOption.Flag> flags, LoadOption.Flag a, LoadOption.Flag b) {
        if (flags.contains(a) && flags.contains(b)) {
            throw new IllegalArgumentException("LoadOption." + a + " and LoadOption." + b
                    + " exclude each other; give one of them");
        }
    }
}
