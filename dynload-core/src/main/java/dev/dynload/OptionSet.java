package dev.dynload;

import dev.dynload.internal.LoadFlags;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link LoadOption}s of one open call, checked for conflicts.
 *
 * @param isolation the child's time limit, or null to load in this process only
 * @param sha256 the SHA-256 the loaded bytes must have (lower case), or null
 */
record OptionSet(Set<LoadOption.Flag> flags, List<Path> searchPath, boolean privateCopy, Duration isolation,
                 String sha256) {

    static OptionSet of(LoadOption... options) {
        Objects.requireNonNull(options, "options");
        // A HashSet and instanceof, not an EnumSet and a pattern switch: in a fresh JVM each of those
        // costs milliseconds of reflection or class spinning on every first open.
        Set<LoadOption.Flag> flags = new HashSet<>();
        List<Path> folders = new ArrayList<>();
        boolean privateCopy = false;
        Duration isolation = null;
        String sha256 = null;
        for (LoadOption option : options) {
            Objects.requireNonNull(option, "a LoadOption is null");
            if (option instanceof LoadOption.Flag flag) {
                flags.add(flag);
            } else if (option instanceof LoadOption.SearchPath path) {
                folders.addAll(path.folders());
            } else if (option instanceof LoadOption.Copy) {
                privateCopy = true;
            } else if (option instanceof LoadOption.Pin pin) {
                if (sha256 != null && !sha256.equals(pin.sha256())) {
                    throw new IllegalArgumentException("two SHA-256s, " + sha256 + " and " + pin.sha256() + "; give one");
                }
                sha256 = pin.sha256();
                privateCopy = true; // what is hashed is what is loaded: the sealed copy
            } else if (option instanceof LoadOption.Isolation i) {
                if (isolation != null && !isolation.equals(i.timeLimit())) {
                    throw new IllegalArgumentException("two isolation time limits, " + isolation + " and "
                            + i.timeLimit() + "; give one");
                }
                isolation = i.timeLimit();
            }
        }
        conflict(flags, LoadOption.Flag.LAZY, LoadOption.Flag.NOW);
        conflict(flags, LoadOption.Flag.LOCAL, LoadOption.Flag.GLOBAL);
        return new OptionSet(Set.copyOf(flags), List.copyOf(folders), privateCopy, isolation, sha256);
    }

    /** {@return how the loader is to load the library, in the backend's terms} */
    LoadFlags loadFlags() {
        return new LoadFlags(flags.contains(LoadOption.Flag.LAZY), flags.contains(LoadOption.Flag.GLOBAL),
                flags.contains(LoadOption.Flag.NODELETE), searchPath);
    }

    /** {@return the same options for a library loaded on behalf of this one: a dependency} */
    OptionSet forDependency() {
        return new OptionSet(flags, List.of(), privateCopy, isolation, null); // a pin names one file
    }

    private static void conflict(Set<LoadOption.Flag> flags, LoadOption.Flag a, LoadOption.Flag b) {
        if (flags.contains(a) && flags.contains(b)) {
            throw new IllegalArgumentException("LoadOption." + a + " and LoadOption." + b
                    + " exclude each other; give one of them");
        }
    }
}
