package dev.dynload;

import dev.dynload.format.BinaryFormat;
import dev.dynload.internal.Host;

import java.util.List;
import java.util.Locale;

/**
 * The operating-system families dynload knows, and how each names a shared library.
 *
 * <p>The same library is {@code libtest.so} on Linux, {@code libtest.dylib} on macOS and {@code test.dll}
 * on Windows:
 *
 * {@snippet :
 * OperatingSystem.LINUX.mapLibraryName("test");    // "libtest.so"
 * OperatingSystem.MACOS.mapLibraryName("test");    // "libtest.dylib"
 * OperatingSystem.WINDOWS.mapLibraryName("test");  // "test.dll"
 * OperatingSystem.current();                        // the one this JVM runs on
 * }
 *
 * <p>Which one this JVM runs on is asked once, in one place; everything else in dynload asks the backend
 * chosen for it.
 */
public enum OperatingSystem {
    /** Linux and other ELF systems that name libraries {@code libNAME.so}. */
    LINUX("lib", ".so", BinaryFormat.ELF, List.of(".so")),
    /** macOS: {@code libNAME.dylib}. */
    MACOS("lib", ".dylib", BinaryFormat.MACH_O, List.of(".dylib", ".so", ".bundle")),
    /** Windows: {@code NAME.dll}. */
    WINDOWS("", ".dll", BinaryFormat.PE, List.of(".dll"));

    private static final OperatingSystem CURRENT = of(Host.family());

    private final String prefix;
    private final String suffix;
    private final BinaryFormat format;
    private final List<String> moduleSuffixes;

    OperatingSystem(String prefix, String suffix, BinaryFormat format, List<String> moduleSuffixes) {
        this.prefix = prefix;
        this.suffix = suffix;
        this.format = format;
        this.moduleSuffixes = moduleSuffixes;
    }

    /** {@return the format of the files this platform's loader loads: ELF, Mach-O or PE} */
    public BinaryFormat binaryFormat() {
        return format;
    }

    /**
     * {@return the file name endings of loadable modules here, such as plugins, which a folder is scanned
     * for: {@code .so} on Linux; {@code .dylib}, {@code .so} and {@code .bundle} on macOS; {@code .dll} on
     * Windows}
     */
    public List<String> moduleSuffixes() {
        return moduleSuffixes;
    }

    /**
     * Tells whether a file name ends as a loadable module of this platform does ({@link #moduleSuffixes()}),
     * ignoring case on Windows and macOS, whose file systems do.
     *
     * @param fileName a file name without folder
     * @return whether a folder scan for modules takes it
     */
    public boolean isModuleFileName(String fileName) {
        String name = this == LINUX ? fileName : fileName.toLowerCase(Locale.ROOT);
        for (String s : moduleSuffixes) {
            if (name.endsWith(s) && name.length() > s.length()) {
                return true;
            }
        }
        return false;
    }

    /** {@return the family this JVM runs on; Unix systems other than macOS count as {@link #LINUX}} */
    public static OperatingSystem current() {
        return CURRENT;
    }

    /**
     * Maps a bare library name to this platform's file name, as the C toolchain names it.
     *
     * @param name a bare name such as {@code "test"} or {@code "z"}
     * @return {@code libtest.so}, {@code libtest.dylib} or {@code test.dll}
     * @throws IllegalArgumentException if {@code name} is empty or holds a path separator or NUL
     */
    public String mapLibraryName(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a bare library name: \"" + printable(name)
                    + "\"; give a name such as \"z\", without folder, extension or NUL");
        }
        return prefix + name + suffix;
    }

    /**
     * Tells whether {@code name} is already a file name on this platform, to be used as given:
     * {@code libz.so.1}, {@code libz.so}, {@code libfoo.dylib}, {@code foo.dll}.
     *
     * @param name a library name without folder
     * @return true when the name carries this platform's library extension (for ELF, possibly versioned)
     */
    public boolean isLibraryFileName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return switch (this) {
            case LINUX -> lower.matches(".+\\.so(\\.[0-9][0-9a-z_]*)*");
            case MACOS -> lower.endsWith(".dylib") || lower.endsWith(".so");
            case WINDOWS -> lower.endsWith(".dll");
        };
    }

    static OperatingSystem detect(String osName) {
        return of(Host.family(osName));
    }

    // An if chain, not a switch: a switch on an enum costs a fresh JVM a class of its own to load.
    private static OperatingSystem of(Host.Family family) {
        return family == Host.Family.LINUX ? LINUX : family == Host.Family.MACOS ? MACOS : WINDOWS;
    }

    static String printable(String s) {
        return dev.dynload.internal.Printable.of(s);
    }
}
