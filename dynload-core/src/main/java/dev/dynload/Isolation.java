package dev.dynload;

import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/** {@link LoadOption#isolated}: a library is loaded in a child process first, and here only if that went well. */
final class Isolation {

    private Isolation() {
    }

    /** Tries the load in a child when the options ask for it; throws when the child did not come through. */
    static void check(NativeLoader loader, OptionSet options, Diagnosis diagnosis, OpenFile open, List<String> runPath) {
        NativeLoader.Trial trial = loader.tryInChild(open, !options.flags().contains(LoadOption.Flag.LAZY),
                options.isolation(), originFolders(open.file(), runPath));
        String what = switch (trial.outcome()) {
            case LOADED, REFUSED -> null; // a refusal is the loader's, without harm: the load here explains it
            case EXITED -> "ended the child process that loaded it with exit status " + trial.status()
                    + " (its initializers, or the loader, called exit)";
            case SIGNALLED -> "killed the child process that loaded it with signal " + signalName(trial.status())
                    + " (" + trial.status() + ")";
            case TIMED_OUT -> "did not finish loading in a child process: timed out after "
                    + seconds(options.isolation()) + " and killed (an initializer that blocks or loops?)";
        };
        if (what == null) {
            return;
        }
        String output = trial.output().isEmpty() ? null : "child output: " + firstLines(trial.output());
        throw diagnosis.failedInIsolation(what, output);
    }

    /**
     * The entries of a library's run path that name {@code $ORIGIN}, expanded from its folder: what a process
     * that loads it through {@code /proc/self/fd} (where {@code $ORIGIN} would be {@code /proc/self/fd})
     * needs on its {@code LD_LIBRARY_PATH} to find the same dependencies.
     */
    static List<Path> originFolders(Path file, List<String> runPath) {
        List<Path> folders = new ArrayList<>();
        String origin = String.valueOf(file.toAbsolutePath().getParent());
        for (String entry : runPath) {
            if (entry.contains("$ORIGIN") || entry.contains("${ORIGIN}")) {
                folders.add(Path.of(entry.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)));
            }
        }
        return folders;
    }

    private static String seconds(java.time.Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static String firstLines(String text) {
        String[] lines = text.split("\n", 4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(lines.length, 3); i++) {
            if (i > 0) {
                b.append(" | ");
            }
            b.append(lines[i].strip());
        }
        return b.length() > 500 ? b.substring(0, 500) + "..." : b.toString();
    }

    static String signalName(int signal) {
        return switch (signal) {
            case 4 -> "SIGILL";
            case 5 -> "SIGTRAP";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 15 -> "SIGTERM";
            case 31 -> "SIGSYS";
            default -> "signal " + signal;
        };
    }

    /** A file opened once and checked as {@link Library#open} checks it, for a runner to be handed. */
    record Checked(OpenFile open, Diagnosis diagnosis, List<Path> originFolders) {
        static Checked of(NativeLoader loader, Path file) {
            Diagnosis diagnosis = new Diagnosis(file.toString(), file, List.of());
            return checked(open(loader, file, diagnosis), diagnosis, file);
        }

        /**
         * {@code file}, read once into a sealed memory file, then checked as a file: whatever is hashed and
         * checked from the copy is what the runner loads, even if the file is written over meanwhile.
         */
        static Checked sealed(NativeLoader loader, Path file) {
            Diagnosis diagnosis = new Diagnosis(file.toString(), file, List.of());
            try (OpenFile open = open(loader, file, diagnosis)) {
                refuseBeforeLoading(open, diagnosis); // a FIFO or a device swapped in is never read: no hang
                return checked(Loading.privateCopy(loader, open, diagnosis), diagnosis, file);
            }
        }

        private static OpenFile open(NativeLoader loader, Path file, Diagnosis diagnosis) {
            try {
                return loader.openFile(file);
            } catch (IOException e) {
                throw diagnosis.cannotOpen(e);
            }
        }

        /** Refuses, as a load would before the loader sees it, a file that is not a regular one, or empty. */
        private static void refuseBeforeLoading(OpenFile open, Diagnosis diagnosis) {
            diagnosis.readThrough(open.readable());
            Optional<LibraryLoadException> refused = diagnosis.beforeLoading(open);
            if (refused.isPresent()) {
                throw refused.get();
            }
        }

        /**
         * The library of bundle {@code bundle} in {@code resources}' jars, read into a sealed memory file and
         * checked against the bundle's SHA-256 as {@code Library.openBundled} reads it; then checked as a file.
         */
        static Checked ofBundle(NativeLoader loader, String bundle, @Nullable ClassLoader resources) {
            OpenFile open = Bundles.inMemory(bundle, new BundleResources.OfLoader(
                    resources != null ? resources : Isolation.class.getClassLoader()), loader);
            String name = "bundle " + bundle;
            return checked(open, new Diagnosis(name, open.file(), List.of()), null);
        }

        /** Checks {@code open} as a load would; {@code file} is the path whose folder $ORIGIN names, or null. */
        private static Checked checked(OpenFile open, Diagnosis diagnosis, @Nullable Path file) {
            try {
                refuseBeforeLoading(open, diagnosis);
                Optional<LibraryLoadException> notElf = diagnosis.notElf();
                if (notElf.isPresent()) {
                    throw notElf.get();
                }
                Optional<dev.dynload.elf.ElfCheck> elf = diagnosis.structure(); // throws for a damaged file
                return new Checked(open, diagnosis, file == null ? List.of() : Isolation.originFolders(file,
                        elf.isPresent() ? elf.get().runPath() : List.of()));
            } catch (RuntimeException | Error e) {
                open.close();
                throw e;
            }
        }
    }
}
