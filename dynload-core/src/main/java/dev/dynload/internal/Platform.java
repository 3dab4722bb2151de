package dev.dynload.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The platform classifier a bundle files its libraries under, spelled as os-maven-plugin spells them
 * ({@code linux-x86_64}, {@code linux-aarch_64}, {@code osx-x86_64}, {@code osx-aarch_64},
 * {@code windows-x86_64}), with {@code -musl} added on Linux when the process runs on musl's C library.
 */
public final class Platform {

    private Platform() {
    }

    /** {@return the classifier of the running JVM's platform} */
    public static String current() {
        return classifier(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), runsOnMusl());
    }

    /**
     * The classifier for a platform described as the JVM's system properties describe it.
     *
     * @param osName {@code os.name}
     * @param osArch {@code os.arch}
     * @param musl whether the C library is musl (Linux only)
     * @return the classifier, such as {@code linux-x86_64-musl}; an unknown system or CPU keeps its own
     *         name, lower-cased, so that an error can show it
     */
    public static String classifier(String osName, String osArch, boolean musl) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("linux") ? "linux"
                : name.startsWith("mac") || name.startsWith("darwin") ? "osx"
                : name.startsWith("windows") ? "windows"
                : name.replaceAll("[^a-z0-9]", "");
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch_64";
            case "x86", "i386", "i486", "i586", "i686" -> "x86_32";
            case "riscv64" -> "riscv64";
            case "ppc64le" -> "ppcle_64";
            case "s390x" -> "s390_64";
            default -> osArch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "");
        };
        return os + "-" + arch + (musl && os.equals("linux") ? "-musl" : "");
    }

    /** Whether this process runs on musl's C library: its loader is mapped into the process. */
    static boolean runsOnMusl() {
        try {
            return mapsShowMusl(Files.readString(Path.of("/proc/self/maps")));
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux, or a sandbox): glibc is the common case
        }
    }

    /**
     * Whether a {@code /proc/self/maps} text shows musl: its loader and C library are one file,
     * {@code ld-musl-ARCH.so.1} (Alpine also names it {@code libc.musl-ARCH.so.1}).
     */
    public static boolean mapsShowMusl(String maps) {
        return maps.contains("/ld-musl-") || maps.contains("/libc.musl-");
    }
}
