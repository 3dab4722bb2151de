package dev.dynload.cli;

import dev.dynload.internal.Printable;
import dev.dynload.format.NativeFile;
import dev.dynload.format.NativeSymbol;
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
        NativeFile file = NativeFile.read(library.anyPlatform());
        List<NativeSymbol> symbols = file.exports().stream()
                .filter(s -> !functionsOnly || s.kind() == NativeSymbol.Kind.FUNCTION)
                .filter(s -> !dataOnly || s.kind() == NativeSymbol.Kind.DATA || s.kind() == NativeSymbol.Kind.THREAD_LOCAL)
                .sorted(Comparator.comparing(NativeSymbol::name))
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        for (NativeSymbol s : symbols) {
            out.printf("%-8s %s%s%n", kindName(s.kind()), Printable.of(s.name()),
                    s.library() == null ? "" : Printable.of("  (from " + s.library() + ")"));
        }
        return ExitCode.OK.code();
    }

    static String kindName(NativeSymbol.Kind kind) {
        return switch (kind) {
            case FUNCTION -> "function";
            case DATA -> "data";
            case THREAD_LOCAL -> "tls";
            case UNTYPED -> "untyped";
        };
    }
}
