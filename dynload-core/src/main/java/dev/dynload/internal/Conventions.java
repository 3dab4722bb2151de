package dev.dynload.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What one platform's loader and library files are like, beyond loading itself: which files stand for
 * a library name in a folder, what the loader's error messages say, how a file lists its exports (for
 * "did you mean" suggestions), and where the system keeps libraries. The backend carries its
 * conventions ({@link NativeLoader#conventions()}), and both are chosen together, in one place
 * ({@code NativeLoader.Holder}): code outside the backend asks them instead of testing the platform, so
 * that another platform is new files and one line there.
 */
public interface Conventions {

    /**
     * The files in {@code folder} that stand for {@code fileName}, best first: the exact file, then what
     * the platform's naming allows (on Linux, versioned files such as {@code libz.so.1} for
     * {@code libz.so}).
     */
    List<Path> candidates(Path folder, String fileName);

    /** {@return the dependency the loader could not find, if its message names one} */
    Optional<String> missingDependency(String loaderMessage);

    /** {@return the symbol the loader could not resolve, if its message names one} */
    Optional<String> undefinedSymbol(String loaderMessage);

    /** {@return the names a library file exports, to suggest the closest; empty when the file cannot tell} */
    List<String> exports(Path file);

    /**
     * The folders the system loader searches by default, in its order: the environment's path variable,
     * the system's configuration, then its built-in folders.
     *
     * @param pathVariable the environment variable the loader reads ({@code LD_LIBRARY_PATH}...)
     * @param defaults the loader's built-in folders
     */
    List<Path> systemFolders(String pathVariable, List<String> defaults);

    /**
     * The folder for a user's cache of libraries unpacked from jars, when no property or environment
     * variable names one: {@code ~/.cache/dynload} (or under {@code XDG_CACHE_HOME}) on Linux,
     * {@code ~/Library/Caches/dynload} on macOS, {@code %LOCALAPPDATA%\dynload} on Windows.
     *
     * @param home the user's home folder
     * @return the folder, absolute
     */
    java.nio.file.Path cacheFolder(String home);

    /** {@return the exact file, if the folder has it: the candidates where names carry no versions} */
    static List<Path> exact(Path folder, String fileName) {
        Path exact = folder.resolve(fileName);
        return java.nio.file.Files.exists(exact) ? List.of(exact) : List.of();
    }

    /** {@return the first group of {@code pattern} in a loader message, if it matches} */
    static Optional<String> group(java.util.regex.Pattern pattern, String loaderMessage) {
        java.util.regex.Matcher m = pattern.matcher(loaderMessage);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
