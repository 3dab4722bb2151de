package dev.dynload;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a child JVM that runs one of the tests' own classes, on this JVM's dynload build. */
public final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * {@return the command: this JDK's java, native access enabled, no core dumps, {@code options}, a class
     * path of dynload (or {@code dynload.fuzz.classes}, another build to compare with), the test classes and
     * {@code extraClassPath}, then {@code main} and {@code args}}
     */
    public static List<String> command(List<String> options, String extraClassPath, Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:-CreateCoredumpOnCrash"));
        command.addAll(options);
        String classPath = classPath(main);
        command.addAll(List.of("-cp", extraClassPath == null ? classPath : classPath + File.pathSeparator + extraClassPath,
                main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static String classPath(Class<?> main) {
        try {
            Path tests = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
            // dynload.fuzz.classes points the children at another build of dynload, to compare one with another.
            String other = System.getProperty("dynload.fuzz.classes");
            Path dynload = other != null ? Path.of(other)
                    : Path.of(Library.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return dynload + File.pathSeparator + tests;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
