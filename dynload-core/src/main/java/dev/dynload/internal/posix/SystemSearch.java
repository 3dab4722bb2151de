package dev.dynload.internal.posix;

import org.jspecify.annotations.Nullable;

import dev.dynload.internal.Host;
import dev.dynload.internal.NativeLoader;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The system loader's rules for finding a library by file name, followed without the loader, so that a
 * library can be found, listed and checked without running any code: glibc's order is the requester's
 * {@code DT_RPATH} (when it has no {@code DT_RUNPATH}), {@code LD_LIBRARY_PATH}, the requester's
 * {@code DT_RUNPATH}, {@code /etc/ld.so.cache}, then the default folders. {@code $ORIGIN} in a run path
 * is the requester's folder.
 */
public final class SystemSearch {

    /** An index of libraries by file name that the loader reads between the run path and its default folders. */
    public interface Cache {
        /** {@return where the index says, in its words, such as "/etc/ld.so.cache"} */
        String name();

        /** {@return the files it lists for a file name, best first} */
        List<Path> lookup(String fileName);
    }

    private final String pathVariable;
    private final List<String> defaultFolders;
    private final @Nullable Cache cache;

    /**
     * A search.
     *
     * @param pathVariable the environment variable the loader reads ({@code LD_LIBRARY_PATH}...)
     * @param defaultFolders the loader's last folders
     * @param cache the loader's index, or null where it reads none
     */
    public SystemSearch(String pathVariable, List<String> defaultFolders, @Nullable Cache cache) {
        this.pathVariable = pathVariable;
        this.defaultFolders = defaultFolders;
        this.cache = cache;
    }

    /** The folders glibc searches last, by default: Debian's multiarch folders first where they exist. */
    public static List<String> glibcDefaults() {
        String triplet = switch (Host.arch().toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "riscv64" -> "riscv64-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            default -> null;
        };
        List<String> folders = new ArrayList<>();
        if (triplet != null) {
            folders.add("/lib/" + triplet);
            folders.add("/usr/lib/" + triplet);
        }
        folders.addAll(List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib"));
        return folders;
    }

    /**
     * Follows the search for {@code fileName}; see {@link NativeLoader#search}.
     *
     * @param fileName a file name without folder
     * @param requester the library whose dependency it is, or null
     * @return the candidates, in the loader's order
     */
    public NativeLoader.Search search(String fileName, NativeLoader.@Nullable Requester requester) {
        Set<Path> candidates = new LinkedHashSet<>();
        Set<Path> throughOrigin = new LinkedHashSet<>();
        List<String> places = new ArrayList<>();
        if (fileName.indexOf('/') >= 0) {
            return new NativeLoader.Search(List.of(), List.of(), Set.of());
        }
        if (requester != null && requester.runPath().isEmpty()) {
            folders(candidates, throughOrigin, places, "DT_RPATH", requester.rpath(), requester.origin(), fileName);
        }
        String variable = System.getenv(pathVariable);
        if (variable != null && !variable.isEmpty()) {
            folders(candidates, throughOrigin, places, pathVariable, List.of(variable.split("[:;]")), null, fileName);
        }
        if (requester != null) {
            folders(candidates, throughOrigin, places, "DT_RUNPATH", requester.runPath(), requester.origin(), fileName);
        }
        if (cache != null) {
            places.add(cache.name());
            candidates.addAll(cache.lookup(fileName));
        }
        for (String folder : defaultFolders) {
            places.add(folder);
            add(candidates, folder, fileName);
        }
        return new NativeLoader.Search(List.copyOf(candidates), places, Set.copyOf(throughOrigin));
    }

    private static void folders(Set<Path> candidates, Set<Path> throughOrigin, List<String> places, String source,
                                List<String> folders, @Nullable Path origin, String fileName) {
        for (String raw : folders) {
            String folder = expand(raw, origin);
            if (folder == null || folder.isEmpty()) {
                continue;
            }
            places.add(folder + " (" + source + ")");
            Path candidate = add(candidates, folder, fileName);
            if (candidate != null && (raw.contains("$ORIGIN") || raw.contains("${ORIGIN}"))) {
                throughOrigin.add(candidate);
            }
        }
    }

    /** A run path entry with {@code $ORIGIN} expanded; null for one with a token this does not know. */
    static @Nullable String expand(String entry, @Nullable Path origin) {
        String e = entry;
        if (e.contains("$ORIGIN") || e.contains("${ORIGIN}")) {
            if (origin == null) {
                return null;
            }
            e = e.replace("${ORIGIN}", origin.toString()).replace("$ORIGIN", origin.toString());
        }
        return e.indexOf('$') >= 0 ? null : e;
    }

    private static @Nullable Path add(Set<Path> candidates, String folder, String fileName) {
        try {
            Path f = Path.of(folder);
            Path candidate = (f.isAbsolute() ? f : f.toAbsolutePath()).resolve(fileName);
            candidates.add(candidate);
            return candidate;
        } catch (InvalidPathException ignored) {
            // A malformed entry cannot hold a library; skip it as the loader does.
            return null;
        }
    }
}
