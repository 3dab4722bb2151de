package dev.dynload.cli;

import dev.dynload.Library;
import dev.dynload.LibraryLoadException;
import dev.dynload.LoadOption;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfSymbol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code dynload info LIB}: format, CPU, soname, and whether each needed library resolves. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show a library's file, word size, CPU, soname, the libraries it needs and where each "
                + "resolves, and whether it loads.", "Example: dynload info libz.so.1"})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LibraryArgument library;

    @Override
    public Integer call() throws Exception {
        Path file = library.locate();
        ElfFile elf = ElfFile.read(file);
        PrintWriter out = spec.commandLine().getOut();
        out.println("file:      " + file.toAbsolutePath());
        out.println("format:    ELF " + elf.header().wordSize() + "-bit, " + elf.header().byteOrder().toString()
                .toLowerCase(java.util.Locale.ROOT).replace("_endian", "-endian") + ", "
                + elf.header().type().toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        out.println("cpu:       " + elf.header().machineName());
        out.println("soname:    " + elf.soname().orElse("(none)"));
        if (!elf.runPath().isEmpty()) {
            out.println("runpath:   " + String.join(":", elf.runPath()));
        }
        long functions = elf.symbols().stream().filter(s -> s.kind() == ElfSymbol.Kind.FUNCTION).count();
        out.println("exports:   " + functions + " functions, " + (elf.symbols().size() - functions) + " data");
        out.println(elf.needed().isEmpty() ? "needs:     (nothing)" : "needs:");
        int width = elf.needed().stream().mapToInt(String::length).max().orElse(0);
        for (String needed : elf.needed()) {
            out.printf("  %-" + width + "s  %s%n", needed, resolve(needed, elf, file).map(p -> "=> " + p)
                    .orElse("NOT FOUND"));
        }
        out.println("loads:     " + loads(file));
        return ExitCode.OK.code();
    }

    /** Where the loader would find a needed library: the RUNPATH first, then the usual search. */
    private Optional<Path> resolve(String needed, ElfFile elf, Path file) {
        Path origin = file.toAbsolutePath().getParent();
        for (String dir : elf.runPath()) {
            Path candidate = Path.of(dir.replace("$ORIGIN", origin.toString()).replace("${ORIGIN}", origin.toString()))
                    .resolve(needed);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        try (Library dependency = library.open(needed, LoadOption.LAZY)) {
            return dependency.path();
        } catch (LibraryLoadException e) {
            return Optional.empty();
        }
    }

    private String loads(Path file) {
        try {
            Library.open(file, LoadOption.LAZY).close();
            return "yes";
        } catch (LibraryLoadException e) {
            return "no: " + e.detail() + "; " + e.hint();
        }
    }
}
