package dev.dynload;

import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfProblem;
import dev.dynload.elf.ElfSymbol;
import dev.dynload.internal.NativeLoader;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What loading a library would do, found by reading files only: the file a name leads to, what is
 * wrong in it, every library the loader would load with it and where each is found, and whether the
 * loader would accept it with immediate binding. Nothing is loaded and no library code runs, so it is
 * safe on files nobody vouches for; {@code dynload info} prints it.
 *
 * {@snippet lang=sh :
 * $ ldd ./libplugin.so        # runs the loader on the file
 * }
 * {@snippet :
 * LoadPlan plan = LoadPlan.of(Path.of("libplugin.so"));
 * plan.dependencies();   // [Dependency[name=libc.so.6, file=Optional[/lib/x86_64-linux-gnu/libc.so.6], ...]]
 * plan.refusal();        // Optional[needs libfoo.so, which the loader cannot find (searched: ...)]
 * }
 *
 * <h2>Platform-specific behaviour</h2>
 * Dependencies are found by the system loader's rules, followed without the loader: on Linux the
 * requester's {@code DT_RPATH}, {@code LD_LIBRARY_PATH}, its {@code DT_RUNPATH} (with {@code $ORIGIN}),
 * {@code /etc/ld.so.cache}, then the default folders; a file of another CPU or word size is passed over.
 * Initializers are not run, so a library that fails in them is not caught here;
 * {@link LoadOption#isolated} is the way to find that out safely.
 */
public final class LoadPlan {

    /**
     * A library the loader would load along with the one planned.
     *
     * @param name the name it is asked for by ({@code DT_NEEDED})
     * @param neededBy the file name of the library that asks for it
     * @param file where the loader would find it; empty when it finds none
     * @param problem what is wrong with it, empty when nothing is
     */
    public record Dependency(String name, String neededBy, Optional<Path> file, Optional<String> problem) {
        /** Checks that no part is null. */
        public Dependency {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(neededBy, "neededBy");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(problem, "problem");
        }
    }

    private final Path file;
    private final ElfFile elf;
    private final List<ElfProblem> problems;
    private final List<Dependency> dependencies;
    private final String refusal;

    private LoadPlan(Path file, ElfFile elf, List<ElfProblem> problems, List<Dependency> dependencies, String refusal) {
        this.file = file;
        this.elf = elf;
        this.problems = List.copyOf(problems);
        this.dependencies = List.copyOf(dependencies);
        this.refusal = refusal;
    }

    /**
     * Plans the load of a file.
     *
     * @param file the library file
     * @param options the options a load would be given ({@link LoadOption#LAZY} makes undefined functions
     *                no reason to refuse)
     * @return the plan
     * @throws LibraryLoadException if the file is not there or is not an ELF shared library for this CPU,
     *                              as {@link Library#open(Path, LoadOption...)} would say
     */
    public static LoadPlan of(Path file, LoadOption... options) {
        Objects.requireNonNull(file, "file");
        Loading loading = new Loading(NativeLoader.current(), OptionSet.of(options));
        return plan(loading.checkFile(file.toString(), file), OptionSet.of(options));
    }

    /**
     * Plans the load of a library by name: finds the file {@link Library#open(String, LoadOption...)}
     * would load, the same way, without loading it.
     *
     * @param name a bare name ({@code "z"}), a file name ({@code "libz.so.1"}) or a path
     * @param options the options a load would be given, {@link LoadOption#searchPath} among them
     * @return the plan
     * @throws LibraryLoadException if no file is found, or the one found is not a shared library for this CPU
     */
    public static LoadPlan of(String name, LoadOption... options) {
        Objects.requireNonNull(name, "name");
        Loading loading = new Loading(NativeLoader.current(), OptionSet.of(options));
        return plan(loading.locateName(name), OptionSet.of(options));
    }

    /**
     * The file {@link Library#open(String, LoadOption...)} would load for a name, found the same way and
     * checked as it would be before loading (it exists, is a shared library, and is for this CPU), without
     * the rest of a plan: for tools that only read the file.
     *
     * @param name a bare name, a file name or a path
     * @param options the options a load would be given, {@link LoadOption#searchPath} among them
     * @return the file
     * @throws LibraryLoadException if no file is found, or the one found is not a shared library for this CPU
     */
    public static Path locate(String name, LoadOption... options) {
        Objects.requireNonNull(name, "name");
        return new Loading(NativeLoader.current(), OptionSet.of(options)).locateName(name);
    }

    /** {@return the file a load would load} */
    public Path file() {
        return file;
    }

    /** {@return what the file says about itself} */
    public ElfFile elf() {
        return elf;
    }

    /** {@return what is wrong in the file itself, as {@link ElfFile#verify} finds it; empty when nothing is} */
    public List<ElfProblem> problems() {
        return problems;
    }

    /**
     * {@return every library the loader would load with this one, breadth first as the loader loads them,
     * each name once; a name it cannot find is listed with an empty file}
     */
    public List<Dependency> dependencies() {
        return dependencies;
    }

    /** {@return why the loader would refuse the library, in words; empty when it would load it} */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** {@return whether the loader would load the library; its initializers could still fail} */
    public boolean loads() {
        return refusal == null;
    }

    @Override
    public String toString() {
        return "LoadPlan[" + file + ", " + dependencies.size() + " dependencies, "
                + (refusal == null ? "loads" : "refused: " + refusal) + "]";
    }

    private static LoadPlan plan(Path file, OptionSet options) {
        ElfFile elf;
        List<ElfProblem> problems;
        try {
            elf = ElfFile.read(file);
            problems = ElfFile.verify(file);
        } catch (IOException e) {
            throw new LibraryLoadException(LibraryLoadException.Reason.DAMAGED, file.toString(), file,
                    "is a damaged ELF file: " + e.getMessage(), "build or copy it again", null, List.of());
        }
        NativeLoader loader = NativeLoader.current();
        List<Dependency> dependencies = new ArrayList<>();
        List<ElfFile> loaded = new ArrayList<>(List.of(elf));
        Set<String> known = new HashSet<>();
        elf.soname().ifPresent(known::add);
        Deque<ElfFile> queue = new ArrayDeque<>(List.of(elf));
        while (!queue.isEmpty()) {
            ElfFile requester = queue.poll();
            String by = requester.file().getFileName().toString();
            for (String needed : requester.needed()) {
                if (!known.add(needed)) {
                    continue;
                }
                if (needed.isEmpty()) {
                    dependencies.add(new Dependency(needed, by, Optional.empty(), Optional.of("an empty DT_NEEDED entry")));
                    continue;
                }
                Optional<Path> found = find(loader, needed, requester);
                Optional<String> problem = Optional.empty();
                if (found.isPresent()) {
                    try {
                        ElfFile dependency = ElfFile.read(found.get());
                        dependency.soname().ifPresent(known::add);
                        loaded.add(dependency);
                        queue.add(dependency);
                    } catch (IOException e) {
                        problem = Optional.of("is damaged: " + e.getMessage());
                    }
                }
                dependencies.add(new Dependency(needed, by, found, problem));
            }
        }
        return new LoadPlan(file, elf, problems, dependencies, refusal(elf, problems, dependencies, loaded, options));
    }

    /** The file the loader would take for {@code needed}, asked for by {@code requester}. */
    private static Optional<Path> find(NativeLoader loader, String needed, ElfFile requester) {
        if (needed.indexOf('/') >= 0) {
            try {
                Path p = Path.of(needed);
                return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
            } catch (InvalidPathException e) {
                return Optional.empty();
            }
        }
        for (Path candidate : loader.search(needed, Loading.requester(requester.file(), requester.runPath(), requester.runPathIsRpath())).candidates()) {
            if (Files.isRegularFile(candidate) && Diagnosis.runsHere(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String refusal(ElfFile elf, List<ElfProblem> problems, List<Dependency> dependencies,
                                  List<ElfFile> loaded, OptionSet options) {
        if (!problems.isEmpty()) {
            return "is damaged: " + problems.get(0);
        }
        for (Dependency d : dependencies) {
            if (d.file().isEmpty()) {
                return "needs " + (d.name().isEmpty() ? "a library with an empty name" : d.name())
                        + (d.neededBy().equals(elf.file().getFileName().toString()) ? "" : " (through " + d.neededBy() + ")")
                        + ", which the loader cannot find";
            }
            if (d.problem().isPresent()) {
                return "needs " + d.name() + ", which " + d.problem().get();
            }
        }
        for (ElfFile requester : loaded) {
            for (Map.Entry<String, List<String>> need : requester.requiredVersions().entrySet()) {
                ElfFile definer = byName(loaded, need.getKey());
                if (definer == null || definer.definedVersions().isEmpty()) {
                    continue; // the loader accepts a library without version definitions, with a warning
                }
                for (String version : need.getValue()) {
                    if (!definer.definedVersions().contains(version)) {
                        return requester.file().getFileName() + " needs version " + version + " of " + need.getKey()
                                + ", which " + definer.file() + " does not define (it was built against a newer one)";
                    }
                }
            }
        }
        if (options.flags().contains(LoadOption.Flag.LAZY)) {
            return null;
        }
        Set<String> defined = new HashSet<>();
        for (ElfFile f : loaded) {
            for (ElfSymbol s : f.symbols()) {
                defined.add(s.name());
            }
        }
        for (ElfSymbol s : elf.imports()) {
            if (!s.weak() && !defined.contains(s.name()) && !inProcess(s.name())) {
                return "uses the symbol " + s.name() + ", which neither it nor its dependencies define";
            }
        }
        return null;
    }

    private static ElfFile byName(List<ElfFile> loaded, String name) {
        for (ElfFile f : loaded) {
            if (f.soname().filter(name::equals).isPresent() || f.file().getFileName().toString().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** Whether the running process's global scope defines {@code name}: the JVM, and libraries opened GLOBAL. */
    private static boolean inProcess(String name) {
        try (Library self = Library.process()) {
            Optional<MemorySegment> found = self.find(name);
            return found.isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
