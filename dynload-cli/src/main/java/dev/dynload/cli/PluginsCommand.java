package dev.dynload.cli;

import dev.dynload.plugin.Discovery;
import dev.dynload.plugin.PluginDescriptor;
import dev.dynload.plugin.PluginException;
import dev.dynload.plugin.PluginHost;
import dev.dynload.plugin.PluginManifest;
import dev.dynload.plugin.ProvidedInterface;
import dev.dynload.plugin.Requirement;
import dev.dynload.plugin.Resolution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dynload plugins DIR...}: the plugins in folders, read from their manifests; nothing is loaded. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"List the dynload plugins in folders, from their manifests, without loading any: id, "
                + "version, ABI, interfaces, dependencies, and why a plugin cannot run (ABI, host version, a "
                + "missing, wrong or unusable dependency, a cycle). Plugins are listed in start order.",
                "Exits 4 if a plugin cannot run or a file is not a usable plugin.",
                "Example: dynload plugins ./plugins"})
final class PluginsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "folders holding plugin files (*.so)")
    List<Path> folders;

    @Option(names = "--host-version", paramLabel = "VERSION", defaultValue = "1.0.0",
            description = "the host version that plugins' host ranges are checked against (default: ${DEFAULT-VALUE})")
    String hostVersion;

    @Override
    public Integer call() {
        PluginHost host = PluginHost.builder().folder(folders.toArray(new Path[0])).hostVersion(hostVersion).build();
        Discovery found = host.discover();
        Resolution plan = host.resolve(found);
        PrintWriter out = spec.commandLine().getOut();
        List<PluginDescriptor> listed = new ArrayList<>(plan.startOrder());
        for (PluginDescriptor d : found.plugins()) {
            if (!listed.contains(d) && plan.problems().containsKey(d.id())) {
                listed.add(d);
            }
        }
        for (PluginDescriptor d : listed) {
            PluginManifest m = d.manifest();
            out.println(Printable.of(m.id() + " " + m.version() + "  abi " + m.abiMin() + ".." + m.abiMax() + "  "
                    + d.file()));
            for (ProvidedInterface p : m.provides()) {
                out.println(Printable.of("  provides " + p + " (" + p.functions().size() + " function"
                        + (p.functions().size() == 1 ? "" : "s") + ")"));
            }
            for (Requirement r : m.requires()) {
                out.println(Printable.of("  requires " + r));
            }
            String why = plan.problems().get(m.id());
            if (why != null && plan.startOrder().stream().noneMatch(s -> s.id().equals(m.id()))) {
                out.println(Printable.of("  cannot run: " + why));
            }
        }
        for (String line : plan.passedOver()) {
            out.println(Printable.of("passed over: " + line));
        }
        for (PluginException e : found.problems()) {
            out.println(Printable.of("not a usable plugin: " + e.getMessage()));
        }
        int unusable = plan.problems().size();
        spec.commandLine().getErr().println(plan.startOrder().size() + " plugin" + (plan.startOrder().size() == 1 ? "" : "s")
                + " can run, " + unusable + " cannot, " + found.problems().size()
                + (found.problems().size() == 1 ? " file is not a usable plugin" : " files are not usable plugins"));
        return unusable == 0 && found.problems().isEmpty() ? ExitCode.OK.code() : ExitCode.BAD_LIBRARY.code();
    }
}
