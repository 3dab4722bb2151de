package dev.dynload.cli;

import dev.dynload.OperatingSystem;
import dev.dynload.format.NativeFile;
import dev.dynload.internal.Printable;
import dev.dynload.plugin.Discovery;
import dev.dynload.plugin.Isolation;
import dev.dynload.plugin.PluginDescriptor;
import dev.dynload.plugin.PluginException;
import dev.dynload.plugin.PluginHost;
import dev.dynload.plugin.PluginManifest;
import dev.dynload.plugin.ProvidedInterface;
import dev.dynload.plugin.QuarantinedPlugin;
import dev.dynload.plugin.Requirement;
import dev.dynload.plugin.Resolution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dynload plugins DIR...}: the plugins in folders, read from their manifests; nothing is loaded. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"List the dynload plugins in folders, from their manifests, without loading any: id, "
                + "version, ABI, interfaces, dependencies, and why a plugin cannot run (ABI, host version, a "
                + "missing, wrong or unusable dependency, a cycle). Plugins are listed in start order.",
                "Of several files with one plugin id, the newest version this host can run is used; the others "
                        + "are listed as passed over. Subfolders are not scanned.",
                "Plugin files of another platform (*.dylib, *.bundle, *.dll on Linux) are listed from their manifests "
                        + "too, and not resolved.",
                "Exits 3 if a folder cannot be scanned or no folder holds a plugin file of any platform, 4 if a "
                        + "plugin cannot run or a file is not a usable plugin.",
                "With --isolate, each plugin's line says where a host so configured runs it; with --quarantine, a "
                        + "plugin whose file's SHA-256 the host's quarantine file lists is shown quarantined, with why, "
                        + "and cannot run.",
                "With --lock FILE, writes a lockfile pinning each plugin found by its file's SHA-256 instead of "
                        + "listing; with --check FILE, lists how the plugins found differ from it and exits 4 if they do.",
                "Example: dynload plugins ./plugins",
                "Example: dynload plugins --lock plugins.lock ./plugins",
                "Example: dynload plugins --isolate com.example.untrusted --quarantine quarantine.tsv ./plugins"})
