package dev.dynload.internal;

import java.util.Locale;

/**
 * The one place dynload asks which operating system and CPU it runs on. Everything else asks the backend
 * chosen from it ({@link NativeLoader#current()}), or {@code OperatingSystem.current()}, which maps this.
 */
public final class Host {

    /** The operating system families dynload has a backend for. */
    public enum Family {
        /** Linux, and Unix systems other than macOS. */
        LINUX,
        /** macOS. */
        MACOS,
        /** Windows. */
        WINDOWS
    }

    private static final Family FAMILY = family(System.getProperty("os.name", ""));
    private static final String ARCH = System.getProperty("os.arch", "");

    private Host() {
    }

    /** {@return the family this JVM runs on} */
    public static Family family() {
        return FAMILY;
    }

    /** {@return this JVM's {@code os.arch}, such as {@code amd64} or {@code aarch64}} */
    public static String arch() {
        return ARCH;
    }

    /**
     * The family an {@code os.name} value names.
     *
     * @param osName a value of the {@code os.name} system property
     * @return its family; a Unix system other than macOS counts as {@link Family#LINUX}
     */
    public static Family family(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return Family.WINDOWS;
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return Family.MACOS;
        }
        return Family.LINUX;
    }
}
