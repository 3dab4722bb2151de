package dev.dynload.cli;

import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.BundledStream;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.Printable;
import dev.dynload.format.NativeFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
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
        String shown = Printable.of(jar.toString());
        if (!Files.exists(jar)) {
            err.println("dynload: " + shown + ": no such file");
            return ExitCode.NOT_FOUND.code();
        }
        if (!Files.isRegularFile(jar)) {
            // Checked before opening: a FIFO would block the open, a device would be read for ever.
            err.println("dynload: " + shown + ": is not a jar but " + (Files.isDirectory(jar) ? "a folder"
                    : "a FIFO, socket or device") + "; give the jar's file");
            return ExitCode.BAD_LIBRARY.code();
        }
        int problems = 0;
        ZipFile zip;
        try {
            zip = new ZipFile(jar.toFile());
        } catch (java.util.zip.ZipException e) {
            err.println("dynload: " + shown + ": is not a jar or zip file (" + Printable.of(String.valueOf(e.getMessage()))
                    + "); give the jar the build made");
            return ExitCode.BAD_LIBRARY.code();
        }
        try (zip) {
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
                err.println("dynload: " + shown + " carries no bundle (no " + ROOT
                        + "NAME/index); see docs/bundles.md for how a build makes one");
                return ExitCode.BAD_LIBRARY.code();
            }
            for (Map.Entry<String, String> index : indexes.entrySet()) {
                problems += bundle(zip, index.getKey(), index.getValue(), resources, out);
            }
        } catch (java.util.zip.ZipException e) {
            err.println("dynload: " + shown + ": is a damaged jar (" + Printable.of(String.valueOf(e.getMessage()))
                    + "); give the jar the build made");
            return ExitCode.BAD_LIBRARY.code();
        }
        if (problems > 0) {
            err.println("dynload: " + shown + " has " + problems + " problem"
                    + (problems == 1 ? "" : "s") + "; Library.openBundled would refuse what they touch");
            return ExitCode.BAD_LIBRARY.code();
        }
        return ExitCode.OK.code();
    }

    /** Prints one bundle; {@return how many problems it has} */
    private int bundle(ZipFile zip, String bundle, String indexName, List<String> resources, PrintWriter out)
            throws IOException {
        List<BundleIndex.Entry> entries;
        try (InputStream in = zip.getInputStream(zip.getEntry(indexName))) {
            entries = BundleIndex.read(in).entries();
        } catch (BundleIndex.MalformedException e) {
            out.println(Printable.of("bundle " + bundle + ": PROBLEM: its index is malformed: " + e.getMessage()));
            return 1;
        }
        Map<String, List<BundleIndex.Entry>> byPlatform = new TreeMap<>();
        for (BundleIndex.Entry e : entries) {
            byPlatform.computeIfAbsent(e.classifier(), k -> new ArrayList<>()).add(e);
        }
        out.println(Printable.of("bundle " + bundle + ": " + byPlatform.size() + " platform"
                + (byPlatform.size() == 1 ? "" : "s") + " (" + String.join(", ", byPlatform.keySet()) + ")"));
        int problems = 0;
        List<String> listed = new ArrayList<>(List.of(indexName));
        for (Map.Entry<String, List<BundleIndex.Entry>> platform : byPlatform.entrySet()) {
            out.println(Printable.of("  " + platform.getKey() + ", in load order:"));
            for (BundleIndex.Entry e : platform.getValue()) {
                String resource = BundleIndex.filePath(bundle, e);
                listed.add(resource);
                ZipEntry file = zip.getEntry(resource);
                if (file == null) {
                    out.println(Printable.of("    " + e.name() + "  PROBLEM: listed in the index, missing from the jar ("
                            + resource + ")"));
                    problems++;
                    continue;
                }
                problems += file(zip, file, e, out);
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

    /**
     * Prints one bundled file: read out of the jar into a sealed memory file (never onto the disk), hashed
     * on the way, bounded as {@code Library.openBundled} bounds it. {@return how many problems it has}
     */
    private static int file(ZipFile zip, ZipEntry file, BundleIndex.Entry e, PrintWriter out) throws IOException {
        long limit = BundledStream.limit();
        String tooLarge = "PROBLEM: it holds more than " + BundledStream.describe(limit) + ", the limit for a bundled "
                + "file (a compressed entry that inflates that far is what a zip bomb does; -D"
                + BundledStream.LIMIT_PROPERTY + " raises it)";
        if (file.getSize() > limit) {
            out.println(Printable.of("    " + e.name() + "  " + file.getSize() + " bytes, as the jar says"));
            out.println(Printable.of("      " + tooLarge));
            return 1;
        }
        List<String> notes = new ArrayList<>();
        String described;
        String sha256;
        long size;
        try (InputStream in = zip.getInputStream(file)) {
            BundledStream content = new BundledStream(in, limit);
            try (OpenFile copy = NativeLoader.current().memoryFile(Path.of(file.getName()), content)) {
                described = describe(copy.readable(), file.getName(), e.classifier(), notes);
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException noMemoryFile) {
                content.drain();
                described = "not read: this platform gives no sealed memory file to read it from";
            }
            sha256 = content.sha256();
            size = content.size();
        } catch (BundledStream.TooLargeException large) {
            out.println(Printable.of("    " + e.name() + "  more than " + BundledStream.describe(limit)));
            out.println(Printable.of("      " + tooLarge));
            return 1;
        }
        if (!sha256.equals(e.sha256())) {
            notes.addFirst("PROBLEM: its SHA-256 is " + sha256 + ", the index says " + e.sha256());
        }
        out.println(Printable.of("    " + e.name() + "  " + size + " bytes  sha256 " + sha256));
        out.println(Printable.of("      " + described));
        for (String note : notes) {
            out.println(Printable.of("      " + note));
        }
        return notes.size(); // every note is a problem
    }

    /**
     * The file's format, CPU and needs, with a problem noted when its format or CPU disagrees with its
     * platform; a file of any platform is read, whatever this one is. Messages name the file by its place in
     * the jar, not by the memory file it was read from.
     */
    private static String describe(Path readable, String shown, String classifier, List<String> notes) {
        List<NativeFile> images;
        try {
            images = NativeFile.readAll(readable);
        } catch (IOException e) {
            notes.add("PROBLEM: filed under " + classifier + " but not a native library of any platform: "
                    + String.valueOf(e.getMessage()).replace(readable.toString(), shown));
            return "not a native library";
        }
        List<String> theirs = new ArrayList<>();
        boolean agrees = false;
        for (NativeFile image : images) {
            String own = image.classifier();
            agrees |= own.equals(classifier) || image.cpu() == dev.dynload.format.Cpu.OTHER;
            theirs.add(own);
        }
        if (!agrees) {
            notes.add("PROBLEM: filed under " + classifier + ", but its format and CPU say " + String.join(" and ", theirs));
        }
        NativeFile image = images.get(0);
        String needs = image.needed().isEmpty() ? "needs nothing" : "needs " + String.join(", ", image.needed());
        String what = images.size() == 1 ? image.describe() : image.format().displayName() + " universal ("
                + String.join(", ", images.stream().map(NativeFile::architecture).toList()) + ")";
        return what + ", " + needs;
    }
}
