package dev.dynload.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether any process has a file open for writing, for the plugin host's watch: a file still being
 * copied is not taken, whatever its bytes look like so far (a library cut after its last loadable
 * segment loads). Linux answers from {@code /proc}: each process's descriptors ({@code /proc/PID/fd}, links
 * to the files) and their flags ({@code /proc/PID/fdinfo}). Only read: a file lease would tell too, but the
 * kernel signals a lease's holder (SIGIO, which ends a JVM) when a writer opens the file meanwhile.
 */
public final class Writers {

    private static final Path PROC = Path.of("/proc");
    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;

    private Writers() {
    }

    /**
     * {@return whether a process has {@code file} open for writing; empty when this system cannot tell
     * (no {@code /proc}, or the processes of other users cannot be looked at, and none that could be has
     * it open)}
     *
     * @param file the file
     */
    public static Optional<Boolean> openForWriting(Path file) {
        if (!Files.isDirectory(PROC)) {
            return Optional.empty();
        }
        String target;
        try {
            target = file.toRealPath().toString();
        } catch (IOException e) {
            return Optional.empty();
        }
        boolean unseen = false;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC)) {
            for (Path process : processes) {
                String pid = process.getFileName().toString();
                if (pid.isEmpty() || !Character.isDigit(pid.charAt(0))) {
                    continue;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (writes(process, fd, target)) {
                            return Optional.of(true);
                        }
                    }
                } catch (java.nio.file.AccessDeniedException e) {
                    unseen = true; // another user's process
                } catch (IOException | RuntimeException e) {
                    // it ended meanwhile
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return unseen ? Optional.empty() : Optional.of(false);
    }

    /** Whether descriptor {@code fd} of {@code process} is {@code target}, open for writing. */
    private static boolean writes(Path process, Path fd, String target) {
        try {
            if (!Files.readSymbolicLink(fd).toString().equals(target)) {
                return false;
            }
            for (String line : Files.readAllLines(process.resolve("fdinfo").resolve(fd.getFileName()))) {
                if (line.startsWith("flags:")) {
                    int flags = Integer.parseInt(line.substring("flags:".length()).strip(), 8);
                    return (flags & O_ACCMODE) != O_RDONLY;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // closed meanwhile, or not a link
        }
    }
}
