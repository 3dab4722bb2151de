package dev.dynload.cli;

import dev.dynload.internal.Printable;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfSymbol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dynload symbols LIB}: what a library exports, read from the file; nothing is loaded. */
@Command(name = "symbols", mixinStandardHelpOptions = true,
        description = {"List the functions and data a library exports, one per line: kind, then name. "
                + "The file is only read: none of its code runs.",
                "Example: dynload symbols libz.so.1 --functions"})
final class SymbolsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LibraryArgument library;

    @Option(names = {"-f", "--functions"}, description = "Only functions.")
    boolean functionsOnly;

    @Option(names = {"-d", "--data"}, description = "Only data (variables and thread-locals).")
    boolean dataOnly;

    @Override
    public Integer call() throws Exception {
        if (functionsOnly && dataOnly) {
            throw new IllegalArgumentException("--functions and --data exclude each other; give one or neither");
        }
        ElfFile elf = ElfFile.read(library.locate());
        List<ElfSymbol> symbols = elf.symbols().stream()
                .filter(s -> !functionsOnly || s.kind() == ElfSymbol.Kind.FUNCTION)
                .filter(s -> !dataOnly || s.kind() == ElfSymbol.Kind.DATA || s.kind() == ElfSymbol.Kind.THREAD_LOCAL)
                .sorted(Comparator.comparing(ElfSymbol::name))
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        for (ElfSymbol s : symbols) {
            out.printf("%-8s %s%n", kindName(s), Printable.of(s.name()));
        }
        return ExitCode.OK.code();
    }

    static String kindName(ElfSymbol s) {
        return switch (s.kind()) {
            case FUNCTION -> "function";
            case DATA -> "data";
            case THREAD_LOCAL -> "tls";
            case UNTYPED -> "untyped";
        };
    }
}