final class PluginsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR",
            description = "folders holding plugin files (*.so on Linux; another platform's *.dylib, *.bundle and *.dll "
                    + "are listed too)")
    List<Path> folders;

    @Option(names = "--host-version", paramLabel = "VERSION", defaultValue = "1.0.0",
            description = "the host version that plugins' host ranges are checked against (default: ${DEFAULT-VALUE})")
    String hostVersion;

    @Option(names = "--isolate", paramLabel = "ID[=GROUP]",
            description = "run plugin ID out of process: in a process of its own, or in the named group's (repeatable)")
    List<String> isolate = new ArrayList<>();

    @Option(names = "--quarantine", paramLabel = "FILE",
            description = "the host's quarantine file (PluginHost.Builder.quarantine): plugins whose files it lists "
                    + "are shown quarantined")
    Path quarantine;

    @Option(names = "--lock", paramLabel = "FILE",
            description = "write a lockfile pinning the plugins found by their files' SHA-256 "
                    + "(PluginHost.Builder.lockfile runs only those bytes)")
    Path lock;

    @Option(names = "--check", paramLabel = "FILE",
            description = "compare the plugins found with a lockfile; exit 4 on any difference")
    Path check;

    private int quarantinedCount;

    /** The quarantine entry of a plugin's file, by the SHA-256 of its bytes; a bundle's is not looked up. */
    private static java.util.Optional<QuarantinedPlugin> quarantinedFile(PluginDescriptor d, List<QuarantinedPlugin> all) {
        if (all.isEmpty() || d.bundle().isPresent()) {
            return java.util.Optional.empty();
        }
        String sha;
        try {
            sha = dev.dynload.internal.Hashes.sha256(d.file());
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
        return all.stream().filter(q -> q.sha256().equals(sha)).findFirst();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (lock != null && check != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--lock and --check are alternatives: "
                    + "check, review, then lock");
        }
        PluginHost.Builder builder = PluginHost.builder().folder(folders.toArray(new Path[0])).hostVersion(hostVersion);
        java.util.Map<String, Isolation> isolation = new java.util.LinkedHashMap<>();
        for (String i : isolate) {
            int eq = i.indexOf('=');
            if (eq == 0 || eq == i.length() - 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--isolate takes ID or ID=GROUP, "
                        + "not '" + i + "'");
            }
            Isolation where = eq < 0 ? Isolation.process() : Isolation.group(i.substring(eq + 1));
            isolation.put(eq < 0 ? i : i.substring(0, eq), where);
            builder.isolate(eq < 0 ? i : i.substring(0, eq), where);
        }
        List<QuarantinedPlugin> quarantined = List.of();
        if (quarantine != null) {
            builder.quarantine(quarantine);
            try {
                quarantined = builder.build().quarantined();
            } catch (java.io.UncheckedIOException e) {
                err.println("dynload: " + Printable.of(e.getMessage()));
                return ExitCode.NOT_FOUND.code();
            }
        }
        PluginHost host = builder.build();
        Discovery found = host.discover();
        // A folder that cannot be scanned is the command's failure, not a plugin's: said on stderr.
        List<PluginException> files = new ArrayList<>();
        boolean badFolder = false;
        for (PluginException e : found.problems()) {
            if (folders.contains(e.file())) {
                err.println("dynload: " + Printable.of(e.getMessage()));
                badFolder = true;
            } else {
                files.add(e);
            }
        }
        Resolution plan = host.resolve(found);
        List<PluginDescriptor> listed = new ArrayList<>(plan.startOrder());
        listed.addAll(plan.cannotRun());
        if ((lock != null || check != null) && (badFolder || found.plugins().isEmpty())) {
            if (!badFolder) {
                err.println("dynload: no plugin found in " + Printable.of(folders.toString()) + "; nothing to "
                        + (lock != null ? "pin" : "check"));
            }
            return ExitCode.NOT_FOUND.code(); // never an empty lockfile from a mistyped folder
        }
        Integer pinning = pin(listed, out, err);
        if (pinning != null) {
            return pinning;
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
            if (!isolate.isEmpty()) {
                out.println(Printable.of("  runs " + (isolation.containsKey(m.id()) ? "out of process: "
                        + isolation.get(m.id()) : "in process")));
            }
            if (plan.cannotRun().contains(d)) {
                out.println(Printable.of("  cannot run: " + plan.problems().get(m.id())));
            }
            java.util.Optional<QuarantinedPlugin> q = quarantinedFile(d, quarantined);
            if (q.isPresent()) {
                out.println(Printable.of("  quarantined (SHA-256 " + q.get().sha256() + "): " + q.get().why()
                        + "; delete its line from " + quarantine + " to run it again"));
                quarantinedCount += plan.startOrder().contains(d) ? 1 : 0;
            }
        }
        for (String line : plan.passedOver()) {
            out.println(Printable.of("passed over: " + line));
        }
        for (PluginException e : files) {
            out.println(Printable.of("not a usable plugin: " + e.getMessage()));
        }
        int foreign = 0;
        int foreignUnusable = 0;
        for (Path f : otherPlatforms()) {
            String line = foreignPlugin(f);
            if (line.startsWith("for another platform: ")) {
                foreign++;
            } else {
                foreignUnusable++;
            }
            out.println(Printable.of(line));
        }
        boolean none = found.plugins().isEmpty() && files.isEmpty() && foreign == 0 && foreignUnusable == 0;
        if (none && !badFolder) {
            for (Path folder : folders) {
                err.println("dynload: " + Printable.of(folder + " holds no plugin file (" + patterns(HERE) + ")"
                        + subfolders(folder)));
            }
        }
        int unusable = plan.cannotRun().size() + quarantinedCount;
        int canRun = plan.startOrder().size() - quarantinedCount;
        err.println(canRun + " plugin" + (canRun == 1 ? "" : "s")
                + " can run, " + unusable + " cannot, " + (files.size() + foreignUnusable)
                + (files.size() + foreignUnusable == 1 ? " file is not a usable plugin" : " files are not usable plugins")
                + (plan.passedOver().isEmpty() ? "" : ", " + plan.passedOver().size() + " passed over")
                + (foreign == 0 ? "" : ", " + foreign + " for another platform"));
        if (badFolder || none) {
            return ExitCode.NOT_FOUND.code();
        }
        return unusable == 0 && files.isEmpty() && foreignUnusable == 0 ? ExitCode.OK.code() : ExitCode.BAD_LIBRARY.code();
    }

    /**
     * Writes the lockfile ({@code --lock}) or compares with it ({@code --check}); {@return the exit code when
     * that is all the command does, or null to go on and list the plugins}
     */
    private @org.jspecify.annotations.Nullable Integer pin(List<PluginDescriptor> plugins, PrintWriter out,
                                                          PrintWriter err) {
        if (lock == null && check == null) {
            return null;
        }
        try {
            dev.dynload.plugin.Lockfile now = dev.dynload.plugin.Lockfile.of(plugins);
            if (lock != null) {
                now.write(lock);
                err.println("pinned " + now.entries().size() + " plugin" + (now.entries().size() == 1 ? "" : "s")
                        + " in " + Printable.of(lock.toString()));
                return ExitCode.OK.code(); // --lock and --check are alternatives: pinning is not checking
            }
            List<String> differences = dev.dynload.plugin.Lockfile.read(check).differences(now);
            for (String d : differences) {
                out.println(Printable.of("differs: " + d));
            }
            err.println(differences.isEmpty() ? "the plugins found are the ones " + Printable.of(check.toString())
                    + " pins" : differences.size() + " difference" + (differences.size() == 1 ? "" : "s") + " from "
                    + Printable.of(check.toString()) + "; review them, then pin again with --lock");
            return differences.isEmpty() ? ExitCode.OK.code() : ExitCode.BAD_LIBRARY.code();
        } catch (IOException | IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("dynload: " + Printable.of(String.valueOf(e.getMessage())));
            return ExitCode.BAD_LIBRARY.code();
        }
    }

    /** Subfolders are not scanned: names those that hold plugin files, so that the user can pass them. */
    private static String subfolders(Path folder) {
        List<String> holding = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(folder)) {
            for (Path child : children) {
                if (holding.size() < 5 && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) && holdsPlugins(child)) {
                    holding.add(child.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        holding.sort(null);
        return holding.isEmpty() ? "" : "; subfolders are not scanned, and " + String.join(", ", holding)
                + (holding.size() == 1 ? " holds some" : " hold some") + ": give "
                + (holding.size() == 1 ? "it" : "them") + " as DIR";
    }

    private static boolean holdsPlugins(Path folder) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path f : files) {
                if (HERE.isModuleFileName(f.getFileName().toString())) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static final OperatingSystem HERE = OperatingSystem.current();

    private static String patterns(OperatingSystem os) {
        return String.join(", ", os.moduleSuffixes().stream().map(s -> "*" + s).toList());
    }

    /**
     * The files of the folders named as another platform names its modules, which this host does not scan
     * (a plugin built for macOS or Windows beside the Linux one), in name order.
     */
    private List<Path> otherPlatforms() {
        List<Path> found = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (HERE.isModuleFileName(name)) {
                        continue;
                    }
                    for (OperatingSystem os : OperatingSystem.values()) {
                        if (os != HERE && os.isModuleFileName(name)) {
                            found.add(f);
                            break;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Reported for the folder above, with the host's own scan.
            }
        }
        found.sort(null);
        return found;
    }

    /** One line for a plugin file of another platform: its manifest and its platform, read from the file. */
    private static String foreignPlugin(Path file) {
        String platform;
        try {
            platform = NativeFile.read(file).classifier();
        } catch (IOException e) {
            return "not a usable plugin: " + e.getMessage();
        }
        try {
            PluginManifest m = PluginDescriptor.read(file).manifest();
            return "for another platform: " + m.id() + " " + m.version() + "  abi " + m.abiMin() + ".." + m.abiMax()
                    + "  " + file + "  (" + platform + ")";
        } catch (PluginException e) {
            return "not a usable plugin (" + platform + "): " + e.getMessage();
        }
    }
}
