package dev.dynload.internal.windows;

import dev.dynload.format.NativeFile;
import dev.dynload.format.NativeSymbol;
import dev.dynload.internal.Conventions;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Windows: PE files named {@code NAME.dll} (no prefix, no version in the name), exports read with
 * {@link NativeFile}, {@code PATH} as the folders a program's DLLs are commonly in, caches under
 * {@code %LOCALAPPDATA%}. The loader's messages are the system's ({@code FormatMessageW}), which name no
 * module or function, so nothing is read out of them.
 */
public record WindowsConventions() implements Conventions {

    @Override
    public List<Path> candidates(Path folder, String fileName) {
        return Conventions.exact(folder, fileName);
    }

    @Override
    public Optional<String> missingDependency(String loaderMessage) {
        return Optional.empty();
    }

    @Override
    public Optional<String> undefinedSymbol(String loaderMessage) {
        return Optional.empty();
    }

    @Override
    public List<String> exports(Path file) {
        try {
            List<String> names = new ArrayList<>();
            for (NativeSymbol s : NativeFile.read(file).exports()) {
                names.add(s.name());
            }
            return names;
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public List<Path> systemFolders(String pathVariable, List<String> defaults) {
        Set<Path> folders = new LinkedHashSet<>();
        String value = System.getenv(pathVariable);
        if (value != null) {
            for (String entry : value.split(";")) {
                try {
                    if (!entry.isBlank()) {
                        folders.add(Path.of(entry.strip()));
                    }
                } catch (InvalidPathException ignored) {
                    // An entry that is no path holds no DLL.
                }
            }
        }
        for (String d : defaults) {
            folders.add(Path.of(d));
        }
        return List.copyOf(folders);
    }

    @Override
    public Path cacheFolder(String home) {
        String local = System.getenv("LOCALAPPDATA");
        return local != null && !local.isBlank() ? Path.of(local, "dynload").toAbsolutePath()
                : Path.of(home, "AppData", "Local", "dynload").toAbsolutePath();
    }
}
