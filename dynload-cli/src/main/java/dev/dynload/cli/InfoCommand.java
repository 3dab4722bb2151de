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

import dev.dynload.OperatingSystem;
import dev.dynload.format.Cpu;
import dev.dynload.format.FormatProblem;
import dev.dynload.format.NativeFile;
import dev.dynload.format.NativeSymbol;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dynload info LIB}: format, CPU, soname, what it needs and where the loader would find each, and
 * whether the loader would load it; read from the files, without loading anything.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show a library's file, word size, CPU, soname, the libraries it needs and where the loader "
                + "would find each, what is wrong in it, and whether it loads. The files are only read: no library "
                + "code runs.", "A file for another platform (a Mach-O dylib, a PE DLL) or CPU is described from the "
                + "file, without a search for its dependencies.", "Example: dynload info libz.so.1"})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LibraryArgument library;

    @Override
    public Integer call() throws IOException {
        Path file = library.anyPlatform();
        List<NativeFile> images = NativeFile.readAll(file);
        NativeFile image = NativeFile.read(file);
        OperatingSystem os = OperatingSystem.current();
        boolean here = image.format() == os.binaryFormat() && image.cpu() == Cpu.current()
                && image.wordSize() == (int) java.lang.foreign.ValueLayout.ADDRESS.byteSize() * 8
                && image.byteOrder() == java.nio.ByteOrder.nativeOrder();
        if (!here) {
            return foreign(file, images, image);
        }
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

    /**
     * A file for another platform or CPU: what it is and needs, read from the file; where its loader would
     * find each dependency is that platform's business, so it is not searched for here.
     */
    private Integer foreign(Path file, List<NativeFile> images, NativeFile image) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.println("file:      " + Printable.of(file.toString()));
        out.println("format:    " + image.describe() + (images.size() > 1 ? " (universal: " + images.size()
                + " architectures, " + String.join(", ", images.stream().map(NativeFile::architecture).toList())
                + "; this is " + image.architecture() + ")" : ""));
        out.println("platform:  " + image.classifier());
        out.println("name:      " + image.name().map(Printable::of).orElse("(none)"));
        if (!image.searchPath().isEmpty()) {
            out.println("search:    " + Printable.of(String.join(":", image.searchPath())));
        }
        long functions = image.exports().stream().filter(s -> s.kind() == NativeSymbol.Kind.FUNCTION).count();
        out.println("exports:   " + functions + " functions, " + (image.exports().size() - functions) + " other");
        out.println(image.needed().isEmpty() ? "needs:     (nothing)" : "needs:");
        for (String needed : image.needed()) {
            out.println("  " + (needed.isEmpty() ? "(an empty name)" : Printable.of(needed)));
        }
        List<FormatProblem> problems = NativeFile.verify(file);
        if (!problems.isEmpty()) {
            out.println("problems:");
            for (FormatProblem p : problems) {
                out.println("  " + Printable.of(p.toString()));
            }
        }
        String host = OperatingSystem.current().binaryFormat().displayName() + " for "
                + Cpu.current().displayName();
        out.println("loads:     no: it is a " + image.describe() + " for " + image.classifier() + ", and this JVM's "
                + "loader takes " + host + " (its dependencies were not searched for)");
        return ExitCode.OK.code();
    }
}
