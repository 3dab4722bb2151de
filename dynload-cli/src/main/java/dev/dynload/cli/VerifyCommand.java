package dev.dynload.cli;

import dev.dynload.internal.Printable;
import dev.dynload.format.FormatProblem;
import dev.dynload.format.NativeFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dynload verify LIB}: everything the system loader would trust that is wrong, read from the file. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a library's structure the way its platform's loader will use it, without loading it: "
                + "for ELF the program headers, dynamic section, hash, symbol, version and relocation tables and "
                + "initializers; for Mach-O the universal header, load commands, segments, symbol tables and export "
                + "trie; for PE the headers, sections, data directories, exports, imports, relocations and TLS "
                + "callbacks. A file of any platform is read, whatever this one is.",
                "Prints every problem, one per line, and exits 4 if there is any.",
                "With --sha256, also prints the file's SHA-256, as LoadOption.sha256 and a plugin lockfile pin it.",
                "Example: dynload verify ./libplugin.so",
                "Example: dynload verify --sha256 ./libplugin.so"})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LibraryArgument library;

    @picocli.CommandLine.Option(names = "--sha256",
            description = "also print the SHA-256 of the file's bytes (what LoadOption.sha256 pins)")
    boolean sha256;

    @Override
    public Integer call() throws Exception {
        Path file = library.anyPlatform();
        List<FormatProblem> problems = NativeFile.verify(file);
        PrintWriter out = spec.commandLine().getOut();
        if (sha256) {
            out.println(Printable.of(file + ": SHA-256 " + dev.dynload.internal.Hashes.sha256(file)));
        }
        if (problems.isEmpty()) {
            out.println(Printable.of(file.toString()) + ": no problems found");
            return ExitCode.OK.code();
        }
        for (FormatProblem p : problems) {
            out.println(Printable.of(file + ": " + p));
        }
        spec.commandLine().getErr().println("dynload: " + Printable.of(file.toString()) + " has " + problems.size()
                + " problem" + (problems.size() == 1 ? "" : "s") + "; the system loader must not be given it");
        return ExitCode.BAD_LIBRARY.code();
    }
}
