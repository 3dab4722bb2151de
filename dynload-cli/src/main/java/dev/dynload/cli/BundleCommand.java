package dev.dynload.cli;

import dev.dynload.internal.Printable;
import dev.dynload.Bundle;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code dynload bundle JAR}: the native libraries a jar carries for {@code Library.openBundled}, checked
 * against their index and against themselves, without loading any.
 */
@Command(name = "bundle", mixinStandardHelpOptions = true,
        description = {"List the bundles a jar carries for Library.openBundled: for each platform, each file with "
                + "its size, SHA-256, CPU and word size (read from its ELF header) and the libraries it needs.",
                "Flags a file whose SHA-256 differs from the index, whose header disagrees with its platform "
                        + "(an x86-64 file filed under aarch_64), or that the index lists and the jar lacks; "
                        + "exits 4 if there is any. Loads nothing.",
                "Example: dynload bundle target/rust-greeter-0.1.0.jar"})
final class BundleCommand implements Callable<Integer> {

    private static final String ROOT = "META-INF/dynload/";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JAR", description = "a jar (or zip) holding bundles")
    Path jar;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(jar)) {
            err.println("dynload: " + Printable.of(jar.toString()) + ": no such file");
            return ExitCode.NOT_FOUND.code();
        }
        int problems = 0;
        Path scratch = Files.createTempDirectory("dynload-bundle", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Map<String, String> indexes = new TreeMap<>();
            List<String> resources = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                if (name.startsWith(ROOT) && !entry.isDirectory()) {
                    resources.add(name);
                    String rest = name.substring(ROOT.length());
                    if (rest.endsWith("/index") && rest.indexOf('/') == rest.length() - "/index".length()) {
                        indexes.put(rest.substring(0, rest.indexOf('/')), name);
                    }
                }
            }
            if (indexes.isEmpty()) {
                err.println("dynload: " + Printable.of(jar.toString()) + " carries no bundle (no " + ROOT
                        + "NAME/index); see docs/bundles.md for how a build makes one");
                return ExitCode.BAD_LIBRARY.code();
            }
            for (Map.Entry<String, String> index : indexes.entrySet()) {
                problems += bundle(zip, index.getKey(), index.getValue(), resources, scratch, out);
            }
        } finally {
            try (var files = Files.list(scratch)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(scratch);
        }
        if (problems > 0) {
            err.println("dynload: " + Printable.of(jar.toString()) + " has " + problems + " problem"
                    + (problems == 1 ? "" : "s") + "; Library.openBundled would refuse what they touch");
            return ExitCode.BAD_LIBRARY.code();
        }
        return ExitCode.OK.code();
    }

    /** Prints one bundle; {@return how many problems it has} */
    private int bundle(ZipFile zip, String bundle, String indexName, List<String> resources, Path scratch,
                       PrintWriter out) throws IOException {
        String text;
        try (InputStream in = zip.getInputStream(zip.getEntry(indexName))) {
            text = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
        }
        List<Bundle.Entry> entries;
        try {
            entries = Bundle.parseIndex(text);
        } catch (IllegalArgumentException e) {
            out.println(Printable.of("bundle " + bundle + ": PROBLEM: its index is malformed: " + e.getMessage()));
            return 1;
        }
        Map<String, List<Bundle.Entry>> byPlatform = new TreeMap<>();
        for (Bundle.Entry e : entries) {
            byPlatform.computeIfAbsent(e.classifier(), k -> new ArrayList<>()).add(e);
        }
        out.println(Printable.of("bundle " + bundle + ": " + byPlatform.size() + " platform"
                + (byPlatform.size() == 1 ? "" : "s") + " (" + String.join(", ", byPlatform.keySet()) + ")"));
        int problems = 0;
        List<String> listed = new ArrayList<>(List.of(indexName));
        for (Map.Entry<String, List<Bundle.Entry>> platform : byPlatform.entrySet()) {
            out.println(Printable.of("  " + platform.getKey() + ", in load order:"));
            for (Bundle.Entry e : platform.getValue()) {
                String resource = e.resource(bundle);
                listed.add(resource);
                ZipEntry file = zip.getEntry(resource);
                if (file == null) {
                    out.println(Printable.of("    " + e.name() + "  PROBLEM: listed in the index, missing from the jar ("
                            + resource + ")"));
                    problems++;
                    continue;
                }
                Path copy = scratch.resolve(e.name());
                String sha256;
                try (InputStream in = zip.getInputStream(file)) {
                    byte[] bytes = in.readAllBytes();
                    Files.write(copy, bytes);
                    sha256 = sha256(bytes);
                }
                List<String> notes = new ArrayList<>();
                if (!sha256.equals(e.sha256())) {
                    notes.add("PROBLEM: its SHA-256 is " + sha256 + ", the index says " + e.sha256());
                }
                String described = describe(copy, e.classifier(), notes);
                problems += notes.size(); // every note is a problem
                out.println(Printable.of("    " + e.name() + "  " + Files.size(copy) + " bytes  sha256 " + sha256));
                out.println(Printable.of("      " + described));
                for (String note : notes) {
                    out.println(Printable.of("      " + note));
                }
                Files.delete(copy);
            }
        }
        for (String resource : resources) {
            if (resource.startsWith(ROOT + bundle + "/") && !listed.contains(resource)) {
                out.println(Printable.of("  " + resource.substring((ROOT + bundle + "/").length())
                        + "  not in the index: never loaded"));
            }
        }
        return problems;
    }

    /** The file's format, CPU and needs, with a problem noted when its header disagrees with its platform. */
    private static String describe(Path file, String classifier, List<String> notes) {
        ElfFile elf;
        try {
            elf = ElfFile.read(file);
        } catch (IOException e) {
            if (classifier.startsWith("linux-")) {
                notes.add("PROBLEM: filed under " + classifier + " but not an ELF library: " + e.getMessage());
            }
            return "not ELF: its format is not checked here";
        }
        ElfHeader h = elf.header();
        String needs = elf.needed().isEmpty() ? "needs nothing" : "needs " + String.join(", ", elf.needed());
        try {
            String expected = Bundle.classify(file);
            if (!expected.equals(classifier)) {
                notes.add("PROBLEM: filed under " + classifier + ", but its header and C library say " + expected);
            }
        } catch (IOException e) {
            notes.add("PROBLEM: filed under " + classifier + ", but " + e.getMessage());
        }
        return "ELF " + h.wordSize() + "-bit " + h.machineName() + ", " + needs;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
