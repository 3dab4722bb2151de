package dev.dynload.internal;

/**
 * How a library is to be loaded, in the loader's terms: each backend turns these into its own flag values
 * ({@code RTLD_LAZY}..., or nothing on Windows, whose loader binds as it goes).
 *
 * @param lazy bind functions on their first call, not all at once
 * @param global make its symbols visible to libraries loaded later
 * @param noDelete never unload it, whatever closes it
 * @param dependencyFolders folders the caller searches first ({@code LoadOption.searchPath}), which a
 *                          loader that can be told of them (Windows's {@code AddDllDirectory}) searches
 *                          for the library's dependencies too; {@code dlopen} cannot be told
 */
public record LoadFlags(boolean lazy, boolean global, boolean noDelete, java.util.List<java.nio.file.Path> dependencyFolders) {

    /** Copies the folders. */
    public LoadFlags {
        dependencyFolders = java.util.List.copyOf(dependencyFolders);
    }
}
