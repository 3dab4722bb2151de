package dev.dynload.internal;

import java.io.IOException;
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
        String os = switch (Host.family()) {
            case LINUX -> "Linux";
            case MACOS -> "Mac OS X";
            case WINDOWS -> "Windows";
        };
        return classifier(os, Host.arch(), Host.family() == Host.Family.LINUX && runsOnMusl());
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

    /**
     * Whether this process runs on musl's C library: the program it runs (the {@code java} launcher) asks
     * for musl's loader as its interpreter ({@code PT_INTERP}), {@code /lib/ld-musl-ARCH.so.1}. A few
     * kilobytes of one file, where reading {@code /proc/self/maps} costs a fresh JVM milliseconds.
     */
    static boolean runsOnMusl() {
        try {
            return interpreterIsMusl(Path.of("/proc/self/exe"));
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux, or a sandbox): glibc is the common case
        }
    }

    /** Whether the ELF executable {@code exe} names musl's loader as its interpreter. */
    public static boolean interpreterIsMusl(Path exe) throws IOException {
        try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(exe.toFile(), "r")) {
            byte[] head = new byte[64];
            in.readFully(head);
            java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(head).order(head[5] == 2
                    ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
            if (head[0] != 0x7f || head[1] != 'E' || head[4] != 2) {
                return false; // not a 64-bit ELF program
            }
            long phoff = h.getLong(0x20);
            int phentsize = Short.toUnsignedInt(h.getShort(0x36));
            int phnum = Math.min(Short.toUnsignedInt(h.getShort(0x38)), 64);
            byte[] entry = new byte[56];
            for (int i = 0; i < phnum && phentsize >= 56; i++) {
                in.seek(phoff + (long) i * phentsize);
                in.readFully(entry);
                java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(entry).order(h.order());
                if (p.getInt(0) == 3) { // PT_INTERP
                    int size = (int) Math.min(p.getLong(0x20), 256);
                    byte[] name = new byte[size];
                    in.seek(p.getLong(0x08));
                    in.readFully(name);
                    return namesMuslLoader(new String(name, java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
            return false;
        }
    }

    /**
     * Whether a path names musl's loader, which is also its C library: {@code /lib/ld-musl-ARCH.so.1}
     * (Alpine also calls it {@code libc.musl-ARCH.so.1}).
     */
    public static boolean namesMuslLoader(String path) {
        return path.contains("/ld-musl-") || path.contains("/libc.musl-");
    }
}
