package dev.dynload.cli;

import dev.dynload.internal.Printable;
import dev.dynload.LoadPlan;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfProblem;
import dev.dynload.elf.ElfSymbol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dynload info LIB}: format, CPU, soname, what it needs and where the loader would find each, and
 * whether the loader would load it; read from the files, without loading anything.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show a library's file, word size, CPU, soname, the libraries it needs and where the loader "
                + "would find each, what is wrong in it, and whether it loads. The files are only read: no library "
                + "code runs.", "Example: dynload info libz.so.1"})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LibraryArgument library;

    @Override
    public Integer call() {
        LoadPlan plan = library.plan();
        ElfFile elf = plan.elf();
        PrintWriter out = spec.commandLine().getOut();
        out.println("file:      " + Printable.of(plan.file().toString()));
        out.println("format:    ELF " + elf.header().wordSize() + "-bit, " + elf.header().byteOrder().toString()
                .toLowerCase(Locale.ROOT).replace("_endian", "-endian") + ", "
                + elf.header().type().toString().toLowerCase(Locale.ROOT).replace('_', ' '));
        out.println("cpu:       " + elf.header().machineName());
        out.println("soname:    " + elf.soname().map(Printable::of).orElse("(none)"));
        if (!elf.runPath().isEmpty()) {
            out.println((elf.runPathIsRpath() ? "rpath:     " : "runpath:   ") + Printable.of(String.join(":", elf.runPath())));
        }
        long functions = elf.symbols().stream().filter(s -> s.kind() == ElfSymbol.Kind.FUNCTION).count();
        out.println("exports:   " + functions + " functions, " + (elf.symbols().size() - functions) + " other");
        out.println(plan.dependencies().isEmpty() ? "needs:     (nothing)" : "needs:");
        int width = plan.dependencies().stream().mapToInt(d -> Printable.of(d.name()).length()).max().orElse(0);
        String self = plan.file().getFileName().toString();
        for (LoadPlan.Dependency d : plan.dependencies()) {
            String name = d.name().isEmpty() ? "(an empty name)" : Printable.of(d.name());
            String where = d.file().map(p -> "=> " + Printable.of(p.toString())).orElse("NOT FOUND");
            String via = d.neededBy().equals(self) ? "" : "  (needed by " + Printable.of(d.neededBy()) + ")";
            String problem = d.problem().map(p -> "  " + Printable.of(p)).orElse("");
            out.printf("  %-" + Math.max(width, 1) + "s  %s%s%s%n", name, where, via, problem);
        }
        if (!plan.problems().isEmpty()) {
            out.println("problems:");
            for (ElfProblem p : plan.problems()) {
                out.println("  " + Printable.of(p.toString()));
            }
        }
        out.println("loads:     " + plan.refusal().map(r -> "no: " + Printable.of(r))
                .orElse("yes (found by reading the files; its initializers were not run)"));
        return ExitCode.OK.code();
    }
}
