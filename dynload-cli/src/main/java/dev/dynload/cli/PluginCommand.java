package dev.dynload.cli;

import dev.dynload.format.NativeFile;
import dev.dynload.internal.Printable;
import dev.dynload.plugin.FunctionSignature;
import dev.dynload.plugin.PluginDescriptor;
import dev.dynload.plugin.PluginException;
import dev.dynload.plugin.PluginManifest;
import dev.dynload.plugin.ProvidedInterface;
import dev.dynload.plugin.Requirement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dynload plugin FILE}: one plugin's manifest in full, read from the file; nothing is loaded. */
@Command(name = "plugin", mixinStandardHelpOptions = true,
        description = {"Show a dynload plugin's manifest in full, read from the file without loading it: id, "
                + "version, ABI and host versions, description, license, each interface with its functions' C "
                + "signatures, and the plugins it requires.",
                "Exits 3 if the file cannot be read, 4 if it is not a plugin or its manifest is damaged.",
                "Example: dynload plugin ./plugins/libgreeter.so"})
final class PluginCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the plugin's library: ELF, Mach-O or PE, whatever this platform is")
    Path file;

    @Override
    public Integer call() {
        PluginDescriptor d;
        try {
            d = PluginDescriptor.read(file);
        } catch (PluginException e) {
            spec.commandLine().getErr().println("dynload: " + Printable.of(e.getMessage()));
            return e.reason() == PluginException.Reason.UNREADABLE ? ExitCode.NOT_FOUND.code() : ExitCode.BAD_LIBRARY.code();
        }
        PluginManifest m = d.manifest();
        PrintWriter out = spec.commandLine().getOut();
        out.println(Printable.of("file: " + d.file()));
        try {
            NativeFile image = NativeFile.read(file);
            out.println(Printable.of("format: " + image.describe() + " (" + image.classifier() + ")"));
        } catch (IOException e) {
            // The manifest was read from it, so it is a native file; a second read that fails says nothing new.
        }
        out.println(Printable.of("id: " + m.id()));
        out.println(Printable.of("version: " + m.version()));
        out.println("abi: " + m.abiMin() + ".." + m.abiMax());
        out.println(Printable.of("host: " + m.host().map(Object::toString).orElse("any")));
        if (!m.description().isEmpty()) {
            out.println(Printable.of("description: " + m.description()));
        }
        if (!m.license().isEmpty()) {
            out.println(Printable.of("license: " + m.license()));
        }
        for (ProvidedInterface p : m.provides()) {
            out.println(Printable.of("provides " + p));
            for (FunctionSignature f : p.functions()) {
                out.println(Printable.of("  " + f));
            }
        }
        for (Requirement r : m.requires()) {
            out.println(Printable.of("requires " + r));
        }
        for (Map.Entry<String, String> e : m.other().entrySet()) {
            out.println(Printable.of("unknown key (ignored): " + e.getKey() + " = " + e.getValue()));
        }
        return ExitCode.OK.code();
    }
}
