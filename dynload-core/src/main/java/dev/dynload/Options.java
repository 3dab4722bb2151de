package dev.dynload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The {@link LoadOption}s of one open call, checked for conflicts. */
record Options(Set<LoadOption.Flag> flags, List<Path> searchPath) {

    static Options of(LoadOption... options) {
        Objects.requireNonNull(options, "options");
        Set<LoadOption.Flag> flags = EnumSet.noneOf(LoadOption.Flag.class);
        List<Path> folders = new ArrayList<>();
        for (LoadOption option : options) {
            switch (Objects.requireNonNull(option, "a LoadOption is null")) {
                case LoadOption.Flag flag -> flags.add(flag);
                case LoadOption.SearchPath path -> folders.addAll(path.folders());
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
